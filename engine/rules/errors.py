"""What goes wrong with rule documents: reading them, and evaluating them."""
from __future__ import annotations


class RuleError(Exception):
    """Base of every rule-document error."""


class DocumentError(RuleError):
    """A document that cannot be read or is not valid: names the file, the line and the path."""

    def __init__(self, source: str, line: int, path: str, message: str) -> None:
        self.source, self.line, self.path, self.message = source, line, path, message
        where = f"{source}:{line}"
        super().__init__(f"{where}: {path}: {message}" if path else f"{where}: {message}")


class DocumentErrors(RuleError):
    """Several DocumentErrors found in one pass (validation reports them all)."""

    def __init__(self, errors: list[DocumentError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


class EvaluationError(RuleError):
    """An evaluation that cannot be done: no version in force, a bad fact, two unique matches."""


class NoVersionInForce(EvaluationError):
    """Nothing of a document is in force on a date (before its first version, or retired)."""

    def __init__(self, document_id: str, on: object) -> None:
        self.document_id, self.on = document_id, on
        super().__init__(f"no version of {document_id} in force on {on}")


class FactError(EvaluationError):
    """A fact that is missing, of the wrong type, or out of range; names the input."""
