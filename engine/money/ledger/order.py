"""The city's payment order as published: which `payment-order` rule document the ledger ages by.

The newest published revision of the city's payment-order document (engine.rules.kinds.payment_order;
a city has at most one) is read from the rule store and turned into data for aging
(engine.rules.services.PaymentOrders). A published text never changes, so its reading is kept
by its SHA-256: a posting costs one small query (none inside a sweep chunk, which keeps
the answer: engine.store.kept_reads). No published document: oldest due first.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.rules.loader import load_document
from engine.rules.services import OLDEST_FIRST_ALWAYS, PAYMENT_ORDER_KIND, PaymentOrders, payment_orders_of
from engine.store.kept_reads import kept_read
from engine.store.models import RuleVersion

_READ: dict[str, PaymentOrders] = {}  # by the published text's SHA-256
_NEWEST = (select(RuleVersion.id, RuleVersion.sha256).where(RuleVersion.kind == PAYMENT_ORDER_KIND,
                                                            RuleVersion.status == "published")
           .order_by(RuleVersion.revision.desc()).limit(1))


def payment_orders(session: Session) -> PaymentOrders:
    """The payment order of each version of the city's published payment-order document (read once a sweep chunk)."""
    return kept_read(session, "payment_orders", lambda: _published(session))


def _published(session: Session) -> PaymentOrders:
    """The payment orders of the newest published payment-order document, read from the rule store."""
    newest = session.execute(_NEWEST).first()
    if newest is None:
        return OLDEST_FIRST_ALWAYS
    found = _READ.get(newest.sha256)
    if found is None:
        text = session.scalar(select(RuleVersion.yaml_text).where(RuleVersion.id == newest.id))
        found = payment_orders_of(load_document(text, "payment order (published)"))
        if len(_READ) > 32:
            _READ.clear()
        _READ[newest.sha256] = found
    return found
