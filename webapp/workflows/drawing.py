"""Graphviz's `dot` turns a diagram's DOT text into SVG for the page: no files, no network, a time limit.

The DOT comes from engine.workflow.diagram, whose labels are escaped so that none can be read
as DOT. `dot` reads it from standard input and writes SVG to standard output; it runs with a
small environment in which SERVER_NAME puts Graphviz in its restricted mode (no image or
other file is read from a path a label could name; GV_FILE_PATH names an empty folder) and
under a timeout. Graphviz comes from Debian (`graphviz`, scripts/system-packages.sh). The same
DOT always draws the same SVG, so drawings are kept per DOT text in the process.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from functools import lru_cache

TIMEOUT = 10.0  # seconds; a workflow of a hundred states draws in well under one
KEPT_ENV = ("PATH", "LANG", "LC_ALL", "FONTCONFIG_FILE", "FONTCONFIG_PATH")
MISSING = "Graphviz is not installed: apt-get install graphviz (scripts/system-packages.sh does)"
SIZE = re.compile(r'\s(?:width|height)="[^"]*"')


class DrawingError(RuntimeError):
    """`dot` is missing, failed, or ran out of time."""


def find_dot() -> str:
    """The `dot` executable, or a clear error saying how to install it."""
    found = shutil.which("dot")
    if not found:
        raise DrawingError(MISSING)
    return found


def _environment(empty: str) -> dict[str, str]:
    """The caller's locale and fonts only; Graphviz in its restricted (server) mode, its file path an empty folder."""
    env = {key: value for key, value in os.environ.items() if key in KEPT_ENV}
    env.setdefault("LANG", "C.UTF-8")
    env.update(SERVER_NAME="ordinance", GV_FILE_PATH=empty, HOME=empty)
    return env


@lru_cache(maxsize=64)
def svg_of(dot_text: str, described_by: str = "") -> str:
    """The SVG of a DOT text for a page: no XML prolog, sized by the page, naming its text alternative."""
    with tempfile.TemporaryDirectory(prefix="ordinance-dot-") as empty:
        try:
            done = subprocess.run([find_dot(), "-Tsvg"], input=dot_text.encode("utf-8"), capture_output=True,
                                  env=_environment(empty), cwd=empty, timeout=TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise DrawingError(f"dot took longer than {TIMEOUT:g} s; stopped") from None
    svg = done.stdout.decode("utf-8", "replace")
    start = svg.find("<svg")
    if done.returncode != 0 or start < 0:
        raise DrawingError(f"dot failed (exit {done.returncode}): {done.stderr.decode('utf-8', 'replace')[-1000:]}")
    head_end = svg.index(">", start)
    head = SIZE.sub("", svg[start:head_end])  # the page's stylesheet sizes it
    described = f' aria-describedby="{described_by}"' if described_by else ""
    return f'{head} role="img" class="diagram"{described}{svg[head_end:]}'
