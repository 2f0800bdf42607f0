"""Changing a rule document's text in place: what the form editors save, the rest of the text kept byte for byte.

A form editor (the schedule's table, the calendar's months) never writes the document out
again: each change it makes is one edit of the text where the value stands, found from the
document's own YAML nodes (their character positions), so a document opened in a form and
saved without a change is the same text, and a change shows in the diff as exactly that
change. The edits:

    set_value(text, path, value)             one figure, date or text replaced where it is written
    new_version(text, on)                    the version in force on `on` copied, dated `on`, in date order
    add_entry / remove_entry(text, path, k)  a mapping's key (a holiday) added in order, or removed
    add_item / remove_item(text, path, ...)  a list's item (a no-shut-off period) added or removed

Each edit reads the text again and checks that the value now reads as meant (`EditError`
otherwise, nothing changed); the document is then checked as any draft is
(`engine.rulebook.drafting.check_draft`). `cells(text)` lists the figures a form shows, and
`apply_cells(text, typed)` applies what was typed into them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from engine.money.amounts import round_money
from engine.rules.errors import DocumentError
from engine.rules.places import place_words
from engine.rules.types import YamlValue
from engine.rules.yamlsafe import MAX_NUMBER_LENGTH, RuleYamlLoader, join_key, read_yaml

SOURCE = "the form"
# Version keys a form shows as fields besides its figures (numbers): the citation and the adoption date.
VERSION_FIELDS = ("reference", "adopted")


class EditError(ValueError):
    """An edit the form cannot make; the message says what and where in the supervisor's words."""


# --- the nodes of a text ------------------------------------------------------------------


def nodes_of(text: str) -> dict[str, Node]:
    """Every value of the text by its path (`versions[1].lines[0].amount`), as composed with its positions."""
    loader = RuleYamlLoader(text)
    try:
        root = loader.get_single_node()
    finally:
        loader.dispose()
    found: dict[str, Node] = {}

    def walk(node: Node, path: str) -> None:
        found[path] = node
        if isinstance(node, SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, f"{path}[{i}]")
        elif isinstance(node, MappingNode):
            for key, value in node.value:
                walk(value, join_key(path, key.value))
                found[join_key(path, key.value) + "#key"] = key

    if root is not None:
        walk(root, "")
    return found


def data_at(data: YamlValue, path: str) -> YamlValue:
    """The value at a path of read data (KeyError/IndexError when there is none)."""
    from engine.rules.places import _parts  # the one reading of a path's parts
    here = data
    for part in _parts(path):
        here = here[part]
    return here


def _read(text: str) -> YamlValue:
    """The data of a text, or an EditError saying it does not read."""
    try:
        return read_yaml(text, SOURCE).data
    except DocumentError as error:
        raise EditError(f"the text does not read as YAML on line {error.line}: {error.message}") from None


# --- writing a value ------------------------------------------------------------------------

PLAIN_TEXT = re.compile(r"^[A-Za-z(][^:#{}\[\],&*!|>'\"%@`]*$")


def written(value: YamlValue) -> str:
    """A value as one line of YAML that reads back as that value (a number as typed, text quoted when it must be)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(written(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)}: {written(v)}" for k, v in value.items()) + "}"
    text = str(value)
    if PLAIN_TEXT.match(text) and text == text.strip() and _reads_as(text, text):
        return text
    return "'" + text.replace("'", "''") + "'"


def _key(key: str) -> str:
    """A mapping key as written: plain when it reads back as itself."""
    return key if re.match(r"^[A-Za-z0-9_-]+$", key) else "'" + key.replace("'", "''") + "'"


def _reads_as(scalar: str, value: YamlValue) -> bool:
    """Whether `[scalar]` reads as `[value]` (plain text that YAML would take for a number, a date, true...)."""
    try:
        return read_yaml(f"[{scalar}]", SOURCE).data == [value]
    except DocumentError:
        return False


def _replace(text: str, start: int, end: int, new: str) -> str:
    return text[:start] + new + text[end:]


def set_value(text: str, path: str, value: YamlValue) -> str:
    """The text with the scalar at `path` replaced by `value`, written in place (quoted as it was, when it was)."""
    node = nodes_of(text).get(path)
    if not isinstance(node, ScalarNode):
        raise EditError(f"{place_words(path, _read(text))} is not a single value the form can change")
    new = written(value)
    if node.style in ("'", '"') and isinstance(value, str) and not new.startswith("'"):
        new = "'" + value.replace("'", "''") + "'"
    if node.style in ("|", ">"):
        raise EditError(f"{place_words(path, _read(text))} is written over several lines; change it as YAML")
    changed = _replace(text, node.start_mark.index, node.end_mark.index, new)
    _check(changed, path, value)
    return changed


def _check(text: str, path: str, value: YamlValue) -> None:
    """Refuse an edit whose text does not read back with `value` at `path`."""
    try:
        found = data_at(_read(text), path)
    except (KeyError, IndexError, TypeError):
        found = None
    if found != value or type(found) is not type(value):
        raise EditError(f"{place_words(path)} would not read back as {written(value)}; change it as YAML")


# --- lines of the text ----------------------------------------------------------------------


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _line_end(text: str, index: int) -> int:
    """The index just after the newline ending the line that holds `index` (the text's end if none)."""
    end = text.find("\n", index)
    return len(text) if end < 0 else end + 1


def _last_index(node: Node) -> int:
    """Where the last character written for a node ends (a block collection's end mark may run into what follows)."""
    if isinstance(node, ScalarNode) or node.flow_style:
        return node.end_mark.index
    children = [v for pair in node.value for v in pair] if isinstance(node, MappingNode) else list(node.value)
    return max((_last_index(child) for child in children), default=node.start_mark.index)


def _block_item_span(text: str, node: Node) -> tuple[int, int]:
    """The lines a block item or entry takes: from its line's start to the end of its last line."""
    return _line_start(text, node.start_mark.index), _line_end(text, _last_index(node) - 1)


# --- versions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewVersion:
    """A version added from a date: the new text, the new version's place, and which version it copies."""

    text: str
    index: int
    copied: date  # the effective date of the version it copies


def new_version(text: str, on: date) -> NewVersion:
    """The version in force on `on` copied as a new version effective `on`, inserted in date order."""
    data = _read(text)
    versions = data.get("versions") if isinstance(data, dict) else None
    if not isinstance(versions, list) or not versions:
        raise EditError("the document has no versions to copy")
    dates = [v.get("effective") for v in versions]
    if on in dates:
        raise EditError(f"a version already takes effect on {on}; change that version instead")
    earlier = [i for i, day in enumerate(dates) if isinstance(day, date) and day < on]
    if not earlier:
        raise EditError(f"no version is in force on {on}: the first takes effect on {dates[0]}")
    source = max(earlier, key=lambda i: dates[i])
    nodes = nodes_of(text)
    sequence = nodes["versions"]
    if sequence.flow_style:
        raise EditError("the versions are written on one line; add a version as YAML")
    start, end = _block_item_span(text, sequence.value[source])
    copy = text[start:end]
    if not copy.endswith("\n"):
        copy += "\n"
    later = [i for i, day in enumerate(dates) if isinstance(day, date) and day > on]
    index = min(later) if later else len(versions)
    where = _block_item_span(text, sequence.value[index])[0] if later else end
    if not later and not text[:where].endswith("\n"):
        copy = "\n" + copy
    inserted = text[:where] + copy + text[where:]
    return NewVersion(set_value(inserted, f"versions[{index}].effective", on), index, dates[source])


# --- mappings and lists ---------------------------------------------------------------------


def add_entry(text: str, path: str, key: str, value: YamlValue) -> str:
    """A mapping (at `path`) with one more entry, in key order among its keys; an EditError if the key is there."""
    nodes = nodes_of(text)
    node = nodes.get(path)
    if not isinstance(node, MappingNode):
        raise EditError(f"{place_words(path, _read(text))} is not a list of named entries")
    keys = [k.value for k, _ in node.value]
    if key in keys:
        raise EditError(f"{place_words(path, _read(text))} already has {key}")
    if node.flow_style or not node.value:
        entries = {k.value: data_at(_read(text), join_key(path, k.value)) for k, _ in node.value}
        entries[key] = value
        new = written(dict(sorted(entries.items())))
        changed = _replace(text, node.start_mark.index, node.end_mark.index, new)
    else:
        column = node.value[0][0].start_mark.column
        later = [pair for pair in node.value if pair[0].value > key]
        line = " " * column + f"{_key(key)}: {written(value)}\n"
        if later:
            at = _line_start(text, later[0][0].start_mark.index)
        else:
            at = _line_end(text, _last_index(node.value[-1][1]) - 1)
            if not text[:at].endswith("\n"):
                line = "\n" + line
        changed = text[:at] + line + text[at:]
    _check(changed, join_key(path, key), value)
    return changed


def remove_entry(text: str, path: str, key: str) -> str:
    """A mapping (at `path`) without the entry `key`."""
    nodes = nodes_of(text)
    node = nodes.get(path)
    pair = next((p for p in node.value if p[0].value == key), None) if isinstance(node, MappingNode) else None
    if pair is None:
        raise EditError(f"{place_words(path, _read(text))} has no {key}")
    if node.flow_style:
        entries = {k.value: data_at(_read(text), join_key(path, k.value)) for k, _ in node.value if k.value != key}
        return _replace(text, node.start_mark.index, node.end_mark.index, written(entries))
    start = _line_start(text, pair[0].start_mark.index)
    end = _line_end(text, _last_index(pair[1]) - 1)
    if len(node.value) == 1:  # the last entry: the mapping becomes {} where it stood
        key_node = nodes[path + "#key"]
        return text[:key_node.end_mark.index] + ": {}\n" + text[end:]
    return text[:start] + text[end:]


def add_item(text: str, path: str, value: YamlValue, *, order: str | None = None) -> str:
    """A list (at `path`) with one more item: after the items whose `order` key is not later, else at its end."""
    nodes = nodes_of(text)
    node = nodes.get(path)
    if not isinstance(node, SequenceNode):
        raise EditError(f"{place_words(path, _read(text))} is not a list")
    data = _read(text)
    items = data_at(data, path)
    position = len(items)
    if order is not None:
        position = next((i for i, item in enumerate(items)
                         if isinstance(item, dict) and str(item.get(order)) > str(value[order])), len(items))
    if node.flow_style or not node.value:
        new = written(items[:position] + [value] + items[position:])
        changed = _replace(text, node.start_mark.index, node.end_mark.index, new)
    else:
        first = node.value[0]
        dash = _line_start(text, first.start_mark.index)
        indent = text[dash:first.start_mark.index]  # "      - " as the list writes its items
        if position < len(items):
            at = _line_start(text, node.value[position].start_mark.index)
        else:
            at = _line_end(text, _last_index(node.value[-1]) - 1)
        line = indent + written(value) + "\n"
        if not text[:at].endswith("\n"):
            line = "\n" + line
        changed = text[:at] + line + text[at:]
    _check(changed, f"{path}[{position}]", value)
    return changed


def remove_item(text: str, path: str, index: int) -> str:
    """A list (at `path`) without its item `index`."""
    node = nodes_of(text).get(path)
    if not isinstance(node, SequenceNode) or not 0 <= index < len(node.value):
        raise EditError(f"{place_words(path, _read(text))} has no item {index + 1}")
    if node.flow_style or len(node.value) == 1:
        items = data_at(_read(text), path)
        rest = items[:index] + items[index + 1:]
        if node.flow_style:
            return _replace(text, node.start_mark.index, node.end_mark.index, written(rest))
        start, end = _block_item_span(text, node.value[0])
        key_end = text.rfind(":", 0, start) + 1
        return text[:key_end] + " []\n" + text[end:]
    start, end = _block_item_span(text, node.value[index])
    return text[:start] + text[end:]


# --- the cells of a form --------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """A figure, date or citation a form shows: its path, the text as written, and where it is in words."""

    path: str
    written: str
    words: str
    type: str  # number | date | text | boolean


# In a criteria version, a rule's name, what its condition compares with and its outcome are cells too (the
# decision table's cells); the fact a comparison reads stays as written (its column), changed as YAML.
RULE_PATH = re.compile(r"^versions\[\d+\]\.rules\[\d+\]\.(name|when\b.*|then\..*)$")
BOOLEAN_WORDS = {"true": True, "yes": True, "false": False, "no": False}


def _cell_type(value: YamlValue, path: str = "", criteria: bool = False) -> str | None:
    """What a form cell at `path` holds: a number; in a criteria rule also yes/no, a date or a text."""
    in_rule = criteria and RULE_PATH.match(path) is not None and not path.endswith(".fact")
    if isinstance(value, bool):
        return "boolean" if in_rule else None
    if isinstance(value, Decimal):
        return "number"
    if in_rule and isinstance(value, date):
        return "date"
    if in_rule and isinstance(value, str):
        return "text"
    return None


def cells(text: str, versions: list[int] | None = None) -> dict[str, Cell]:
    """The cells of a form over the versions listed (all when None): every figure, and each version's citation."""
    data = _read(text)
    nodes = nodes_of(text)
    criteria = data.get("kind") == "criteria"
    found: dict[str, Cell] = {}
    for i, _ in enumerate(data.get("versions", [])):
        if versions is not None and i not in versions:
            continue
        prefix = f"versions[{i}]"
        for path, node in nodes.items():
            if not isinstance(node, ScalarNode) or path.endswith("#key") or not path.startswith(prefix + "."):
                continue
            value = data_at(data, path)
            kind = _cell_type(value, path, criteria)
            if path in (f"{prefix}.reference", f"{prefix}.adopted"):
                kind = "date" if isinstance(value, date) else "text"
            if kind is not None and node.style not in ("|", ">"):
                found[path] = Cell(path, node.value, place_words(path, data), kind)
    return found


def _typed(cell: Cell, typed: str) -> YamlValue:
    """What was typed into a cell as the value it stands for; an EditError naming the cell when it is not one."""
    typed = typed.strip()
    if cell.type == "number":
        digits = typed.replace(",", "").replace("$", "", 1)
        if not NUMBER_TYPED.fullmatch(digits):  # by its digits: 1e400 or NaN never reaches Decimal arithmetic
            raise EditError(f"{cell.words}: “{typed[:40]}” is not a number (digits, e.g. 2.57)")
        if len(digits) > MAX_NUMBER_LENGTH:
            raise EditError(f"{cell.words}: “{typed[:20]}…” has {len(digits)} characters; a figure has at most "
                            f"{MAX_NUMBER_LENGTH}")
        return Decimal(digits)
    if cell.type == "boolean":
        if typed.lower() not in BOOLEAN_WORDS:
            raise EditError(f"{cell.words}: “{typed}” is neither yes nor no")
        return BOOLEAN_WORDS[typed.lower()]
    if cell.type == "date":
        try:
            return date.fromisoformat(typed)
        except ValueError:
            raise EditError(f"{cell.words}: “{typed}” is not a date (year-month-day)") from None
    if not typed:
        raise EditError(f"{cell.words}: write it, or change it as YAML")
    return typed


def apply_cells(text: str, typed: dict[str, str], versions: list[int] | None = None, *,
                known: dict[str, Cell] | None = None) -> tuple[str, list[str]]:
    """The text with what was typed into the cells (a cell left as written changes nothing), and the problems.

    `known`: the cells of another form over the same text (a workflow's, engine.workflow.form); a rule
    document's cells otherwise."""
    known = cells(text, versions) if known is None else known
    problems = []
    for path, entry in typed.items():
        cell = known.get(path)
        if cell is None:
            problems.append(f"{place_words(path)} is not a figure this form changes")
            continue
        if entry.strip() == cell.written:
            continue
        try:
            value = _typed(cell, entry)
            now = data_at(_read(text), path)
            if value == now and type(value) is type(now):
                continue  # 2.7 typed where 2.70 is written: the same figure, the text as it was
            text = set_value(text, path, value)
        except EditError as error:
            problems.append(str(error))
    return text, problems


NUMBER_TYPED = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)", re.ASCII)  # a figure as typed: -12, 2.57, .5
PERCENT_TYPED = re.compile(r"[+-]?\d{1,4}(?:\.\d{1,4})?", re.ASCII)
PERCENT_RANGE = (Decimal(-100), Decimal(1000))  # a figure may drop to nothing, or grow elevenfold at most


def read_percent(typed: str, where: str) -> Decimal:
    """A change by a percentage as a person types it ("5", "-2.5", "+10%"), from -100% to +1000%.

    Read by its digits before any arithmetic, so "1e999999999", "NaN" or 5,000 digits are
    refused in words (EditError naming `where`), never an Overflow.
    """
    text = typed.strip().removesuffix("%").strip()
    if not PERCENT_TYPED.fullmatch(text):
        raise EditError(f"\u201c{typed.strip()[:40]}\u201d is not a percentage for {where} (digits with at most 4 "
                        "decimals, e.g. 5 or -2.5)")
    percent = Decimal(text)
    least, most = PERCENT_RANGE
    if not least <= percent <= most:
        raise EditError(f"a change of {text}% for {where} is outside {least}% to +{most}%")
    return percent


def changed_by_percent(figure: Decimal, percent: Decimal) -> Decimal:
    """A figure raised (or lowered) by a percentage, to the cent (the one rounding function).

    A figure too large to work with (one the draft check would refuse anyway) is an EditError, not an Overflow.
    """
    try:
        if not Decimal(figure).is_finite():
            raise ArithmeticError
        return round_money(Decimal(figure) * (Decimal(100) + percent) / Decimal(100))
    except (ArithmeticError, TypeError, ValueError):
        raise EditError(f"{str(figure)[:40]} cannot be changed by {percent}%: it is not a figure in range") from None
