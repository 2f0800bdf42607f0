"""Read a rule document: safe YAML, then the schema, then the checks a schema cannot express.

`load_document(text, source)` gives a `RuleDocument` or raises `DocumentErrors` listing every
error found, each with the file, the line and the path. The kind (`engine.rules.kinds`)
gives the schema of the versions and their own checks; the checks every kind shares are
`engine.rules.checks` (inputs, versions, conditions). References to other documents are
checked by `engine.rules.library`.
"""
from __future__ import annotations

from engine.rules.checks import DocumentChecks
from engine.rules.document import InputSpec, RuleDocument, Version
from engine.rules.errors import DocumentError, DocumentErrors
from engine.rules.kinds import KINDS, RuleKind, kind_named
from engine.rules.messages import describe, line_at
from engine.rules.schema import schema_errors
from engine.rules.schema_blocks import COMMON_VERSION_KEYS
from engine.rules.tagged import tag_errors
from engine.rules.types import YamlMapping
from engine.rules.yamlsafe import read_yaml


def load_document(text: str, source: str) -> RuleDocument:
    """A validated RuleDocument from YAML text, or DocumentErrors naming every problem."""
    try:
        read = read_yaml(text, source)
    except DocumentError as error:
        raise DocumentErrors([error]) from None
    data, lines = read.data, read.lines
    if not isinstance(data, dict):
        message = "a rule document is a mapping with id, kind, title and versions"
        raise DocumentErrors([DocumentError(source, 1, "", message)])
    kind = data.get("kind")
    if kind not in KINDS:
        message = 'missing required key "kind"' if "kind" not in data else \
            f"expected one of {', '.join(KINDS)}; found {describe(kind)}"
        raise DocumentErrors([DocumentError(source, line_at(lines, "kind"), "kind", message)])
    errors = schema_errors(data, kind, source, lines)
    if not errors:
        errors = semantic_errors(kind_named(kind), data, source, lines)
    if errors:
        raise DocumentErrors(errors)
    return _build(data, source, text, lines, tuple(kind_named(kind).header_keys()))


def semantic_errors(kind: RuleKind, data: YamlMapping, source: str, lines: dict[str, int]) -> list[DocumentError]:
    """The errors of a schema-valid document that its schema cannot express, in line order."""
    checks = DocumentChecks(data, source, lines)
    checks.check_common()
    for position, message in tag_errors(data.get("tags", []), kind.name):
        checks.error(f"tags[{position}]", message)
    kind.check_document(checks)
    for i, version in enumerate(data["versions"]):
        if not version.get("retired", False):
            kind.check_version(checks, version, f"versions[{i}]")
    return checks.in_line_order()


def _build(data: YamlMapping, source: str, text: str, lines: dict[str, int], header: tuple[str, ...]) -> RuleDocument:
    """The RuleDocument of validated data."""
    versions = tuple(
        Version(effective=v["effective"], body={k: x for k, x in v.items() if k not in COMMON_VERSION_KEYS},
                reference=v.get("reference"), adopted=v.get("adopted"), retired=v.get("retired", False),
                line=lines.get(f"versions[{i}]", 1), index=i)
        for i, v in enumerate(data["versions"]))
    inputs = {name: InputSpec(name=name, type=spec["type"],
                              values=tuple(spec["values"]) if "values" in spec else None,
                              min=spec.get("min"), max=spec.get("max"), default=spec.get("default"),
                              has_default="default" in spec, required=spec.get("required", True))
              for name, spec in data.get("inputs", {}).items()}
    return RuleDocument(id=data["id"], kind=data["kind"], title=data["title"], versions=versions,
                        inputs=inputs, department=data.get("department"), description=data.get("description"),
                        source=source, text=text, lines=dict(lines), header={k: data[k] for k in header if k in data},
                        tags=tuple(data.get("tags", ())))
