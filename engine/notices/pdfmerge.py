"""Join the PDFs of a mailing's parts into one, with poppler's pdfunite (fast, no Python dependency)."""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from engine.notices.wkhtmltopdf import PdfRenderError


def can_merge() -> bool:
    """True when pdfunite (Debian package poppler-utils) is installed."""
    return shutil.which("pdfunite") is not None


def merge_pdfs(pdfs: list[bytes], timeout: float) -> bytes:
    """One PDF holding every page of the given PDFs, in order."""
    if len(pdfs) == 1:
        return pdfs[0]
    executable = shutil.which("pdfunite")
    if executable is None:
        raise PdfRenderError("pdfunite is not installed: apt-get install poppler-utils")
    with tempfile.TemporaryDirectory(prefix="ordinance-mailing-") as folder:
        parts = [Path(folder) / f"part-{number:05d}.pdf" for number in range(len(pdfs))]
        for path, pdf in zip(parts, pdfs):
            path.write_bytes(pdf)
        joined = Path(folder) / "mailing.pdf"
        try:
            done = subprocess.run([executable, *map(str, parts), str(joined)], capture_output=True,
                                  timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise PdfRenderError(f"pdfunite took longer than {timeout:g} s; stopped") from None
        if done.returncode != 0:
            raise PdfRenderError(f"pdfunite failed (exit {done.returncode}): "
                                 f"{done.stderr.decode('utf-8', 'replace').strip()[-2000:]}")
        return joined.read_bytes()
