"""How much water Alder Creek uses: a year of monthly meter reads per account, in CCF.

Use follows the seasons of the Sierra foothills (lawns and gardens from May to October,
about twice the winter use in August). A few homes stand empty for a month or three
(zero use) and a few have a leak that shows as one month's spike.
"""
from __future__ import annotations

import random

# Percent of a household's base use, by calendar month.
SEASON = {1: 80, 2: 78, 3: 85, 4: 95, 5: 115, 6: 140, 7: 165, 8: 172, 9: 150, 10: 120, 11: 95, 12: 85}
VACANCY_SHARE = 2  # percent of accounts with a vacant stretch
LEAK_SHARE = 1  # percent of accounts with a leak month
WINTER_MONTHS = (12, 1, 2)


def base_use(rng: random.Random, commercial: bool, meter_size: str) -> int:
    """A household's (or business's) typical monthly use in CCF before the seasons."""
    if commercial:
        scale = {'3/4"': 12, '1"': 25, '1-1/2"': 45, '2"': 80, '3"': 150, '4"': 260, '6"': 480}.get(meter_size, 20)
        return max(2, scale * rng.randint(50, 150) // 100)
    household = rng.choice((3, 4, 5, 5, 6, 6, 7, 7, 8, 9, 10, 12))
    if meter_size in ('1"', '1-1/2"', '2"'):
        household += rng.randint(3, 10)
    return household


def monthly_use(rng: random.Random, base: int, months: list[int]) -> list[int]:
    """CCF used in each of the given calendar months, with seasons, noise, vacancies and leaks."""
    use = []
    for month in months:
        ccf = base * SEASON[month] // 100 + rng.randint(-2, 2) * max(1, base // 6)
        use.append(max(0, ccf))
    if rng.randint(1, 100) <= VACANCY_SHARE:
        start = rng.randrange(len(use))
        for i in range(start, min(len(use), start + rng.randint(1, 3))):
            use[i] = 0
    if rng.randint(1, 100) <= LEAK_SHARE:
        i = rng.randrange(len(use))
        use[i] = use[i] * rng.randint(4, 8) + rng.randint(10, 30)
    return use


def winter_average(use: list[int], months: list[int]) -> int:
    """The average CCF of the December-February reads in the year (rounded half up), or 5 if none."""
    winter = [ccf for ccf, month in zip(use, months) if month in WINTER_MONTHS]
    if not winter:
        return 5
    return (2 * sum(winter) + len(winter)) // (2 * len(winter))


def readings(rng: random.Random, use: list[int]) -> list[int]:
    """The register readings at each read: a starting register plus the use so far."""
    register = rng.randint(100, 9000)
    out = []
    for ccf in use:
        register += ccf
        out.append(register)
    return out
