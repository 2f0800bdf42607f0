"""Join the PDFs of a mailing's parts into one, with poppler's pdfunite (fast, no Python dependency)."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from engine.notices.wkhtmltopdf import PdfRenderError


def can_merge() -> bool:
    """True when pdfunite (Debian package poppler-utils) is installed."""
    return shutil.which("pdfunite") is not None


def merge_pdf_files(parts: list[Path], joined: Path, timeout: float) -> bytes:
    """The bytes of one PDF holding every page of the part files, in order (written to `joined`)."""
    if len(parts) == 1:
        return parts[0].read_bytes()
    executable = shutil.which("pdfunite")
    if executable is None:
        raise PdfRenderError("pdfunite is not installed: apt-get install poppler-utils")
    try:
        done = subprocess.run([executable, *map(str, parts), str(joined)], capture_output=True,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise PdfRenderError(f"pdfunite took longer than {timeout:g} s; stopped") from None
    if done.returncode != 0:
        raise PdfRenderError(f"pdfunite failed (exit {done.returncode}): "
                             f"{done.stderr.decode('utf-8', 'replace').strip()[-2000:]}")
    return joined.read_bytes()
