"""How the Chatwoot stand-in delivers webhooks (PROTOCOL.md section 4), and the delivery faults it can inject.

One attempt per delivery, never retried (account webhooks are not retried). Signed like Chatwoot when the
stand-in has a `secret`: `X-Chatwoot-Signature: sha256=<hex HMAC over "{ts}.{body}">`, with a timestamp taken per
attempt. Each delivery gets a fresh `X-Chatwoot-Delivery` uuid; a `webhook_duplicate` fault with
`same_delivery_id` repeats it, as a retried Chatwoot job does.

Every attempt is a record in `standin.webhooks`: `{payload, headers, status, answered_at, fault}`, where `status`
is our app's HTTP status, "error" (unreachable), "dropped" (a `webhook_drop` fault), or None while a delayed or
held delivery is still on its way.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
import urllib.request
import uuid

logger = logging.getLogger(__name__)
WEBHOOK_TIMEOUT = 5  # seconds: Chatwoot's WEBHOOK_TIMEOUT default


class WebhookSender:
    """Reads `webhook_url`, `webhook_sink`, `secret`, `webhooks` and `faults` from the stand-in at each delivery,
    so a test may change them at any time."""

    def __init__(self, standin):
        self.standin = standin
        self._held: list[tuple[dict, dict]] = []
        self._held_lock = threading.Lock()

    def deliver(self, payload: dict) -> dict:
        fault = self.standin.faults.take_webhook(payload)
        if fault is None:
            record = self._attempt(payload, str(uuid.uuid4()))
            self._release_held()
            return record
        return getattr(self, f"_{fault.kind}")(payload, fault)

    # --- faults (the method name is the fault kind) ---------------------------------------------------------
    def _webhook_duplicate(self, payload: dict, fault) -> dict:
        first_id = str(uuid.uuid4())
        second_id = first_id if fault.same_delivery_id else str(uuid.uuid4())
        self._log(fault, payload, delivery_ids=[first_id, second_id])
        first = self._attempt(payload, first_id, fault="webhook_duplicate")
        self._attempt(payload, second_id, fault="webhook_duplicate")
        self._release_held()
        return first

    def _webhook_delay(self, payload: dict, fault) -> dict:
        record = self._pending(payload, "webhook_delay")
        self._log(fault, payload, delivery_ids=[record["headers"]["X-Chatwoot-Delivery"]], seconds=fault.seconds)

        def later():
            time.sleep(fault.seconds)
            self._post(payload, record)

        threading.Thread(target=later, name="standin-webhook-delay", daemon=True).start()
        return record

    def _webhook_drop(self, payload: dict, fault) -> dict:
        record = self._pending(payload, "webhook_drop")
        record.update(status="dropped", answered_at=time.time())
        self._log(fault, payload, delivery_ids=[record["headers"]["X-Chatwoot-Delivery"]])
        return record

    def _webhook_out_of_order(self, payload: dict, fault) -> dict:
        """Held until the next webhook has gone out (or `seconds` passed with none): Chatwoot's jobs have no
        ordering guarantee, so an echo may trail the message after it."""
        record = self._pending(payload, "webhook_out_of_order")
        self._log(fault, payload, delivery_ids=[record["headers"]["X-Chatwoot-Delivery"]], seconds=fault.seconds)
        with self._held_lock:
            self._held.append((payload, record))
        timer = threading.Timer(fault.seconds, self._release_one, args=(record,))
        timer.daemon = True
        timer.start()
        return record

    def _release_held(self) -> None:
        with self._held_lock:
            held, self._held = self._held, []
        for payload, record in held:
            self._post(payload, record)

    def _release_one(self, record: dict) -> None:
        with self._held_lock:
            mine = [item for item in self._held if item[1] is record]
            self._held = [item for item in self._held if item[1] is not record]
        for payload, held in mine:
            self._post(payload, held)

    def _log(self, fault, payload: dict, **details) -> None:
        self.standin.faults.record(fault, event=payload.get("event"), id=payload.get("id"),
                                   message_type=payload.get("message_type"), **details)

    # --- the wire -------------------------------------------------------------------------------------------
    def _pending(self, payload: dict, fault: str | None) -> dict:
        record = {"payload": payload, "headers": {"X-Chatwoot-Delivery": str(uuid.uuid4())}, "status": None,
                  "answered_at": None, "fault": fault}
        self.standin.webhooks.append(record)
        return record

    def _attempt(self, payload: dict, delivery_id: str, fault: str | None = None) -> dict:
        record = self._pending(payload, fault)
        record["headers"]["X-Chatwoot-Delivery"] = delivery_id
        self._post(payload, record)
        return record

    def _post(self, payload: dict, record: dict) -> None:
        body = json.dumps(payload, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json", "Accept": "application/json",
                   "X-Chatwoot-Delivery": record["headers"]["X-Chatwoot-Delivery"]}
        secret = self.standin.secret
        if secret:
            ts = str(int(time.time()))
            digest = hmac.new(secret.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
            headers.update({"X-Chatwoot-Timestamp": ts, "X-Chatwoot-Signature": f"sha256={digest}"})
        record["headers"] = headers
        try:
            record["status"] = self._send(body, payload, headers)
        except Exception as exc:  # Chatwoot logs and drops a failed delivery
            record["status"] = getattr(exc, "code", "error")
            logger.warning("standin webhook delivery failed: %s", exc)
        record["answered_at"] = time.time()

    def _send(self, body: bytes, payload: dict, headers: dict):
        sink, url = self.standin.webhook_sink, self.standin.webhook_url
        if sink is not None:
            sink(payload, headers)
            return 200
        if not url:
            return None  # nowhere to send (a test that only looks at `webhooks`)
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT) as response:  # noqa: S310 (local URL)
            return response.status
