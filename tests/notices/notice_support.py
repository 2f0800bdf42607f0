"""Helpers for notice tests: read a PDF back with poppler's pdftotext and pdfinfo."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TEMPLATES = REPO / "templates" / "notices"


def pdf_pages(pdf: bytes) -> int:
    """How many pages a PDF has."""
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout
    return int(re.search(rb"Pages:\s+(\d+)", info).group(1))


def pdf_page_size(pdf: bytes) -> str:
    """The first page's size line from pdfinfo, e.g. '612 x 792 pts (letter)'."""
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout
    return re.search(rb"Page size:\s+(.+)", info).group(1).decode()


def page_text(pdf_path: Path, page: int, layout: bool = True) -> str:
    """One page's text from pdftotext -f page -l page: laid out, or in reading order (a wrapped title whole)."""
    mode = ["-layout"] if layout else []
    done = subprocess.run(["pdftotext", *mode, "-f", str(page), "-l", str(page), str(pdf_path), "-"],
                          capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def flat(text: str) -> str:
    """Text with runs of whitespace made single spaces, so wrapped phrases still match."""
    return " ".join(text.split())


def word_boxes(pdf_path: Path, page: int) -> list[tuple[str, float, float, float, float]]:
    """Each word on a page with its box in points: (word, x_min, y_min, x_max, y_max)."""
    done = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf_path), "-"],
                          capture_output=True, check=True)
    found = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
                       done.stdout.decode("utf-8"))
    return [(w, float(a), float(b), float(c), float(d)) for a, b, c, d, w in found]


def sample_languages():
    """The languages the repository's notice templates print (English and Spanish), as the renderer finds them."""
    from engine.notices.languages import discover
    return discover(TEMPLATES)


def long_date(value: str, language: str) -> str:
    """A date as the language's words file spells it ('March 5, 2026', '5 de marzo de 2026')."""
    return sample_languages().language(language).day(value)
