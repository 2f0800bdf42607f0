"""The dashboard's pictures: the city's aging today and the payments of the last 30 days."""
from __future__ import annotations

from markupsafe import Markup

from engine.money.ledger.aging import BUCKETS
from webapp.charts import Bars, bar_chart, listed
from webapp.formatting import money
from webapp.main.summary import OfficeSummary

def bar_height(cents: int) -> int:
    """A bar's height in whole dollars, rounded half up (a picture's scale; the exact amounts are in its words)."""
    return (cents + 50) // 100


def aging_picture(summary: OfficeSummary) -> tuple[Markup, str]:
    """What every account owes today by how late it is, the oldest bucket in red; and the same in words."""
    labels = list(summary.aging_words)
    values = [bar_height(summary.aging[name]) for name in BUCKETS]
    words = "Owed by how late it is: " + listed(labels, [money(summary.aging[name]) for name in BUCKETS]) + "."
    return bar_chart(Bars("What accounts owe, by age", labels, values, "dollars", words,
                          alert_from=BUCKETS.index("over_90"))), words


def collections_picture(summary: OfficeSummary) -> tuple[Markup, str]:
    """The payments booked on each of the last 30 days; in words, the total and the busiest day."""
    labels = [f"{day.strftime('%b')} {day.day}" if day.day in (1, 15) or n in (0, len(summary.collected) - 1)
              else "" for n, (day, _) in enumerate(summary.collected)]
    values = [bar_height(cents) for _, cents in summary.collected]
    total = sum(cents for _, cents in summary.collected)
    busiest_day, busiest = max(summary.collected, key=lambda pair: pair[1])
    first, last = summary.collected[0][0], summary.collected[-1][0]
    words = (f"Payments booked from {first.strftime('%b')} {first.day} to {last.strftime('%b')} {last.day}: "
             f"{money(total)} in all" + (f"; the most on {busiest_day.strftime('%b')} {busiest_day.day}, "
                                        f"{money(busiest)}." if busiest else "."))
    return bar_chart(Bars("Payments, last 30 days", labels, values, "dollars", words)), words
