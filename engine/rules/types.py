"""The names of the values the rule core passes around, so that signatures say what they hold.

`YamlValue` is a value as a validated document holds it (see `engine.rules.document`):
text, a Decimal, true/false, a date, nothing, or lists and mappings of those. `JsonValue` is
a value as a result's `to_json()` gives it, or as a case keeps it (the same shapes; dates
as text). Their shape is checked where they are read (the schema, a case's fields), not by
the type checker, so both stand for any value under a name that says where it came from.
`Facts` are the facts an evaluation is given, by name: whatever the caller has (text from
a form, numbers, dates), checked against the document's declared inputs.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeAlias

YamlValue: TypeAlias = Any  # str | Decimal | bool | date | None | list[YamlValue] | dict[str, YamlValue]
JsonValue: TypeAlias = Any  # str | int | Decimal | bool | None | list[JsonValue] | dict[str, JsonValue]
YamlMapping: TypeAlias = dict[str, YamlValue]
Facts: TypeAlias = Mapping[str, object]
