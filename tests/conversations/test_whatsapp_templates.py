"""Past WhatsApp's 24-hour window an order notice goes as the approved template staff set for its kind, through the
real Chatwoot client to the stand-in (which renders it the way WhatsApp would, or fails it the way Meta does);
anything else goes to staff with a note saying what was not sent and why. The admin form checks a template against
the inbox's `message_templates` before saving it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conversations.models import Conversation, Direction, Message, MessageStatus, MessageTemplate, SenderKind
from conversations.outbound import reply_queue
from tests.conversations.outbound_helpers import conversation_in_both
from tests.fakes.chatwoot import chatwoot_standin  # noqa: F401

pytestmark = pytest.mark.django_db
FIELDS = {"contact_name": "Ana", "order_name": "S00012", "status": "entregado", "total": "$12.000"}
ADD = "/admin/conversations/messagetemplate/add/"


def notice(django_capture_on_commit_callbacks, conversation, *, kind="received", fields=FIELDS, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        message = reply_queue(conversation_id=conversation.pk, content="Tu pedido S00012 ya fue entregado completo.",
                              notice_kind=kind, notice_fields=fields, **kwargs)
    message.refresh_from_db()
    return message


def template(**values) -> MessageTemplate:
    defaults = {"notice_kind": "received", "name": "pedido_actualizado", "language": "es",
                "parameters": ["contact_name", "order_name", "status"],
                "body": "Hola {{1}}, tu pedido {{2}} está {{3}}."}
    return MessageTemplate.objects.create(**{**defaults, **values})


def closed(standin):
    return conversation_in_both(standin, can_reply=False)


def test_a_notice_past_the_window_goes_as_its_template(chatwoot_standin, django_capture_on_commit_callbacks):
    template()
    message = notice(django_capture_on_commit_callbacks, closed(chatwoot_standin))
    [posted] = chatwoot_standin.sent
    assert posted["content"] == "Hola Ana, tu pedido S00012 está entregado."  # what the contact reads
    [sent] = chatwoot_standin.sent_templates
    assert (sent["name"], sent["language"], sent["category"], sent["status"]) == (
        "pedido_actualizado", "es", "UTILITY", "sent")
    assert sent["processed_params"] == {"body": {"1": "Ana", "2": "S00012", "3": "entregado"}}
    assert message.status == MessageStatus.SENT and message.conversation.mode == "bot"


def test_inside_the_window_a_notice_is_plain_text(chatwoot_standin, django_capture_on_commit_callbacks):
    template()
    notice(django_capture_on_commit_callbacks, conversation_in_both(chatwoot_standin))
    assert [p["content"] for p in chatwoot_standin.sent] == ["Tu pedido S00012 ya fue entregado completo."]
    assert chatwoot_standin.sent_templates == []


def test_the_window_closes_a_day_after_the_contacts_last_message(chatwoot_standin, django_capture_on_commit_callbacks):
    template()
    conversation = conversation_in_both(chatwoot_standin)  # Chatwoot said can_reply when the contact last wrote
    Conversation.objects.filter(pk=conversation.pk).update(last_inbound_at=timezone.now() - timedelta(hours=25))
    notice(django_capture_on_commit_callbacks, conversation)
    assert [t["name"] for t in chatwoot_standin.sent_templates] == ["pedido_actualizado"]


def test_a_notice_without_a_template_goes_to_staff_saying_why(chatwoot_standin, django_capture_on_commit_callbacks):
    conversation = closed(chatwoot_standin)
    message = notice(django_capture_on_commit_callbacks, conversation, kind="partly_done")
    conversation.refresh_from_db()
    assert message.status == MessageStatus.FAILED and message.error == "whatsapp_window_closed"
    assert (conversation.mode, conversation.handoff_reason) == ("human", "whatsapp_window")
    [note] = chatwoot_standin.sent
    assert note["private"] and "no hay una plantilla de WhatsApp para el aviso «partly_done»" in note["content"]
    assert "Tu pedido S00012 ya fue entregado completo." in note["content"]


def test_a_notice_missing_a_field_the_template_needs_goes_to_staff(chatwoot_standin,
                                                                   django_capture_on_commit_callbacks):
    template(parameters=["contact_name", "order_name", "expected_date"])
    message = notice(django_capture_on_commit_callbacks, closed(chatwoot_standin))
    assert message.status == MessageStatus.FAILED
    [note] = chatwoot_standin.sent
    assert "el aviso no trae expected_date para la plantilla «pedido_actualizado»" in note["content"]


def test_parameters_that_do_not_fit_the_template_are_refused_by_whatsapp(chatwoot_standin,
                                                                        django_capture_on_commit_callbacks):
    template(parameters=["contact_name", "order_name"])  # the approved body has three parameters
    notice(django_capture_on_commit_callbacks, closed(chatwoot_standin))
    [sent] = chatwoot_standin.sent_templates
    assert sent["status"] == "failed" and sent["external_error"].startswith("132000")


def test_new_lines_never_reach_a_template_parameter(chatwoot_standin, django_capture_on_commit_callbacks):
    template(parameters=["contact_name", "order_name", "text"])
    fields = {**FIELDS, "text": "Tu pedido:\n• 20 kg Almendra\n• 10 kg Quinoa"}
    notice(django_capture_on_commit_callbacks, closed(chatwoot_standin), fields=fields)
    [sent] = chatwoot_standin.sent_templates
    assert sent["processed_params"]["body"]["3"] == "Tu pedido: · • 20 kg Almendra · • 10 kg Quinoa"


# --- the admin form: checked against the inbox's templates ----------------------------------------------------------
@pytest.fixture
def boss(client, chatwoot_standin, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("jefa", password="pw"))
    return client


def form(**values) -> dict:
    return {"notice_kind": "confirmed", "name": "pedido_actualizado", "language": "es", "category": "UTILITY",
            "parameters": '["contact_name", "order_name", "status"]', "active": "on", **values}


def test_the_admin_keeps_an_approved_template_with_its_body(boss):
    assert boss.post(ADD, form(language="ES")).status_code == 302  # Chatwoot matches the language in any case
    saved = MessageTemplate.objects.get()
    assert saved.body == "Hola {{1}}, tu pedido {{2}} está {{3}}." and saved.checked_at is not None


@pytest.mark.parametrize("values,error", [
    ({"name": "pedido_enviado"}, "Chatwoot no tiene una plantilla de WhatsApp aprobada “pedido_enviado” en el idioma "
                                 "“es” (aprobadas: retomar_conversacion (es), pedido_actualizado (es), "
                                 "order_update (en_US))"),
    ({"parameters": '["order_name"]'}, "El cuerpo de la plantilla tiene 3 parámetro(s)"),
    ({"parameters": '"order_name"'}, "Indica los campos del aviso en orden, como una lista de nombres"),
])
def test_the_admin_refuses_a_template_whatsapp_would_refuse(boss, values, error):
    page = boss.post(ADD, form(**values))
    assert page.status_code == 200 and error in page.content.decode()
    assert not MessageTemplate.objects.exists()


def test_the_admin_says_when_chatwoot_cannot_be_asked(boss, chatwoot_standin):
    chatwoot_standin.fail_next(1, status=401)
    page = boss.post(ADD, form())
    assert "No se pudieron leer las plantillas de WhatsApp desde Chatwoot" in page.content.decode()
    assert boss.post(ADD, form(active="")).status_code == 302  # inactive: kept without asking
