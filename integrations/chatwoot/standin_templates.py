"""WhatsApp's 24-hour window and message templates, as Chatwoot applies them (PROTOCOL.md section 8).

- `can_reply` is 24 h since the contact's last incoming message (`Conversations::MessageWindowService`); a test or
  the control endpoint may pin it (`set_can_reply`), and a new incoming message opens the window again.
- The REST API does not refuse a message outside the window: it is created (and echoed), then the send job tries
  a template, finds none, and marks it `failed` with `external_error` "Template not found or invalid template
  name", which reaches us as `message_updated`.
- A message with `template_params` is always sent as a template, in or out of the window: the template is looked
  up by `name`, `language` (case-insensitive) and status approved in the inbox's `message_templates` (Meta's
  objects as Chatwoot syncs them); its body's `{{1}}`... placeholders are filled from `processed_params.body`.
  Wrong parameter counts fail the way Meta answers them (error 132000).
"""

from __future__ import annotations

import re
import time

from integrations.chatwoot.standin_http import StandinError

WINDOW_SECONDS = 24 * 3600
TEMPLATE_NOT_FOUND = "Template not found or invalid template name"
PARAMS_MISMATCH = "132000: Number of parameters does not match the expected number of params"
PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")
# The stand-in's WhatsApp inbox ships with these (all approved); `message_templates=` or the control endpoint
# replaces them.
DEFAULT_TEMPLATES = [
    {"name": "retomar_conversacion", "language": "es", "category": "UTILITY",
     "body": "Hola {{1}}, te escribimos de {{2}} para continuar con tu consulta. Responde este mensaje y seguimos."},
    {"name": "pedido_actualizado", "language": "es", "category": "UTILITY",
     "body": "Hola {{1}}, tu pedido {{2}} está {{3}}."},
    {"name": "order_update", "language": "en_US", "category": "UTILITY",
     "body": "Hi {{1}}, your order {{2}} is now {{3}}."},
]


class TemplateFailed(Exception):
    """WhatsApp did not take the template: `external_error` is what Chatwoot stores on the message."""


def channel_templates(specs: list[dict]) -> list[dict]:
    """Meta's template objects (as `channel.message_templates` holds them) from short specs
    `{name, language, body, category?, status?}`; objects that already have `components` are kept as they are."""
    if not isinstance(specs, list):
        raise ValueError("message_templates must be a list")
    return [_channel_template(spec, n) for n, spec in enumerate(specs, start=1)]


def _channel_template(spec, n: int) -> dict:
    if not isinstance(spec, dict):
        raise ValueError("each template must be an object")
    for key in ("name", "language"):
        if not isinstance(spec.get(key), str) or not spec[key].strip():
            raise ValueError(f"template {key} must be a non-empty string")
    if "components" in spec:
        if _body_text(spec) is None:
            raise ValueError(f"template {spec['name']!r} has no BODY component with text")
        return dict(spec)
    if not isinstance(spec.get("body"), str) or not spec["body"].strip():
        raise ValueError(f"template {spec['name']!r} needs a body")
    return {
        "id": str(spec.get("id") or 900000 + n), "name": spec["name"], "language": spec["language"],
        "status": spec.get("status") or "APPROVED", "category": spec.get("category") or "UTILITY",
        "parameter_format": "POSITIONAL", "components": [{"type": "BODY", "text": spec["body"]}],
    }


def _body_text(template: dict) -> str | None:
    for component in template.get("components") or []:
        if isinstance(component, dict) and str(component.get("type")).upper() == "BODY" and component.get("text"):
            return component["text"]
    return None


def can_reply(conv: dict, now: float | None = None) -> bool:
    """Pinned by `set_can_reply`, else WhatsApp's 24 h since the last incoming message (other channels: open)."""
    if conv.get("can_reply") is not None:
        return bool(conv["can_reply"])
    if conv["channel"] != "whatsapp":
        return True
    incoming = [m["created_at"] for m in conv["messages"] if m["message_type"] == "incoming"]
    return bool(incoming) and (now or time.time()) - max(incoming) < WINDOW_SECONDS


def validate_template_params(params) -> dict:
    """`Message::TEMPLATE_PARAMS_SCHEMA`: an object with a `name`; Chatwoot answers 422 otherwise."""
    if not isinstance(params, dict):
        raise StandinError(422, "template_params must be an object")
    if not isinstance(params.get("name"), str) or not params["name"].strip():
        raise StandinError(422, "template_params name is required")
    if "language" in params and not isinstance(params["language"], str):
        raise StandinError(422, "template_params language must be a string")
    if "processed_params" in params and not isinstance(params["processed_params"], (dict, list)):
        raise StandinError(422, "template_params processed_params must be an object")
    return params


def render_template(templates: list[dict], params: dict) -> tuple[dict, str]:
    """The approved template `params` names and its body with the parameters filled in, or TemplateFailed."""
    template = _find(templates, params["name"], params.get("language") or "")
    if template is None:
        raise TemplateFailed(TEMPLATE_NOT_FOUND)
    text = _body_text(template) or ""
    values = _body_values(params.get("processed_params"))
    wanted = PLACEHOLDER.findall(text)
    if set(values) != set(wanted):
        raise TemplateFailed(PARAMS_MISMATCH)
    return template, PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


def _find(templates: list[dict], name: str, language: str) -> dict | None:
    for template in templates:
        if (template.get("name") == name and str(template.get("language", "")).lower() == language.lower()
                and str(template.get("status", "")).lower() == "approved"):
            return template
    return None


def _body_values(processed) -> dict[str, str]:
    """`processed_params.body` ({"1": "..."}); the legacy shapes Chatwoot converts (a list, or a flat hash) too.
    Blank values are dropped, as Chatwoot drops them before calling Meta."""
    if isinstance(processed, list):
        body = {str(n): v for n, v in enumerate(processed, start=1)}
    elif isinstance(processed, dict) and isinstance(processed.get("body"), dict):
        body = processed["body"]
    elif isinstance(processed, dict):
        body = {k: v for k, v in processed.items() if k not in ("header", "buttons", "footer")}
    else:
        body = {}
    return {str(k): str(v) for k, v in body.items() if v not in (None, "")}
