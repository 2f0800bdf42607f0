"""How fast notices become PDFs: one mailing PDF for a batch, with and without each notice's copy kept, against one PDF per notice.

The mailer keeps each notice's own sheet of the mailing (engine.notices.kept): the "kept"
numbers are what a night's mailing costs now; the "batch" numbers are the mailing alone.

Times the work with a monotonic performance counter (never the calendar clock) and also
reports the CPU seconds used, which other work on a shared machine does not inflate.
"""
from __future__ import annotations

import os
import resource
from collections.abc import Callable
from pathlib import Path
from time import perf_counter

from engine.notices.render import NoticeRenderer
from samplecity.notices import sample_batch, sample_city

TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "notices"
TARGET_PER_SECOND = 300


def cpu_seconds() -> float:
    """CPU seconds used so far by this process and the wkhtmltopdf processes it waited for."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(work: Callable[[], object], timer: Callable[[], float]) -> tuple[float, float, object]:
    """Wall seconds, CPU seconds and the result of some work."""
    wall, cpu = timer(), cpu_seconds()
    result = work()
    return timer() - wall, cpu_seconds() - cpu, result


def run_notice_bench(n: int = 1000, singles: int = 50, templates_dir: str | Path = TEMPLATES,
                     processes: int | None = None, pages_per_process: int = 250,
                     timer: Callable[[], float] = perf_counter) -> dict:
    """Notices per second into one mailing PDF (n notices) and one PDF per notice (singles)."""
    renderer = NoticeRenderer(templates_dir, sample_city(), processes=processes,
                              pages_per_process=pages_per_process)
    processes = renderer.processes
    batch, single = sample_batch(n), sample_batch(singles)
    renderer.render_one(*single[0])  # warm the template cache and the disk cache
    batch_wall, batch_cpu, mailing = timed(lambda: renderer.render_batch(batch), timer)
    copies: list[int] = []
    kept_wall, kept_cpu, _ = timed(lambda: renderer.render_batch(
        batch, each_notice=lambda _position, pdf: copies.append(len(pdf))), timer)
    html_wall, _, _ = timed(lambda: [renderer.render_html(*notice) for notice in batch], timer)
    single_wall, single_cpu, _ = timed(lambda: [renderer.render_one(*x) for x in single], timer)
    batch_rate, single_rate, kept_rate = n / batch_wall, singles / single_wall, n / kept_wall
    cores = os.cpu_count() or 1
    return {
        "batch_notices": n,
        "processes": processes,
        "pages_per_process": pages_per_process,
        "batch_seconds": round(batch_wall, 3),
        "batch_cpu_seconds": round(batch_cpu, 3),
        "batch_html_seconds": round(html_wall, 3),
        "batch_pdf_bytes": len(mailing),
        "batch_notices_per_s": round(batch_rate, 1),
        # What the CPU time allows when `processes` cores are free of other work.
        "batch_cpu_bound_notices_per_s": round(n * min(processes, cores) / batch_cpu, 1),
        "kept_seconds": round(kept_wall, 3),
        "kept_cpu_seconds": round(kept_cpu, 3),
        "kept_notices_per_s": round(kept_rate, 1),
        "kept_cpu_bound_notices_per_s": round(n * min(processes, cores) / kept_cpu, 1),
        "kept_bytes_per_notice": round(sum(copies) / max(len(copies), 1)),
        "kept_meets_target": kept_rate >= TARGET_PER_SECOND,
        "single_notices": singles,
        "single_seconds": round(single_wall, 3),
        "single_cpu_seconds": round(single_cpu, 3),
        "single_notices_per_s": round(single_rate, 1),
        "batch_over_single": round(batch_rate / single_rate, 1),
        "target_notices_per_s": TARGET_PER_SECOND,
        "meets_target": batch_rate >= TARGET_PER_SECOND,
    }


if __name__ == "__main__":
    print(run_notice_bench())
