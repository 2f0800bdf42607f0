"""One rule document evaluated on one day over a population, a chunk of subjects at a time (a draft's impact).

Schedules are priced and criteria decided by the batch fast paths (`engine.rules.pricing`,
`engine.rules.criteria.evaluate_batch`); a subject's full result, with its explanation, is
evaluated on demand (the examples a report shows). A chunk that a batch refuses (one
subject with a bad fact, say) is evaluated subject by subject, so each subject gets its
own answer or its own error, exactly as when every subject was evaluated alone.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import TypeVar

from engine.rules import criteria, pricing
from engine.rules.criteria import Outcome
from engine.rules.errors import EvaluationError
from engine.rules.library import RuleLibrary
from engine.rules.results import RuleResult
from engine.rules.types import Facts

Answer = TypeVar("Answer")
Item = TypeVar("Item")


def one_by_one(judge: Callable[[Item], Answer]) -> Callable[[Sequence[Item]], list[Answer | EvaluationError]]:
    """A judge of one subject at a time as a judge of a list (each subject's error kept as its answer)."""
    def judged(items: Sequence[Item]) -> list[Answer | EvaluationError]:
        """Judge each item."""
        found: list[Answer | EvaluationError] = []
        for item in items:
            try:
                found.append(judge(item))
            except EvaluationError as error:
                found.append(error)
        return found
    return judged


class Evaluations:
    """Evaluations of one document of a library on one day."""

    def __init__(self, library: RuleLibrary, document_id: str, on: date) -> None:
        """Evaluate `document_id` of `library` on `on`."""
        self.library, self.document_id, self.on = library, document_id, on

    def one(self, facts: Facts) -> RuleResult:
        """One subject's full result, explained (an EvaluationError when it cannot be evaluated)."""
        return self.library.evaluate(self.document_id, facts, self.on)

    def totals(self, facts_list: Sequence[Facts]) -> list[Decimal | EvaluationError]:
        """Each subject's schedule total, or the error that refused it."""
        doc = self.library.get(self.document_id)
        return self._many(facts_list, lambda: pricing.evaluate_batch(doc, facts_list, self.on).totals,
                          lambda result: result.total)

    def outcomes(self, facts_list: Sequence[Facts]) -> list[Outcome | EvaluationError]:
        """Each subject's criteria outcome, or the error that refused it."""
        doc = self.library.get(self.document_id)
        return self._many(facts_list, lambda: criteria.evaluate_batch(doc, facts_list, self.on).outcomes,
                          lambda result: result.outcome)

    def _many(self, facts_list: Sequence[Facts], batch: Callable[[], list[Answer]],
              answer: Callable[[RuleResult], Answer]) -> list[Answer | EvaluationError]:
        """The batch's answers; when the batch refuses, each subject's own answer or error."""
        try:
            return list(batch())
        except (EvaluationError, ArithmeticError):
            return one_by_one(lambda facts: answer(self.one(facts)))(facts_list)
