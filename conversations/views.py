"""The Chatwoot webhook endpoint (CONTRACT section 3). Thin: read the body, call one service, map the answer.

A plain Django view rather than a DRF APIView: the body must be read raw (the signature covers the exact bytes)
and this endpoint's latency budget is milliseconds (bench/ingest.py).
"""

from __future__ import annotations

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from conversations.ingest.dispatch import CHATWOOT_EVENT_HANDLERS
from conversations.webhook import WebhookRejected, webhook_delivery_receive
from core.metrics import chatwoot_webhooks_total


def _declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


@csrf_exempt
@require_POST
def chatwoot_webhook(request, token: str | None = None):
    if _declared_length(request) > settings.WEBHOOK_MAX_BODY_BYTES:
        return _reject(WebhookRejected(413, "body over 1 MiB"))
    # A body without (or lying in) Content-Length is read at most one byte past the limit.
    body = request.read(settings.WEBHOOK_MAX_BODY_BYTES + 1)
    if len(body) > settings.WEBHOOK_MAX_BODY_BYTES:
        return _reject(WebhookRejected(413, "body over 1 MiB"))
    try:
        receipt = webhook_delivery_receive(body=body, headers=request.headers, token=token)
    except WebhookRejected as exc:
        return _reject(exc)
    # Unknown event names are sender-controlled: one label for all of them keeps the series bounded.
    event = receipt.event if receipt.event in CHATWOOT_EVENT_HANDLERS else "other"
    chatwoot_webhooks_total.labels(event, receipt.status).inc()
    answer = {"status": receipt.status}
    if receipt.reason:
        answer["reason"] = receipt.reason
    return JsonResponse(answer)


def _reject(exc: WebhookRejected) -> JsonResponse:
    chatwoot_webhooks_total.labels(exc.event, f"rejected_{exc.status}").inc()
    return JsonResponse({"error": exc.message}, status=exc.status)
