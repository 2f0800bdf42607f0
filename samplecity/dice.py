"""The sample city's source of chance: seeded, reproducible, and quick enough for millions of draws."""
from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


class Dice(random.Random):
    """A seeded generator whose `randint` and `choice` take one 32-bit draw each.

    `random.Random.randint` rejects and redraws to be exactly uniform, which costs a
    microsecond a call; the city makes tens of millions of draws, and a bias of one part
    in four billion changes nothing about it. The same seed always gives the same draws.
    """

    def randint(self, a: int, b: int) -> int:
        """A whole number from a to b, both included."""
        return a + self.getrandbits(32) % (b - a + 1)

    def choice(self, seq: Sequence[T]) -> T:
        """One element of a non-empty sequence."""
        return seq[self.getrandbits(32) % len(seq)]


def dice(seed: int, purpose: str) -> Dice:
    """The generator for one part of the city (households, usage, payments, businesses), from the seed."""
    return Dice(f"{seed}:{purpose}")
