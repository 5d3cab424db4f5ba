import pytest
from django.urls import reverse

from agents.models import FAQ, Turn
from agents.tasks import process_inbound_message
from tests.agents.factories import inbound, make_conversation

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["faq", "turn", "session"])
def test_changelists_render(admin_client, faqs, model):
    response = admin_client.get(reverse(f"admin:agents_{model}_changelist"))
    assert response.status_code == 200


def test_staff_edit_an_faq_and_the_bot_uses_it(admin_client, faqs):
    faq = FAQ.objects.get(key="pedido-minimo")
    data = {"key": faq.key, "title": faq.title, "variants": '["pedido minimo", "compra minima"]',
            "answer": "El pedido mínimo es de $80.000 + IVA.", "answer_en": "", "active": "on", "position": 50}
    response = admin_client.post(reverse("admin:agents_faq_change", args=[faq.pk]), data)
    assert response.status_code == 302
    conversation = make_conversation()
    # Not transactional: the reply stays queued (its send runs on commit); the Turn records what the bot said.
    process_inbound_message(inbound(conversation, "hay compra minima?").pk)
    assert Turn.objects.get().reply == "El pedido mínimo es de $80.000 + IVA."


def test_turns_are_read_only(admin_client):
    assert admin_client.get(reverse("admin:agents_turn_add")).status_code == 403
