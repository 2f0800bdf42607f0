"""Run wkhtmltopdf safely: no files, no network, no scripts, a secret meta-tag prefix, a time limit.

pdfkit builds the command line (and would read `<meta name="pdfkit-...">` tags in the HTML
as extra wkhtmltopdf options; the prefix here is a per-renderer secret, and any option
found in the HTML is refused). The process itself runs under subprocess.run with a
timeout, which pdfkit cannot do.

Debian's wkhtmltopdf 0.12.6 (package 0.12.6-2) is built on unpatched Qt 5 / QtWebKit and
needs no X server and no xvfb-run: it renders on Qt's offscreen platform (checked with no
DISPLAY and with a bogus one). QT_QPA_PLATFORM=offscreen is set here so the caller's
environment never matters. Unpatched Qt ignores a few switches (--disable-external-links,
headers and footers, outlines) and prints a CSS inch at 0.768 in; the stylesheet corrects
that with CSS zoom (templates/notices/_notice.css), and a test checks the address lands in
the envelope window.
"""
from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import tempfile
from xml.sax.saxutils import escape

import pdfkit

# Every option is fixed here; nothing comes from the notice data.
OPTIONS = (
    ("--quiet", ""),
    ("--javascript-delay", "0"),  # scripts are off; do not wait the default 200 ms for them
    ("--encoding", "utf-8"),
    ("--page-size", "Letter"),
    ("--orientation", "Portrait"),
    ("--margin-top", "0"),
    ("--margin-bottom", "0"),
    ("--margin-left", "0"),
    ("--margin-right", "0"),
    ("--disable-local-file-access", ""),
    ("--disable-javascript", ""),
    ("--disable-plugins", ""),
    ("--no-images", ""),
    ("--disable-external-links", ""),  # honoured by patched-Qt builds; Debian's ignores it
    # Every load (a notice has none) goes to a closed local port and the run fails. The
    # switches above alone still let a stylesheet or a frame be fetched from the network.
    ("--proxy", "http://127.0.0.1:9"),
    ("--load-error-handling", "abort"),
    ("--load-media-error-handling", "abort"),
)
# The papers a document may be printed on (named by the caller, never read from the HTML): US Letter, and the
# 80 mm roll of a receipt printer (a page as long as a receipt of a dozen lines; the printer cuts after it).
PAPERS = {
    "letter": (("--page-size", "Letter"),),
    "receipt": (("--page-width", "80mm"), ("--page-height", "297mm")),
}
# The only environment wkhtmltopdf gets from the caller: no proxies, no display, no Qt
# scaling settings that would move the address off the envelope window.
KEPT_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "LD_LIBRARY_PATH", "FONTCONFIG_FILE",
            "FONTCONFIG_PATH", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_DIRS")
MISSING = "wkhtmltopdf is not installed: apt-get install wkhtmltopdf"


class PdfRenderError(RuntimeError):
    """wkhtmltopdf is missing, failed, or ran out of time."""


def find_wkhtmltopdf(path: str | None = None) -> str:
    """The wkhtmltopdf executable to run, or a clear error saying how to install it."""
    found = shutil.which(path or "wkhtmltopdf")
    if not found:
        raise PdfRenderError(MISSING)
    return found


def new_meta_prefix() -> str:
    """A secret prefix for pdfkit's meta-tag options, so no HTML can guess it."""
    return f"ordinance-{secrets.token_hex(16)}-"


def headless_environment(runtime_dir: str, font_dirs: tuple[str, ...] = ()) -> dict[str, str]:
    """A small clean environment (no proxies, no display), with Qt told to run offscreen.

    With `font_dirs`, the fonts in those folders are seen too (a fontconfig file in the run's
    own folder adds them to the system's): fonts the application ships, such as the scan
    line's OCR-A, are then real fonts in the PDF, whose text pdftotext reads. (A web font
    given by @font-face is drawn as outlines by this wkhtmltopdf: no text, and bigger files.)
    """
    env = {k: v for k, v in os.environ.items() if k in KEPT_ENV}
    env.setdefault("LANG", "C.UTF-8")
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["XDG_RUNTIME_DIR"] = runtime_dir
    if font_dirs:
        system = env.get("FONTCONFIG_FILE") or "/etc/fonts/fonts.conf"
        dirs = "".join(f"  <dir>{escape(folder)}</dir>\n" for folder in font_dirs)
        config = os.path.join(runtime_dir, "fonts.conf")
        with open(config, "w", encoding="utf-8") as handle:
            handle.write('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
                         f'  <include ignore_missing="yes">{escape(system)}</include>\n{dirs}</fontconfig>\n')
        env["FONTCONFIG_FILE"] = config
    return env


def options_for(paper: str) -> tuple[tuple[str, str], ...]:
    """The fixed options with the paper's size in place of US Letter."""
    if paper not in PAPERS:
        raise PdfRenderError(f"unknown paper {paper!r}; use {', '.join(PAPERS)}")
    return tuple(option for option in OPTIONS if option[0] != "--page-size") + PAPERS[paper]


def command(executable: str, html: str, meta_prefix: str, env: dict[str, str], paper: str = "letter") -> list[str]:
    """wkhtmltopdf's argv as pdfkit builds it, refusing any option smuggled in by meta tag."""
    options = options_for(paper)
    config = pdfkit.configuration(wkhtmltopdf=executable, meta_tag_prefix=meta_prefix, environ=env)
    kit = pdfkit.PDFKit(html, "string", options=dict(options), configuration=config)
    smuggled = set(kit.options) - {key for key, _ in options}
    if smuggled:
        raise PdfRenderError(f"notice HTML carries wkhtmltopdf options: {sorted(smuggled)}")
    return kit.command()


def html_to_pdf(executable: str, html: str, meta_prefix: str, timeout: float, paper: str = "letter",
                font_dirs: tuple[str, ...] = ()) -> bytes:
    """Run one wkhtmltopdf process over a whole HTML document, on a paper of PAPERS; the PDF's bytes.

    `font_dirs`: folders of fonts the application ships, seen beside the system's.
    """
    with tempfile.TemporaryDirectory(prefix="ordinance-qt-") as runtime_dir:
        env = headless_environment(runtime_dir, font_dirs)
        argv = command(executable, html, meta_prefix, env, paper)
        try:
            done = subprocess.run(argv, input=html.encode("utf-8"), capture_output=True,
                                  env=env, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise PdfRenderError(f"wkhtmltopdf took longer than {timeout:g} s; stopped") from None
        except FileNotFoundError:
            raise PdfRenderError(MISSING) from None
    if done.returncode != 0 or not done.stdout.startswith(b"%PDF"):
        message = _errors_only(done.stderr.decode("utf-8", "replace"))[-2000:]
        raise PdfRenderError(f"wkhtmltopdf failed (exit {done.returncode}): {message}")
    return done.stdout


def _errors_only(stderr: str) -> str:
    """wkhtmltopdf's complaint without its notes about switches unpatched Qt ignores."""
    noise = ("is not support using unpatched qt", "QStandardPaths:")
    lines = stderr.replace("ignored.", "ignored.\n").splitlines()
    return "\n".join(line for line in lines if line.strip() and not any(n in line for n in noise))
