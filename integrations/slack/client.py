"""The one Slack client: incoming webhooks (https://api.slack.com/messaging/webhooks).

One POST of `{"text": ..., "blocks": [...]}` to the webhook URL; Slack answers `200 ok` or an error status with a
plain-text reason (https://api.slack.com/messaging/webhooks#handling_errors). 429 and 5xx and transport errors are
transient; 400/403/404/410 mean the payload or the webhook itself is wrong and retrying cannot help. Each attempt is
one `ExternalCall` row; with `DRY_RUN` nothing is posted and the row says `dry_run`.
"""

from __future__ import annotations

import httpx

from integrations.calls import logged_call


class SlackError(Exception):
    def __init__(self, message: str, *, transient: bool):
        super().__init__(message)
        self.transient = transient


def slack_payload(*, text: str, link: str | None) -> dict:
    """`text` is the notification fallback; the blocks show it with a button to the admin page (Block Kit)."""
    blocks: list[dict] = [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
    if link:
        blocks.append({
            "type": "actions",
            "elements": [{"type": "button", "text": {"type": "plain_text", "text": "Abrir en el admin"}, "url": link}],
        })
    return {"text": f"{text}\n{link}" if link else text, "blocks": blocks}


def slack_post(*, url: str, payload: dict, kind: str, timeout: float, dry_run: bool = False) -> None:
    """POST one message; raises `SlackError` (with `transient`) on anything but 200."""
    with logged_call("slack", f"webhook:{kind}", payload["text"], dry_run=dry_run) as call:
        if dry_run:
            call.response_summary = "not posted (DRY_RUN)"
            return
        try:
            response = httpx.post(url, json=payload, timeout=httpx.Timeout(timeout, connect=min(timeout, 3.0)))
        except httpx.TransportError as exc:
            raise SlackError(f"transport: {exc.__class__.__name__}: {exc}", transient=True) from exc
        call.response_summary = f"{response.status_code} {response.text[:200]}"
        if response.status_code != 200:
            transient = response.status_code == 429 or response.status_code >= 500
            raise SlackError(f"HTTP {response.status_code}: {response.text[:200]}", transient=transient)
