"""How messages about documents show what they found: values in words, paths and their lines."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

YAML_11_BOOLEANS = frozenset({"yes", "no", "on", "off", "y", "n", "Yes", "No", "On", "Off",
                              "True", "False", "TRUE", "FALSE"})
BOOLEAN_HINT = " (only true and false are booleans; yes, no, on, off are text)"


def describe(value: object) -> str:
    """A value as a message shows it: `the text "yes"`, `the number 5`, `a list`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'the text "{shown(value)}"'
    if isinstance(value, Decimal):
        return f"the number {value}"
    if isinstance(value, date):
        return f"the date {value.isoformat()}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return f"a mapping of {', '.join(value) or 'nothing'}"
    return "nothing" if value is None else repr(value)


def quoted(value: object) -> str:
    """A name as a message quotes it: "shutoff-warning" (other values described)."""
    return f'"{value}"' if isinstance(value, str) else describe(value)


def line_at(lines: dict[str, int], path: str) -> int:
    """The line of `path`, or of its nearest parent that has one."""
    while path:
        if path in lines:
            return lines[path]
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return lines.get("", 1)


def shown(text: str, limit: int = 80) -> str:
    """A text as a message quotes it: invisible characters written as #xNNNN, a long one cut with its length."""
    visible = "".join(c if c.isprintable() or c == " " else f"#x{ord(c):04x}" for c in text)
    return visible if len(visible) <= limit else f"{visible[:limit - 20]}... ({len(text)} characters)"

