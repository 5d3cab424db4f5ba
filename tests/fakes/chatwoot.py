"""The Chatwoot stand-in as a pytest fixture: a real HTTP server on 127.0.0.1 (port 0) our real client talks to.

    from tests.fakes.chatwoot import chatwoot_standin  # noqa: F401   (in a test module or conftest)

    def test_x(chatwoot_standin):
        conv = chatwoot_standin.add_conversation(channel="whatsapp")   # a conversation Chatwoot knows
        chatwoot_standin.fail_next(1, status=500)                      # failure injection (before applying)
        chatwoot_standin.arm_fault("error_after", path="/messages$")   # created and echoed, then a 500
        chatwoot_standin.arm_fault("webhook_duplicate", message_type="outgoing")   # the echo arrives twice
        chatwoot_standin.set_can_reply(conv["id"], False)              # WhatsApp's 24 h window closed
        chatwoot_standin.echo_timing = "before"                        # echo webhook before the POST returns
        chatwoot_standin.webhook_url = live_server.url + "/webhooks/chatwoot/"   # or .webhook_sink = callable
        ... chatwoot_standin.sent, .sent_templates, .status_changes, .typing, .assignments, .webhooks, .flags,
            .faults.applied

Fault kinds and options: `integrations/chatwoot/standin_faults.py`. The fixture's stand-in keeps its state in
memory (no state file). It points CHATWOOT_BASE_URL / CHATWOOT_API_TOKEN at the stand-in, turns DRY_RUN off and
makes the outbound backoffs tiny so retries run in milliseconds. Webhooks are recorded in `.webhooks` but not
sent anywhere until the test sets `webhook_url` or `webhook_sink`.
"""

from __future__ import annotations

import time

import pytest

from integrations.chatwoot.standin import ChatwootStandin

TOKEN = "test-chatwoot-token"


@pytest.fixture
def chatwoot_standin(settings):
    standin = ChatwootStandin(token=TOKEN).start()
    settings.CHATWOOT_BASE_URL = standin.url
    settings.CHATWOOT_API_TOKEN = TOKEN
    settings.CHATWOOT_ACCOUNT_ID = 1
    settings.CHATWOOT_TIMEOUT = 2.0
    settings.DRY_RUN = False
    settings.OUTBOUND_RETRY_BASE = 0.01
    settings.OUTBOUND_RETRY_MAX = 0.05
    settings.OUTBOUND_AMBIGUOUS_RETRY_DELAY = 0.05
    settings.CHATWOOT_MIRROR_BACKOFF = 0.01
    yield standin
    standin.stop()


def wait_for(condition, timeout: float = 5.0):
    """Poll `condition` until it returns something truthy (webhooks and echoes arrive on other threads)."""
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)
    return result


@pytest.fixture
def chatwoot_live(chatwoot_standin, live_server, settings):
    """The stand-in delivering signed webhooks to our real endpoint on `live_server`: the whole loop over HTTP."""
    secret = "live-loop-secret"
    settings.CHATWOOT_WEBHOOK_SECRETS = [secret]
    chatwoot_standin.secret = secret
    chatwoot_standin.webhook_url = f"{live_server.url}/webhooks/chatwoot/"
    yield chatwoot_standin
    # Echo webhooks may still be in flight to the live server: let them land before the tables are flushed,
    # or the flush deadlocks with their writes.
    wait_for(lambda: all(w["status"] is not None for w in chatwoot_standin.webhooks))
    time.sleep(0.05)
