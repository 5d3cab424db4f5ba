"""Staff hear about orders awaiting approval on Slack (when configured)."""

import json

import pytest
from django.db import transaction

from orders import services
from orders.models import PurchaseOrder
from orders.services import OrderChange
from tests.orders.factories import contact_with_conversation, lines, synced_catalog

pytestmark = pytest.mark.django_db


def test_an_order_over_the_threshold_is_announced_to_staff_on_slack(odoo_standin, fake_slack, settings,
                                                                  django_capture_on_commit_callbacks):
    settings.ORDER_APPROVAL_THRESHOLD = 100_000
    synced_catalog()
    contact, conversation = contact_with_conversation(name="Café Lastarria")
    with transaction.atomic():
        created = services.order_change_apply(change=OrderChange("set_lines", lines=tuple(lines(("FS-ALM-KG", 20)))),
                                              contact_id=contact.pk, conversation_id=conversation.pk)
    services.odoo_commands_run(order_id=created.order_id)
    services.purchase_order_transition(order_id=created.order_id, to_state="sent", actor="agent")
    with django_capture_on_commit_callbacks(execute=True):
        waiting = services.order_change_apply(change=OrderChange("confirm", order_id=created.order_id,
                                                                 base_version=1),
                                              contact_id=contact.pk, conversation_id=conversation.pk)
    assert waiting.outcome == "awaiting_approval" and PurchaseOrder.objects.get().state == "to_approve"
    [message] = fake_slack.messages
    text = json.dumps(message, ensure_ascii=False)
    assert "P00001" in text and "Café Lastarria" in text and "$259.420" in text
    assert f"/admin/orders/purchaseorder/{created.order_id}/change/" in text
