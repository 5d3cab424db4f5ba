"""The order page's history reads as sentences: every event kind the services record has one, in Spanish."""

from __future__ import annotations

import re
from pathlib import Path

from django.utils import translation

from orders.history import EVENT_SENTENCES
from orders.models import PurchaseOrderEvent

REPO = Path(__file__).resolve().parents[2]
RECORDED = re.compile(r'purchase_order_event\([^)]*?kind="([a-z_]+)"', re.DOTALL)


def recorded_kinds() -> set[str]:
    kinds = set()
    for folder in ("orders", "agents", "conversations"):
        for path in (REPO / folder).rglob("*.py"):
            kinds.update(RECORDED.findall(path.read_text(encoding="utf-8")))
    return kinds


def test_every_event_kind_the_services_record_has_a_sentence():
    kinds = recorded_kinds()
    assert "odoo_marked_sent" in kinds  # the scan finds what it should
    assert sorted(kinds - set(EVENT_SENTENCES)) == []


def test_marked_sent_and_waiting_for_stock_read_in_spanish():
    with translation.override("es-cl"):
        sent = EVENT_SENTENCES["odoo_marked_sent"](PurchaseOrderEvent(kind="odoo_marked_sent", detail={}))
        wait = EVENT_SENTENCES["stock_wait_chosen"](
            PurchaseOrderEvent(kind="stock_wait_chosen", detail={"products": ["FS-ALM-KG"]}))
    assert sent[0] == "Marcada como enviada en Odoo"
    assert wait[0] == "El contacto esperará el stock: FS-ALM-KG"
