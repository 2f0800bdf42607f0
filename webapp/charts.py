"""Pictures on the pages: bar charts drawn on the server as inline SVG, each with its words beside it.

Matplotlib draws them (its SVG backend, no display, no pyplot state shared between
requests); the SVG goes into the page as it is, so it prints and needs no JavaScript. Text
stays text (`svg.fonttype: none`), ids are stable from one drawing to the next
(`svg.hashsalt`), and every chart carries a title and a sentence a screen reader reads
(`role="img"`, `aria-label`); the numbers it shows are also on the page as a table or a
sentence, so nothing is only in the picture.
"""
from __future__ import annotations

import io
import math
import re
import threading
from functools import lru_cache
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape
from matplotlib import rcParams
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

rcParams["svg.fonttype"] = "none"
rcParams["svg.hashsalt"] = "ordinance"
rcParams["font.family"] = "DejaVu Sans"

INK, BAR, ALERT = "#1f2933", "#2f6f9f", "#b3261e"
PROLOGUE = re.compile(r"^.*?(?=<svg)", re.DOTALL)
STYLE_ATTRIBUTE = re.compile(r'style="([^"]*)"')
STYLE_ELEMENT = re.compile(r"\s*<defs>\s*<style[^>]*>[^<]*</style>\s*</defs>")


@dataclass(frozen=True)
class Bars:
    """What one bar chart shows: a label and a value per bar, what the values are, and the words for it."""

    title: str
    labels: Sequence[str]
    values: Sequence[float]
    unit: str  # shown on the axis: "CCF", "dollars"
    words: str  # the picture in one sentence, for people who cannot see it
    alert_from: int | None = None  # bars from this index on are drawn in the alert colour (past due, over 90)


def bar_chart(bars: Bars, *, width: float = 6.4, height: float = 2.4) -> Markup:
    """The chart as an inline <svg> element, titled and labelled for screen readers.

    Drawing takes tens of milliseconds, so each drawing is kept (in this process, the most
    recent CHARTS_KEPT): an account's usage changes only with a new bill, and the same
    numbers are never drawn twice. The words go on after, and the heights are drawn to the
    chart's resolution (drawn_heights): the dashboard's totals move with every receipt, but
    its pictures are drawn again only when a bar would change by a pixel.
    """
    label = f"{bars.title}. {bars.words}"
    svg = _drawn(Bars(bars.title, tuple(bars.labels), drawn_heights(bars.values), bars.unit, "", bars.alert_from),
                 width, height)
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1))


def drawn_heights(values: Sequence[float]) -> tuple[float, ...]:
    """The bars' heights to three significant figures of the tallest: finer than a pixel of a chart a few hundred
    pixels tall, and the same drawing (kept) while the numbers move by less. The exact numbers are in the words."""
    top = max((abs(value) for value in values), default=0)
    if not top:
        return tuple(values)
    digits = 2 - math.floor(math.log10(top))
    return tuple(round(value, digits) for value in values)


CHARTS_KEPT = 4096


@lru_cache(maxsize=CHARTS_KEPT)
def _drawn(bars: Bars, width: float, height: float) -> str:
    """The drawing of one chart, without its words (see bar_chart), on this thread's board for its frame."""
    figure, axes, rectangles = _board(bars, width, height)
    for rectangle, value, colour in zip(rectangles, bars.values, _colours(bars)):
        rectangle.set_height(value)
        rectangle.set_facecolor(colour)
    axes.relim()
    axes.autoscale_view()
    return _svg(figure)


def _colours(bars: Bars) -> list[str]:
    """Each bar's colour: the alert colour from `alert_from` on."""
    return [ALERT if bars.alert_from is not None and i >= bars.alert_from else BAR for i in range(len(bars.values))]


def _svg(figure: Figure) -> str:
    """The figure as an <svg> element, with presentation attributes for styles."""
    out = io.StringIO()
    figure.savefig(out, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    svg = without_inline_styles(PROLOGUE.sub("", out.getvalue(), count=1))
    return svg.replace("<svg ", '<svg class="chart" stroke-linejoin="round" stroke-linecap="butt" ', 1)


BOARDS_KEPT = 32
_boards = threading.local()


def _board(bars: Bars, width: float, height: float) -> tuple:
    """(figure, axes, bars) for a chart with these bar labels, unit and size, kept by this thread and drawn again
    with each chart's heights and colours: the same SVG as a new figure's (tests/web/test_pictures.py), in about
    half the time, since the frame, its ticks and labels are laid out once. A thread's own: a figure is not to be
    drawn by two at once."""
    kept = getattr(_boards, "kept", None)
    if kept is None:
        kept = _boards.kept = {}
    key = (tuple(bars.labels), bars.unit, width, height)
    board = kept.get(key)
    if board is None:
        if len(kept) >= BOARDS_KEPT:
            kept.pop(next(iter(kept)))
        board = kept[key] = _new_board(bars, width, height)
    return board


def _new_board(bars: Bars, width: float, height: float) -> tuple:
    """A new figure of the chart: (figure, axes, its bars)."""
    figure = Figure(figsize=(width, height), dpi=72)
    FigureCanvasSVG(figure)
    axes = figure.add_subplot()
    rectangles = axes.bar(range(len(bars.values)), bars.values, color=_colours(bars), width=0.7)
    labelled = [i for i, label in enumerate(bars.labels) if label]  # a tick each is most of a drawing's time
    axes.set_xticks(labelled, [bars.labels[i] for i in labelled], fontsize=8, color=INK)
    axes.tick_params(axis="y", labelsize=8, colors=INK)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts, CCF and whole dollars: no 2.5 of anything
    axes.set_ylabel(bars.unit, fontsize=8, color=INK)
    axes.spines[["top", "right"]].set_visible(False)
    axes.margins(x=0.01)
    figure.subplots_adjust(left=0.1, right=0.99, top=0.95, bottom=0.14)
    return figure, axes, list(rectangles)


def without_inline_styles(svg: str) -> str:
    """The SVG with each `style="fill: #fff; stroke-width: 0.8"` as presentation attributes (`fill="#fff"`).

    The app's Content-Security-Policy refuses inline styles (no 'unsafe-inline'), and a browser
    that drops them draws every shape black; presentation attributes are not styles, so the
    picture draws as matplotlib meant it. Matplotlib's <style> element (round line joins) goes:
    the same two properties are set on the <svg> element by the caller.
    """
    def attributes(match: re.Match) -> str:
        pairs = (part.split(":", 1) for part in match.group(1).split(";") if ":" in part)
        return " ".join(f'{name.strip()}="{escape(value.strip().strip(chr(39)))}"' for name, value in pairs)
    return STYLE_ATTRIBUTE.sub(attributes, STYLE_ELEMENT.sub("", svg, count=1))


def listed(labels: Sequence[str], values: Sequence[str]) -> str:
    """Labels and values as one sentence: "Dec 2025 12 CCF, Jan 2026 14 CCF"."""
    return ", ".join(f"{label} {value}" for label, value in zip(labels, values))
