"""What a clerk typed into the search box, read once: its words, its pieces, its digits.

Words are the runs of letters and digits (what both databases' word indexes hold);
pieces are the whitespace-separated parts as typed (for "part of a word" matching, three
characters or more, as trigram indexes need); digits are kept when the text is only digits
and the punctuation of a phone or account number ("(530) 555-0142", "000460-08"). Nothing
typed is ever passed to a database as query syntax: the full-text queries are built here
from words of letters and digits only, and the pieces are quoted or escaped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from engine.numerals import digits_of

MOST_WORDS = 8  # more words than a name and an address have narrow nothing further
SHORTEST_PIECE = 3  # trigram indexes find parts of three characters or more
NUMBER_LIKE = re.compile(r"[0-9\s().+/-]+")
WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Typed:
    """The search text, read: as typed (tidied), its words, its pieces, its digits."""

    text: str
    words: tuple[str, ...]
    pieces: tuple[str, ...]
    digits: str

    @property
    def number(self) -> str:
        """The digits without leading zeros, as account numbers are compared ("000460-08" -> "46008")."""
        return self.digits.lstrip("0")

    @property
    def single(self) -> bool:
        """One piece, without spaces: it may be an account, license or parcel number."""
        return len(self.text.split()) == 1


def read_typed(text: str) -> Typed:
    """The search text read into words, pieces and digits (all case-folded); empty when nothing searchable."""
    text = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())  # no NUL or other controls
    digits = digits_of(text) if NUMBER_LIKE.fullmatch(text or "x") else ""
    if len(digits) >= SHORTEST_PIECE:  # a phone or account number: its digits are the one word and piece
        return Typed(text, (digits,), (digits,), digits)
    words = tuple(dict.fromkeys(WORD.findall(text.casefold())))[:MOST_WORDS]
    pieces = tuple(dict.fromkeys(text.casefold().split()))[:MOST_WORDS]
    return Typed(text, words, pieces, digits)


def fts5_words(typed: Typed, *, starts: bool) -> str:
    """An FTS5 query: every word whole ("garcia"), or every word as the start of a word ("garc"*)."""
    return " ".join(f'"{word}"' + ("*" if starts else "") for word in typed.words)


def fts5_pieces(typed: Typed) -> str:
    """An FTS5 trigram query: every piece, quoted, somewhere in the document ("" when a piece is too short)."""
    if not typed.pieces or any(len(piece) < SHORTEST_PIECE for piece in typed.pieces):
        return ""
    return " ".join('"' + piece.replace('"', '""') + '"' for piece in typed.pieces)


def tsquery_words(typed: Typed, *, starts: bool) -> str:
    """A PostgreSQL tsquery: every word whole ('garcia'), or as the start of a word ('garc':*)."""
    return " & ".join(f"'{word}'" + (":*" if starts else "") for word in typed.words)


def like_pieces(typed: Typed) -> list[str]:
    """LIKE patterns, one per piece, with %, _ and \\ taken literally ([] when a piece is too short)."""
    if not typed.pieces or any(len(piece) < SHORTEST_PIECE for piece in typed.pieces):
        return []
    return ["%" + piece.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%" for piece in typed.pieces]
