"""The names of the values the rule core passes around, so that signatures say what they hold.

`YamlValue` is a value as a validated document holds it (see `engine.rules.document`):
text, a Decimal, true/false, a date, nothing, or lists and mappings of those. `JsonValue` is
a value as a result's `to_json()` gives it (the same shapes; dates may already be text).
`Facts` are the facts an evaluation is given, by name: whatever the caller has (text from a
form, numbers, dates), checked against the document's declared inputs.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import TypeAlias, Union

YamlValue: TypeAlias = Union[str, Decimal, bool, date, None, list["YamlValue"], dict[str, "YamlValue"]]
JsonValue: TypeAlias = Union[str, int, Decimal, bool, date, None, list["JsonValue"], dict[str, "JsonValue"]]
Facts: TypeAlias = Mapping[str, object]
YamlMapping: TypeAlias = dict[str, YamlValue]
