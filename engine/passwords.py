"""Staff passwords: what the city accepts, and how they are kept (scrypt hashes only).

A password must be at least 12 characters, not one of the most common passwords, and
strong enough that zxcvbn scores it 3 or more ("safely unguessable" by an online attack)
when it also knows the city's name and the user's own names. zxcvbn's frequency lists
carry the leaked-password corpus, so no list of bad passwords is kept here by hand.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_LENGTH = 12
MAX_LENGTH = 256
STRONG_ENOUGH = 3  # zxcvbn's scale 0-4; 3 is about 10^8 guesses
METHOD = "scrypt"
ADVICE = "A phrase of three or four unrelated words is long enough and easy to remember."


class PasswordRefused(ValueError):
    """A password the city does not accept; the message says why."""


@cache
def _common_passwords() -> frozenset[str]:
    """zxcvbn's list of the most common passwords, lower-case."""
    return frozenset(FREQUENCY_LISTS["passwords"])


def personal_words(*names: str) -> list[str]:
    """The words of names Ordinance knows (city, username, full name): alone, in pairs, and all run together."""
    words: set[str] = set()
    for name in names:
        parts = [part for part in re.split(r"[^a-z0-9]+", name.lower()) if part]
        words.update(parts)
        words.update(first + second for first, second in zip(parts, parts[1:]))  # "alder creek" → aldercreek
        words.add("".join(parts))
    words.discard("")
    return sorted(words)


def _is_one_common_password(password: str, analysis: dict) -> bool:
    """True when the whole password is a common password (as listed, or with case, l33t or reversal)."""
    if password.lower() in _common_passwords():
        return True
    sequence = analysis["sequence"]
    return len(sequence) == 1 and sequence[0].get("dictionary_name") == "passwords"


def _why_weak(analysis: dict) -> str:
    """zxcvbn's warning, or a plainer reason when it has none."""
    warning = analysis["feedback"].get("warning", "").rstrip(".")
    if warning:
        return warning[0].lower() + warning[1:]
    if any(match.get("dictionary_name") == "user_inputs" for match in analysis["sequence"]):
        return "it is built on the city's name or the user's own name"
    return "it is made of common words, names, dates or keyboard patterns"


def check_password(password: str, known_words: Iterable[str] = ()) -> None:
    """Refuse (PasswordRefused) a password that is common, short, overlong or easy to guess."""
    if len(password) > MAX_LENGTH:
        raise PasswordRefused(f"A password has at most {MAX_LENGTH} characters.")
    analysis = zxcvbn(password, user_inputs=list(known_words))
    if _is_one_common_password(password, analysis):
        raise PasswordRefused("This password is one of the most common passwords, the first ones an attacker "
                              f"tries; choose another. {ADVICE}")
    if len(password) < MIN_LENGTH:
        raise PasswordRefused(f"A password needs at least {MIN_LENGTH} characters. {ADVICE}")
    if analysis["score"] < STRONG_ENOUGH:
        raise PasswordRefused(f"This password is too easy to guess: {_why_weak(analysis)}. {ADVICE}")


def hash_password(password: str) -> str:
    """The scrypt hash of a password (check it with check_password first)."""
    return generate_password_hash(password, method=METHOD)


@cache
def _stand_in_hash() -> str:
    """A hash no password matches in practice, checked when the username is unknown."""
    return hash_password("the stand-in for a username nobody has")


def password_matches(password_hash: str | None, password: str) -> bool:
    """True when the password matches the hash; with no hash, the same work against a stand-in, then False."""
    if password_hash is None:
        check_password_hash(_stand_in_hash(), password)
        return False
    return check_password_hash(password_hash, password)
