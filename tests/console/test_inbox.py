"""The conversation console in Spanish (the default, as Chilean staff see it), over HTTP: the list (the inbox) and
the conversation page (thread, ticks, system lines, side panel), its poll, and its buttons sent by the page's
script (JSON back instead of a redirect)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from agents.models import Session
from conversations.handoff import conversation_hand_over
from conversations.models import (
    Channel, Contact, Conversation, Direction, HandoffCase, Message, MessageOrigin, MessageStatus, SenderKind,
)
from orders.models import OrderState, PurchaseOrder
from tests.conversations.handoff_helpers import (
    CHANGELIST, handed_over, message, page_url, staff_reply_in_chatwoot,
)
from tests.conversations.outbound_helpers import conversation_in_both
from tests.fakes.chatwoot import chatwoot_standin  # noqa: F401

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


def listed(response) -> list[int]:
    return [c.pk for c in response.context["cl"].result_list]


def row_of(page: str, name: str) -> str:
    start = page.index(name)
    return page[page.rindex("<tr", 0, start):page.index("</tr>", start)]


@pytest.fixture
def three(chatwoot_standin):
    """A bot conversation with fresh activity, a complaint 30 min old, a request for a person 90 min old."""
    bot = conversation_in_both(chatwoot_standin)
    message(bot, "hola, ¿tienen harina?", minutes_ago=1)
    Contact.objects.filter(pk=bot.contact_id).update(name="Carla Rojas")
    complaint = handed_over(chatwoot_standin, reason="complaint", minutes_ago=30, channel=Channel.EMAIL)
    message(complaint, "el pedido llegó roto", minutes_ago=31)
    Contact.objects.filter(pk=complaint.contact_id).update(name="Restaurante Las Dalias")
    person = handed_over(chatwoot_standin, reason="human_request", minutes_ago=90)
    message(person, "quiero hablar con alguien", minutes_ago=91)
    # Our own private note and the bot's reply are newer than what the contact said: neither is "their words".
    message(person, "Claro, te comunico con una persona.", direction=Direction.OUTBOUND, origin=MessageOrigin.BOT,
            sender_kind=SenderKind.AGENT_BOT, minutes_ago=90)
    message(person, "🤖 Derivado por el bot", direction=Direction.OUTBOUND, origin=MessageOrigin.SYSTEM,
            private=True, minutes_ago=90)
    Contact.objects.filter(pk=person.contact_id).update(name="Rosa Díaz", email="rosa@example.cl")
    return bot, complaint, person


# --- the list -----------------------------------------------------------------------------------------------------

def test_list_opens_on_conversations_waiting_for_a_person_oldest_handoff_first(admin_client, three):
    bot, complaint, person = three
    response = admin_client.get(CHANGELIST)
    assert listed(response) == [person.pk, complaint.pk, bot.pk]
    page = response.content.decode()
    rosa = row_of(page, "Rosa Díaz")
    assert "quiero hablar con alguien" in rosa  # the contact's last words, not our note nor the bot's reply
    assert "Derivado por el bot" not in rosa and "te comunico" not in rosa
    assert "1 h 30 min" in rosa and "nadie aún" in rosa
    dalias = row_of(page, "Restaurante Las Dalias")
    assert "el pedido llegó roto" in dalias and "30 min" in dalias and "Correo" in dalias
    assert "el bot" in row_of(page, "Carla Rojas") and "hola, ¿tienen harina?" in page


def test_list_says_why_each_conversation_waits_in_spanish(admin_client, three):
    page = admin_client.get(CHANGELIST).content.decode()
    assert "Pidió hablar con una persona" in row_of(page, "Rosa Díaz")
    assert "Reclamo" in row_of(page, "Restaurante Las Dalias")
    assert "Seleccione conversación a modificar" in page and "Lo último que dijo" in page


def test_inbox_views_waiting_mine_and_bot(admin_client, admin_user, three, chatwoot_standin):
    bot, complaint, person = three
    Conversation.objects.filter(pk=complaint.pk).update(taken_by=admin_user)
    assert listed(admin_client.get(CHANGELIST, {"inbox": "waiting"})) == [person.pk]
    assert listed(admin_client.get(CHANGELIST, {"inbox": "mine"})) == [complaint.pk]
    assert listed(admin_client.get(CHANGELIST, {"inbox": "bot"})) == [bot.pk]
    assert len(listed(admin_client.get(CHANGELIST))) == 3


def test_list_filters_by_mode_channel_and_reason(admin_client, three):
    bot, complaint, person = three
    assert listed(admin_client.get(CHANGELIST, {"mode__exact": "human"})) == [person.pk, complaint.pk]
    assert listed(admin_client.get(CHANGELIST, {"mode__exact": "bot"})) == [bot.pk]
    assert listed(admin_client.get(CHANGELIST, {"channel__exact": "email"})) == [complaint.pk]
    assert listed(admin_client.get(CHANGELIST, {"reason": "complaint"})) == [complaint.pk]
    assert listed(admin_client.get(CHANGELIST, {"reason": "human_request"})) == [person.pk]


def test_list_searches_by_contact_name_phone_and_email(admin_client, three):
    bot, complaint, person = three
    assert listed(admin_client.get(CHANGELIST, {"q": "Rosa Díaz"})) == [person.pk]
    assert listed(admin_client.get(CHANGELIST, {"q": "rosa@example.cl"})) == [person.pk]
    assert listed(admin_client.get(CHANGELIST, {"q": complaint.contact.phone_e164})) == [complaint.pk]


def test_a_conversation_waiting_too_long_is_flagged_in_the_list(admin_client, chatwoot_standin):
    overdue = handed_over(chatwoot_standin, minutes_ago=40)
    Conversation.objects.filter(pk=overdue.pk).update(handoff_alerted_at=timezone.now())
    fresh = handed_over(chatwoot_standin, minutes_ago=2)
    response = admin_client.get(CHANGELIST)
    assert response.content.decode().count("⚠") == 1
    assert listed(admin_client.get(CHANGELIST, {"overdue": "yes"})) == [overdue.pk]
    assert fresh.pk in listed(response)


# --- the conversation page ----------------------------------------------------------------------------------------

def bubble(page: str, message_id: int) -> str:
    start = page.index(f'id="message-{message_id}"')
    return page[page.rindex("<article", 0, start):page.index("</article>", start)]


def test_thread_oldest_first_with_authors_ticks_and_a_retry_link_only_on_the_failure(
        admin_client, admin_user, chatwoot_standin):
    conversation = handed_over(chatwoot_standin, reason="complaint", minutes_ago=5)
    said = message(conversation, "mi pedido llegó incompleto", minutes_ago=10, sender_name="Cliente",
                   attachments=[{"file_type": "image", "url": "https://files.example.cl/foto.jpg", "name": "foto.jpg"},
                                {"file_type": "file", "url": "javascript:alert(1)", "name": "raro.pdf"}])
    bot = message(conversation, "Lamentamos mucho lo ocurrido.", direction=Direction.OUTBOUND,
                  origin=MessageOrigin.BOT, sender_kind=SenderKind.AGENT_BOT, minutes_ago=9,
                  status=MessageStatus.DELIVERED)
    agent = staff_reply_in_chatwoot(conversation, "Hola, soy Marta, lo reviso.", minutes_ago=8)
    queued = message(conversation, "Ya te escribo.", direction=Direction.OUTBOUND, origin=MessageOrigin.STAFF,
                     sender_kind=SenderKind.USER, staff_user=admin_user, minutes_ago=7.5, status=MessageStatus.QUEUED)
    failed = message(conversation, "Le enviamos el resto mañana.", direction=Direction.OUTBOUND,
                     origin=MessageOrigin.STAFF, sender_kind=SenderKind.USER, staff_user=admin_user, minutes_ago=7,
                     status=MessageStatus.FAILED, error="HTTP 422: Too many messages")
    read = message(conversation, "¿Algo más?", direction=Direction.OUTBOUND, origin=MessageOrigin.BOT,
                   sender_kind=SenderKind.AGENT_BOT, minutes_ago=6, status=MessageStatus.READ)
    page = admin_client.get(page_url(conversation)).content.decode()
    order = [page.index(f'id="message-{m.pk}"') for m in (said, bot, agent, queued, failed, read)]
    assert order == sorted(order)  # newest at the bottom
    assert "Cliente" in bubble(page, said.pk) and "msg-in" in bubble(page, said.pk)
    assert "Bot" in bubble(page, bot.pk) and "✓✓ entregado" in bubble(page, bot.pk)
    assert "Marta (Chatwoot) (en Chatwoot)" in bubble(page, agent.pk)
    assert "en cola" in bubble(page, queued.pk) and "✓✓ leído" in bubble(page, read.pk)
    failure = bubble(page, failed.pk)
    assert "falló" in failure and "HTTP 422: Too many messages" in failure and "reintentar" in failure
    assert f"/messages/{failed.pk}/retry/" in failure and page.count("/retry/") == 1
    assert '<a href="https://files.example.cl/foto.jpg"' in page
    assert "raro.pdf" in page and 'href="javascript:' not in page
    assert 'name="reply_content"' in page and "Enter envía" in page  # the composer


def test_private_notes_are_tinted_and_handoffs_read_as_system_lines(admin_client, chatwoot_standin):
    conversation = conversation_in_both(chatwoot_standin)
    conversation_hand_over(conversation_id=conversation.pk, reason="complaint", actor="bot", mirror=False,
                           summary="🤖 Derivado por el bot — motivo: reclamo.")
    note = Message.objects.get(conversation=conversation, private=True)
    page = admin_client.get(page_url(conversation)).content.decode()
    assert "msg-note" in bubble(page, note.pk) and "nota privada" in bubble(page, note.pk)
    assert "Derivada a una persona: Reclamo" in page


def test_side_panel_shows_contact_active_order_why_it_waits_and_folded_internals(admin_client, chatwoot_standin):
    conversation = handed_over(chatwoot_standin, reason="complaint", minutes_ago=12)
    Contact.objects.filter(pk=conversation.contact_id).update(name="María González", email="maria@example.cl")
    now = timezone.now()
    Session.objects.create(conversation=conversation, schema_version=2, started_at=now, last_activity_at=now,
                           document={"last": {"lane": "purchase", "intent": "order_create"},
                                     "slots": {"order": {"lines": [{"code": "FS-ALM-KG", "qty": 20}]}}})
    order = PurchaseOrder.objects.create(contact=conversation.contact, conversation=conversation, odoo_name="P00012",
                                         state=OrderState.TO_APPROVE, idempotency_key="k-1", origin="chat",
                                         amount_untaxed=200000, amount_total=238000)
    HandoffCase.objects.filter(conversation=conversation).update(contact_text="¡esto es inaceptable!")
    page = admin_client.get(page_url(conversation)).content.decode()
    panel = page[page.index('id="inbox-panel"'):]
    assert "María González" in panel and "maria@example.cl" in panel and conversation.contact.phone_e164 in panel
    assert "P00012" in panel and "Por aprobar" in panel and "$238.000" in panel
    assert f"/admin/orders/purchaseorder/{order.pk}/change/" in panel
    assert "Reclamo" in panel and "hace 12 min" in panel and "nadie aún" in panel and "inaceptable" in panel
    internals = panel[panel.index('<details class="inbox-card inbox-internals"'):]
    assert "purchase / order_create" in internals and "FS-ALM-KG" in internals
    assert str(conversation.chatwoot_id) in internals
    assert 'name="chatwoot_id"' not in page and 'name="_save"' not in page  # read-only, no save button


def test_page_times_are_santiago_time(admin_client, chatwoot_standin):
    conversation = conversation_in_both(chatwoot_standin)
    said = message(conversation, "hola")
    Message.objects.filter(pk=said.pk).update(created_at=datetime(2026, 12, 2, 13, 14, tzinfo=UTC))
    page = admin_client.get(page_url(conversation)).content.decode()
    assert ">10:14</time>" in bubble(page, said.pk)  # 13:14 UTC is 10:14 in Santiago (summer time, UTC-3)


# --- the poll and the buttons without reloads --------------------------------------------------------------------

def test_poll_answers_nothing_new_until_the_contact_writes_or_a_tick_moves(admin_client, chatwoot_standin):
    conversation = handed_over(chatwoot_standin, minutes_ago=3)
    page = admin_client.get(page_url(conversation))
    fingerprint = page.context["fingerprint"]
    poll = page_url(conversation, "thread/")
    assert admin_client.get(poll, {"v": fingerprint}, **JSON).status_code == 204
    said = message(conversation, "¿hay alguien?")
    fresh = admin_client.get(poll, {"v": fingerprint}, **JSON)
    assert fresh.status_code == 200 and "¿hay alguien?" in fresh.json()["thread"]
    sent = message(conversation, "Hola, aquí estoy.", direction=Direction.OUTBOUND, origin=MessageOrigin.STAFF,
                   sender_kind=SenderKind.USER, status=MessageStatus.SENT)
    fingerprint = admin_client.get(poll, {"v": fresh.json()["fingerprint"]}, **JSON).json()["fingerprint"]
    Message.objects.filter(pk=sent.pk).update(status=MessageStatus.READ, updated_at=timezone.now())
    ticked = admin_client.get(poll, {"v": fingerprint}, **JSON)
    assert ticked.status_code == 200 and "✓✓ leído" in ticked.json()["thread"]
    assert said.pk and admin_client.get(poll, {"v": ticked.json()["fingerprint"]}, **JSON).status_code == 204


def test_reply_from_the_page_script_comes_back_as_json_with_the_new_message(
        admin_client, chatwoot_standin, django_capture_on_commit_callbacks):
    conversation = handed_over(chatwoot_standin, minutes_ago=3)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(page_url(conversation, "reply/"), {"reply_content": "Hola Rosa"}, **JSON)
    parts = response.json()
    assert response.status_code == 200 and parts["error"] == ""
    assert "Hola Rosa" in parts["thread"] and "en cola" in parts["thread"]  # sent after the commit, by the worker
    assert [s["content"] for s in chatwoot_standin.sent] == ["Hola Rosa"]
    polled = admin_client.get(page_url(conversation, "thread/"), {"v": parts["fingerprint"]}, **JSON).json()
    assert "✓ enviado" in polled["thread"]
    refused = admin_client.post(page_url(conversation, "reply/"), {"reply_content": "  "}, **JSON).json()
    assert refused["error"] == "No se envió la respuesta: escribe algo primero."


def test_take_over_changes_the_header_at_once_and_says_so_in_the_thread(
        admin_client, admin_user, chatwoot_standin, django_capture_on_commit_callbacks):
    conversation = handed_over(chatwoot_standin, minutes_ago=3)
    page = admin_client.get(page_url(conversation)).content.decode()
    assert "Esperando a una persona" in page and "Tomar" in page
    with django_capture_on_commit_callbacks(execute=True):
        parts = admin_client.post(page_url(conversation, "take_over/"), **JSON).json()
    assert "Contigo" in parts["header"] and "Devolver al bot" in parts["header"] and "/take_over/" not in parts[
        "header"]
    assert "admin tomó la conversación" in parts["thread"]
    assert parts["notice"].startswith("Tomaste la conversación")
    with django_capture_on_commit_callbacks(execute=True):
        parts = admin_client.post(page_url(conversation, "hand_back/"), **JSON).json()
    assert "Con el bot" in parts["header"] and "/hand_back/" not in parts["header"]
    assert "admin devolvió la conversación al bot" in parts["thread"]
    assert Conversation.objects.get(pk=conversation.pk).mode == "bot"


def test_the_poll_needs_a_staff_login(client, chatwoot_standin):
    conversation = handed_over(chatwoot_standin, minutes_ago=3)
    response = client.get(page_url(conversation, "thread/"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_an_unknown_conversation_page_is_404(admin_client):
    assert admin_client.get(f"{CHANGELIST}999999/change/").status_code == 404
    assert admin_client.get(f"{CHANGELIST}999999/thread/").status_code == 404


def test_waits_read_in_hours_and_days_in_the_list(admin_client, chatwoot_standin):
    handed_over(chatwoot_standin, minutes_ago=60 * 26 + 5)
    handed_over(chatwoot_standin, minutes_ago=95)
    page = admin_client.get(CHANGELIST).content.decode()
    assert "1 d 2 h" in page and "1 h 35 min" in page
