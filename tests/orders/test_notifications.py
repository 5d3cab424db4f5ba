"""Staff hear about orders awaiting approval on Slack (when configured); the contact hears decisions in Spanish."""

import json

import pytest

from orders import services
from orders.services import Outcome
from tests.orders.factories import contact_with_conversation, lines, synced_catalog

pytestmark = pytest.mark.django_db


def test_an_order_over_the_threshold_is_announced_to_staff_on_slack(odoo_standin, fake_slack, settings,
                                                                  django_capture_on_commit_callbacks):
    settings.ORDER_APPROVAL_THRESHOLD = 100_000
    synced_catalog()
    contact, conversation = contact_with_conversation(name="Café Lastarria")
    created = services.purchase_order_create(contact_id=contact.pk, conversation_id=conversation.pk,
                                             lines=lines(("FS-ALM-KG", 20)))
    with django_capture_on_commit_callbacks(execute=True):
        waiting = services.purchase_order_confirm(order_id=created.order_id)
    assert waiting.outcome == Outcome.AWAITING_APPROVAL
    [message] = fake_slack.messages
    text = json.dumps(message, ensure_ascii=False)
    assert "P00001" in text and "Café Lastarria" in text and "$259.420" in text
    assert f"/admin/orders/purchaseorder/{created.order_id}/change/" in text
