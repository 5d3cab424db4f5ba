"""Slack notifications for staff (CONTRACT section 2, `SLACK_WEBHOOK_URL`).

Callers use `integrations.slack.notify(text=..., link=..., kind=...)` from inside or outside a transaction: the post
happens in a queue task after commit, retried with backoff, and never blocks or fails the caller.
"""

from integrations.slack.delivery import notify

__all__ = ["notify"]
