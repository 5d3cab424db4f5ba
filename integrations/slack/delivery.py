"""`notify` (the public entry point) and the queue task that delivers one notification."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential_jitter

from core.queue import enqueue_now
from integrations.slack.client import SlackError, slack_payload, slack_post

logger = logging.getLogger(__name__)

TASK = "integrations.slack.delivery.slack_deliver"


def notify(*, text: str, link: str | None = None, kind: str) -> None:
    """Queue a Slack message for staff once the current transaction commits (at once outside one).

    `link` is an absolute URL or a site path such as `/admin/orders/purchaseorder/3/change/` (made absolute with
    `SITE_URL`). `kind` names the reason (`handoff`, `approval`, ...) in the call log. Never raises: a broker
    outage is logged, because a staff notice must not cost the contact their conversation.
    """
    if not settings.SLACK_WEBHOOK_URL:
        return
    if link and link.startswith("/"):
        link = settings.SITE_URL.rstrip("/") + link
    transaction.on_commit(lambda: _enqueue_safely(text, link, kind))


def _enqueue_safely(text: str, link: str | None, kind: str) -> None:
    try:
        enqueue_now(TASK, text, link, kind)
    except Exception:  # broker down: the notice is lost, the caller is not
        logger.exception("slack notification not queued", extra={"kind": kind})


def _transient(exc: BaseException) -> bool:
    return isinstance(exc, SlackError) and exc.transient


def slack_deliver(text: str, link: str | None, kind: str) -> bool:
    """Task: post with retries (exponential backoff with jitter, `SLACK_MAX_ATTEMPTS` in all).

    Returns True when delivered. On final failure it logs and returns False; every attempt is an `ExternalCall`
    row with the error, which is the record the runbook points at. Posting twice is harmless (a duplicate notice).
    """
    url = settings.SLACK_WEBHOOK_URL
    if not url:
        return False
    payload = slack_payload(text=text, link=link)
    retrying = Retrying(
        stop=stop_after_attempt(settings.SLACK_MAX_ATTEMPTS),
        wait=wait_exponential_jitter(
            initial=settings.SLACK_RETRY_WAIT_SECONDS, max=30, jitter=settings.SLACK_RETRY_WAIT_SECONDS
        ),
        retry=retry_if_exception(_transient),
        reraise=True,
    )
    try:
        retrying(slack_post, url=url, payload=payload, kind=kind, timeout=settings.SLACK_TIMEOUT,
                 dry_run=settings.DRY_RUN)
    except SlackError as exc:
        logger.error("slack notification failed", extra={"kind": kind, "error": str(exc)})
        return False
    return True
