"""What Chatwoot's send job does with a reply on WhatsApp (`Whatsapp::SendOnWhatsappService`, PROTOCOL.md
section 8), as webhooks that follow the echo: the template or window outcome, and the wamid once sent."""

from __future__ import annotations

from integrations.chatwoot import standin_payloads as shapes
from integrations.chatwoot.standin_templates import TEMPLATE_NOT_FOUND, TemplateFailed, can_reply, render_template


class WhatsAppSending:
    """Mixed into `ChatwootStandin`, which provides `message_templates`, `sent_templates` and `whatsapp_updates`."""

    def _send_on_channel(self, conv: dict, msg: dict, record: dict) -> list[dict]:
        """Caller holds the lock. What Chatwoot's send job does with the message on WhatsApp
        (`Whatsapp::SendOnWhatsappService`): a template when asked for one or when the window is closed."""
        if msg["private"] or conv["channel"] != "whatsapp":
            return []
        params = msg["additional_attributes"].get("template_params")
        if params is not None:
            return [self._send_template(conv, msg, record, params)]
        if not can_reply(conv):
            return [self._fail(conv, msg, record, TEMPLATE_NOT_FOUND)]
        return [self._mark_sent(conv, msg)] if self.whatsapp_updates else []

    def _send_template(self, conv: dict, msg: dict, record: dict, params: dict) -> dict:
        entry = {"conversation_id": conv["id"], "message_id": msg["id"], "name": params["name"],
                 "language": params.get("language"), "category": params.get("category"),
                 "processed_params": params.get("processed_params"), "content": msg["content"],
                 "rendered": None, "status": "sent", "external_error": None}
        self.sent_templates.append(entry)
        try:
            _, entry["rendered"] = render_template(self.message_templates, params)
        except TemplateFailed as exc:
            entry.update(status="failed", external_error=str(exc))
            return self._fail(conv, msg, record, str(exc))
        return self._mark_sent(conv, msg)

    def _fail(self, conv: dict, msg: dict, record: dict, error: str) -> dict:
        msg["status"] = "failed"
        msg["content_attributes"] = {**msg["content_attributes"], "external_error": error}
        record.update(status="failed", external_error=error)
        return shapes.message_webhook(msg, conv, "message_updated")

    def _mark_sent(self, conv: dict, msg: dict) -> dict:
        """SendReplyJob stores WhatsApp's message id in `source_id`: a `message_updated` follows the echo."""
        msg["source_id"] = f"wamid.standin.{msg['id']}"
        return shapes.message_webhook(msg, conv, "message_updated")
