"""What a clerk typed into the search box, read once: its words, its pieces, its digits.

Words are the runs of letters and digits (what both databases' word indexes hold), those that
together are one street word read as one ("North East", "Twenty-First"); pieces are the
whitespace-separated parts as typed (for "part of a word" matching, three characters or more,
as trigram indexes need); digits are kept when the text is only digits and the punctuation of
a phone or account number ("(530) 555-0142", "000460-08"). Each word is asked for in any of
its forms (engine.addresses): "St" as st, street, str, strt or saint, "N" as n or north,
"First" as first or 1st, "NE" as ne, northeast or the two words north east side by side, so an
address written either way is found by the other. A form of several words is quoted whole, which
both databases read as a phrase: the words side by side, in that order ("north east" in
FTS5, 'north' <-> 'east' in PostgreSQL). Nothing typed is ever passed to a database as query
syntax: the full-text queries are built here from words of letters and digits only, and the
pieces are quoted or escaped.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from engine.addresses import forms_of, words_of
from engine.numerals import digits_of

MOST_WORDS = 8  # more words than a name and an address have narrow nothing further
SHORTEST_PIECE = 3  # trigram indexes find parts of three characters or more
NUMBER_LIKE = re.compile(r"[0-9\s().+/-]+")


@dataclass(frozen=True)
class Typed:
    """The search text, read: as typed (tidied), its words, its pieces, its digits."""

    text: str
    words: tuple[str, ...]
    pieces: tuple[str, ...]
    digits: str

    @property
    def forms(self) -> tuple[tuple[str, ...], ...]:
        """Each word's forms, the word first: ("main",), ("st", "street", "str", "strt", "saint")."""
        return tuple(forms_of(word) for word in self.words)

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
    words = tuple(dict.fromkeys(words_of(text)))[:MOST_WORDS]
    pieces = tuple(dict.fromkeys(text.casefold().split()))[:MOST_WORDS]
    return Typed(text, words, pieces, digits)


def _any_of(forms: tuple[str, ...], *, starts: bool, quoted: Callable[[str, bool], str], either: str) -> str:
    """One word in any of its forms, joined by `either` (bracketed when there are several): the word as typed whole
    or, with `starts`, as the start of a word; its other forms whole, as they stand for the word typed."""
    alternatives = [quoted(form, starts and n == 0) for n, form in enumerate(forms)]
    return alternatives[0] if len(alternatives) == 1 else "(" + either.join(alternatives) + ")"


def fts5_words(typed: Typed, *, starts: bool) -> str:
    """An FTS5 query: every word whole ("garcia"), or every word as the start of a word ("garc"*), each in any
    of its forms (("st" OR "street" OR ...), ("ne" OR "northeast" OR "north east" OR ...))."""
    # AND written out: FTS5 takes "a" "b" as AND, but not a phrase beside a bracket
    return " AND ".join(_any_of(forms, starts=starts, quoted=_fts5_word, either=" OR ") for forms in typed.forms)


def _fts5_word(word: str, start: bool) -> str:
    """One word of an FTS5 query, whole ("garcia") or as the start of a word ("garc"*)."""
    return f'"{word}"' + ("*" if start else "")


def fts5_pieces(typed: Typed) -> str:
    """An FTS5 trigram query: every piece, quoted, somewhere in the document ("" when a piece is too short)."""
    if not typed.pieces or any(len(piece) < SHORTEST_PIECE for piece in typed.pieces):
        return ""
    return " ".join('"' + piece.replace('"', '""') + '"' for piece in typed.pieces)


def tsquery_words(typed: Typed, *, starts: bool) -> str:
    """A PostgreSQL tsquery: every word whole ('garcia'), or as the start of a word ('garc':*), each in any of its
    forms (('st' | 'street' | ...), ('ne' | 'northeast' | 'north east' | ...))."""
    return " & ".join(_any_of(forms, starts=starts, quoted=_tsquery_word, either=" | ") for forms in typed.forms)


def _tsquery_word(word: str, start: bool) -> str:
    """One word of a tsquery, whole ('garcia') or as the start of a word ('garc':*)."""
    return f"'{word}'" + (":*" if start else "")


def like_pieces(typed: Typed) -> list[str]:
    """LIKE patterns, one per piece, with %, _ and \\ taken literally ([] when a piece is too short)."""
    if not typed.pieces or any(len(piece) < SHORTEST_PIECE for piece in typed.pieces):
        return []
    return ["%" + piece.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%" for piece in typed.pieces]
