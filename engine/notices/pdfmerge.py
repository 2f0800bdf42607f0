"""Join the PDFs of a mailing's parts into one (pdfunite), and split a part into its pages (pdfseparate), with poppler."""
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


def can_split() -> bool:
    """True when pdfseparate (Debian package poppler-utils) is installed."""
    return shutil.which("pdfseparate") is not None


def split_pdf_file(pdf: Path, timeout: float) -> list[Path]:
    """Each page of the PDF as a PDF of its own, written beside it (<name>-page-1.pdf, ...), in page order."""
    executable = shutil.which("pdfseparate")
    if executable is None:
        raise PdfRenderError("pdfseparate is not installed: apt-get install poppler-utils")
    pattern = pdf.with_name(f"{pdf.stem}-page-%d.pdf")
    try:
        done = subprocess.run([executable, str(pdf), str(pattern)], capture_output=True, timeout=timeout,
                              check=False)
    except subprocess.TimeoutExpired:
        raise PdfRenderError(f"pdfseparate took longer than {timeout:g} s; stopped") from None
    if done.returncode != 0:
        raise PdfRenderError(f"pdfseparate failed (exit {done.returncode}): "
                             f"{done.stderr.decode('utf-8', 'replace').strip()[-2000:]}")
    return sorted(pdf.parent.glob(f"{pdf.stem}-page-*.pdf"), key=lambda page: int(page.stem.rsplit("-", 1)[1]))
