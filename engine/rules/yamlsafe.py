"""A safe YAML reader for rule documents: YAML 1.2 scalars, exact decimals, a line for every path.

Built on a `yaml.SafeLoader` subclass used only to compose the node tree; the values are then
built here, so nothing in the text can make Python objects of its own choosing. Refused with
a `DocumentError` naming the line: aliases and anchors, tags, duplicate keys, keys that are
not plain text, several documents in one file, files over 256 KiB. Bounded while the tree is
composed, before it is finished: at most 32 levels of nesting and 20,000 values (so no text
can exhaust the stack or the memory), and a number of at most 40 characters.

What a plain scalar becomes: `true`/`false` a bool (`yes`, `no`, `on`, `off` stay text, the
YAML 1.2 reading); `null`, `~` or nothing None; a decimal number written in digits a
`Decimal` exactly as written (`3.12` is Decimal("3.12"), `7` is Decimal("7")); an ISO date
`2026-01-01` a `datetime.date`; anything else text. Quoted scalars are always text. Mapping
keys are always the text as written (`1` is "1", `'3/4"'` is `3/4"`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import yaml
from yaml.events import AliasEvent, CollectionStartEvent, ScalarEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from engine.rules.errors import DocumentError
from engine.rules.types import YamlMapping, YamlValue

MAX_BYTES = 256 * 1024
MAX_DEPTH = 32  # levels of lists and mappings inside one another
MAX_NODES = 20_000  # values (scalars, lists, mappings, keys included) in one file
MAX_NUMBER_LENGTH = 40  # characters of a number as written

BOOL_TAG = "tag:yaml.org,2002:bool"
NULL_TAG = "tag:yaml.org,2002:null"
NUMBER_TAG = "tag:yaml.org,2002:float"  # every number, integer or not, becomes a Decimal
DATE_TAG = "tag:yaml.org,2002:timestamp"

NUMBER = re.compile(r"^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$")
ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


class _PathRefused(Exception):
    """A refused value at a known path and line."""

    def __init__(self, line: int, path: str, message: str) -> None:
        """Keep where and why, for the DocumentError it becomes."""
        super().__init__(message)
        self.line, self.path, self.message = line, path, message


class RuleYamlLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 plain scalars that refuses aliases, anchors and tags."""

    yaml_implicit_resolvers: dict = {}  # filled once below, at import: YAML 1.2 plain scalars only

    def __init__(self, stream: str) -> None:
        """A loader for one text, tracking the path of the node being composed and counting nodes."""
        super().__init__(stream)
        self.composing: list[str] = []
        self.nodes = 0

    def compose_node(self, parent: Node | None, index: Node | int | None) -> Node:
        """Compose one node, refusing aliases, anchors, explicit tags and too deep or too many nodes first."""
        path = _child_path(self.composing[-1] if self.composing else "", index)
        event = self.peek_event()
        line = event.start_mark.line + 1
        self._count(event, line, path)
        if isinstance(event, AliasEvent):
            raise _PathRefused(line, path, "aliases (*name) are not allowed; write the value out")
        if isinstance(event, (ScalarEvent, CollectionStartEvent)):
            if event.anchor is not None:
                raise _PathRefused(line, path, "anchors (&name) are not allowed; write the value out")
            if event.tag is not None:
                written = event.tag.replace("tag:yaml.org,2002:", "!!")
                raise _PathRefused(line, path, f"tags ({written}) are not allowed")
        self.composing.append(path)
        try:
            return super().compose_node(parent, index)
        finally:
            self.composing.pop()

    def _count(self, event: yaml.Event, line: int, path: str) -> None:
        """Refuse a node nested too deep, or one too many for a file."""
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _PathRefused(line, path, f"more than {MAX_NODES} values in one file; split it")
        if isinstance(event, CollectionStartEvent) and len(self.composing) >= MAX_DEPTH:
            raise _PathRefused(line, path, f"nested more than {MAX_DEPTH} levels deep")


def _child_path(parent: str, index: Node | int | None) -> str:
    """The path of a node being composed: under a key node, at a list index, or a key itself."""
    if isinstance(index, ScalarNode):
        return join_key(parent, index.value)
    if isinstance(index, int):
        return f"{parent}[{index}]"
    return parent


RuleYamlLoader.add_implicit_resolver(BOOL_TAG, re.compile(r"^(?:true|false)$"), list("tf"))
RuleYamlLoader.add_implicit_resolver(NULL_TAG, re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])
RuleYamlLoader.add_implicit_resolver(NUMBER_TAG, NUMBER, list("-+0123456789."))
RuleYamlLoader.add_implicit_resolver(DATE_TAG, ISO_DATE, list("0123456789"))


@dataclass
class ReadYaml:
    """A YAML text read safely: the plain data and the line of every path in it."""

    data: YamlValue
    lines: dict[str, int] = field(default_factory=dict)


def too_big(size: int) -> str:
    """The message for a document of `size` bytes, over the limit."""
    return f"the file is {size} bytes; a rule document is at most {MAX_BYTES} (256 KiB)"


def read_yaml(text: str, source: str) -> ReadYaml:
    """Read one YAML document safely, or raise a DocumentError naming the line."""
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError as error:  # a lone surrogate: text that came in as bytes decoded with surrogateescape
        line = text[: error.start].count("\n") + 1
        raise DocumentError(source, line, "", f"the character #x{ord(text[error.start]):04x} is not Unicode text "
                                              "(is the file UTF-8?)") from None
    if size > MAX_BYTES:
        raise DocumentError(source, 1, "", too_big(size))
    try:
        loader = RuleYamlLoader(text)
    except yaml.reader.ReaderError as error:
        line = text[: error.position].count("\n") + 1
        raise DocumentError(source, line, "", f"the character #x{error.character:04x} is not allowed in YAML") from None
    try:
        node = loader.get_single_node()
        lines: dict[str, int] = {}
        data = _build(node, "", lines) if node is not None else None
    except _PathRefused as refused:
        raise DocumentError(source, refused.line, refused.path, refused.message) from None
    except yaml.MarkedYAMLError as error:
        raise DocumentError(source, *_yaml_problem(error)) from None
    except yaml.YAMLError as error:  # any other reading error, which carries no mark
        raise DocumentError(source, 1, "", f"not readable as YAML: {error}") from None
    finally:
        loader.dispose()
    if data is None:
        raise DocumentError(source, 1, "", "the file is empty")
    return ReadYaml(data, lines)


def _yaml_problem(error: yaml.MarkedYAMLError) -> tuple[int, str, str]:
    """Line, path ("") and message of a YAML syntax error."""
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark else 1
    if error.context == "expected a single document in the stream":
        return line, "", "one document per file: remove the second `---` document"
    problem = error.problem or "not valid YAML"
    context = f" ({error.context})" if error.context else ""
    return line, "", f"not valid YAML: {problem}{context}"


def join_key(path: str, key: str) -> str:
    """The path of a mapping key under `path`: `versions[0]` + `lines` -> `versions[0].lines`."""
    return f"{path}.{key}" if path else key


def _build(node: Node, path: str, lines: dict[str, int]) -> YamlValue:
    """Turn a composed node into plain data, recording the line of every path."""
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, ScalarNode):
        return _scalar(node, path)
    if isinstance(node, SequenceNode):
        return [_build(item, f"{path}[{i}]", lines) for i, item in enumerate(node.value)]
    if isinstance(node, MappingNode):
        return _mapping(node, path, lines)
    raise _PathRefused(node.start_mark.line + 1, path, "not a value a rule document can hold")


def _mapping(node: MappingNode, path: str, lines: dict[str, int]) -> YamlMapping:
    """A mapping with its keys as written, refusing duplicates and keys that are not text."""
    result: YamlMapping = {}
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        if not isinstance(key_node, ScalarNode):
            raise _PathRefused(line, path, "a key must be plain text, not a list or mapping")
        key = key_node.value
        key_path = join_key(path, key)
        if key in result:
            raise _PathRefused(line, key_path, f"duplicate key {key!r} (first on line {lines[key_path]})")
        lines[key_path] = line
        result[key] = _build(value_node, key_path, lines)
    return result


def _scalar(node: ScalarNode, path: str) -> YamlValue:
    """The value of a scalar by the tag its text resolved to."""
    if node.tag == BOOL_TAG:
        return node.value == "true"
    if node.tag == NULL_TAG:
        return None
    if node.tag == NUMBER_TAG:
        if len(node.value) > MAX_NUMBER_LENGTH:
            raise _PathRefused(node.start_mark.line + 1, path,
                               f"a number of at most {MAX_NUMBER_LENGTH} characters (this one has {len(node.value)})")
        return Decimal(node.value)
    if node.tag == DATE_TAG:
        try:
            return date.fromisoformat(node.value)
        except ValueError:
            raise _PathRefused(node.start_mark.line + 1, path, f"{node.value} is not a date of the calendar") from None
    return node.value
