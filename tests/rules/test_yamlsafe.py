"""The safe YAML reader: YAML 1.2 scalars, exact decimals, keys as written, a line for every path."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.rules.errors import DocumentError
from engine.rules.yamlsafe import MAX_BYTES, read_yaml


def read(text: str):
    """The data of a YAML text."""
    return read_yaml(text, "rates.yaml").data


def refused(text: str) -> str:
    """The message a YAML text is refused with."""
    with pytest.raises(DocumentError) as failure:
        read_yaml(text, "rates.yaml")
    return str(failure.value)


def test_a_rate_of_3_12_is_exactly_decimal_3_12():
    """Numbers are Decimal exactly as written, never binary floats."""
    rate = read("rate: 3.12")["rate"]
    assert rate == Decimal("3.12") and str(rate) == "3.12" and type(rate) is Decimal


@given(st.decimals(allow_nan=False, allow_infinity=False, places=4, min_value=-10**9, max_value=10**9))
def test_any_rate_written_in_digits_reads_back_exactly_as_written(rate):
    """Whatever the supervisor types, the reader gives that exact Decimal, digits and all."""
    written = f"{rate:f}"
    read_back = read(f"rate: {written}")["rate"]
    assert read_back == rate and str(read_back) == written


def test_whole_numbers_and_trailing_zeros_are_decimals_as_written():
    """`7` is Decimal("7"); `24.40` keeps its written form; `.5` and `1e3` are numbers too."""
    data = read("upto: 7\nbase: 24.40\nhalf: .5\nbig: 1e3\nneg: -2.5")
    assert data == {"upto": Decimal("7"), "base": Decimal("24.40"), "half": Decimal("0.5"),
                    "big": Decimal("1000"), "neg": Decimal("-2.5")}
    assert str(data["base"]) == "24.40" and type(data["upto"]) is Decimal


def test_only_true_and_false_are_booleans():
    """YAML 1.2: yes, no, on, off, True stay text."""
    data = read("sewer: true\nsenior: false\na: yes\nb: no\nc: on\nd: off\ne: True")
    assert data == {"sewer": True, "senior": False, "a": "yes", "b": "no", "c": "on", "d": "off", "e": "True"}


def test_keys_are_kept_as_written():
    """A meter size key `1` is "1", `'3/4"'` is `3/4"`, a date key stays its text."""
    data = read("values: {1: 35.19, '3/4\"': 24.42, true: x, 2026-01-01: New Year's Day}")["values"]
    assert list(data) == ["1", '3/4"', "true", "2026-01-01"]


def test_iso_dates_are_dates_and_other_text_stays_text():
    """`2026-07-01` is a date; a quoted date, `12-31`, `0x1F` and `.inf` are text."""
    data = read("effective: 2026-07-01\nq: '2026-07-01'\nday: 12-31\nhex: 0x1F\ninf: .inf\nnothing: ~")
    assert data == {"effective": date(2026, 7, 1), "q": "2026-07-01", "day": "12-31",
                    "hex": "0x1F", "inf": ".inf", "nothing": None}


def test_every_path_has_its_line():
    """Paths name mapping keys with dots and list items with [i]; each maps to its line."""
    text = """versions:
  - effective: 2026-01-01
    lines:
      - name: Water use
        tiers:
          blocks:
            - {upto: 7, rate: 2.08}
            - rate: 3.64
inputs:
  meter_size: {type: text}
"""
    lines = read_yaml(text, "rates.yaml").lines
    assert lines["versions[0].lines[0].tiers.blocks[1].rate"] == 8
    assert lines["versions[0].lines[0].tiers.blocks[0].rate"] == 7
    assert lines["versions[0].effective"] == 2
    assert lines["inputs.meter_size"] == 10
    assert lines["inputs.meter_size.type"] == 10


@pytest.mark.parametrize("text, message", [
    ("base: &b 24.42\nsewer: *b", "rates.yaml:1: base: anchors (&name) are not allowed; write the value out"),
    ("blocks: [1, *x]", "rates.yaml:1: blocks[1]: aliases (*name) are not allowed; write the value out"),
    ("rate: !!float 2.08", "rates.yaml:1: rate: tags (!!float) are not allowed"),
    ("run: !!python/object/apply:os.system [ls]",
     "rates.yaml:1: run: tags (!!python/object/apply:os.system) are not allowed"),
    ("rate: 2.08\nrate: 2.61", "rates.yaml:2: rate: duplicate key 'rate' (first on line 1)"),
    ("? [a, b]\n: 1", "rates.yaml:1: a key must be plain text, not a list or mapping"),
    ("effective: 2026-02-30", "rates.yaml:1: effective: 2026-02-30 is not a date of the calendar"),
    ("id: a\n---\nid: b", "rates.yaml:2: one document per file: remove the second `---` document"),
    ("", "rates.yaml:1: the file is empty"),
    ("title: Water\nnote: a\x00b", "rates.yaml:2: the character #x0000 is not allowed in YAML"),
])
def test_refused_yaml_names_line_and_path(text, message):
    """Aliases, tags, duplicate keys, odd keys, impossible dates and several documents are refused."""
    assert refused(text) == message


def test_merge_keys_are_not_merged():
    """`<<` is an ordinary key (which the schema then rejects), never a merge."""
    assert read("<<: {a: 1}") == {"<<": {"a": Decimal("1")}}


def test_files_over_256_kib_are_refused_and_at_the_limit_read():
    """At most 256 KiB per file."""
    padding = "# " + "x" * 97 + "\n"
    at_limit = "a: 1\n" + padding * ((MAX_BYTES - 5) // 100)
    assert read(at_limit) == {"a": Decimal("1")}
    over = at_limit + padding
    assert refused(over) == f"rates.yaml:1: the file is {len(over)} bytes; a rule document is at most 262144 (256 KiB)"


def test_the_reader_never_calls_yaml_load():
    """The module builds values itself from a SafeLoader's nodes."""
    from pathlib import Path

    import engine.rules.yamlsafe as module

    assert "yaml.load(" not in Path(module.__file__).read_text()
