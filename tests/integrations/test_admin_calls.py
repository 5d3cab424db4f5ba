"""Operators find Odoo/LLM/Chatwoot/Slack errors in the read-only external call log of the admin."""

from __future__ import annotations

import pytest

from integrations.models import ExternalCall

pytestmark = pytest.mark.django_db
URL = "/admin/integrations/externalcall/"


@pytest.fixture
def calls():
    return [
        ExternalCall.objects.create(system="odoo", method="purchase.order.create", outcome="error", latency_ms=5012,
                                    error="timeout: ReadTimeout", request_summary="create PO for contact 3"),
        ExternalCall.objects.create(system="chatwoot", method="send_message", outcome="ok", latency_ms=41),
        ExternalCall.objects.create(system="slack", method="webhook:handoff", outcome="error", latency_ms=12,
                                    error="HTTP 503: service_unavailable"),
    ]


def listed(response) -> list[int]:
    return [c.pk for c in response.context["cl"].result_list]


def test_the_call_log_lists_system_method_outcome_latency_and_error(admin_client, calls):
    response = admin_client.get(URL)
    page = response.content.decode()
    assert listed(response) == [c.pk for c in reversed(calls)]  # newest first
    assert "purchase.order.create" in page and "5012" in page and "timeout: ReadTimeout" in page


def test_the_call_log_filters_and_searches(admin_client, calls):
    odoo, chatwoot, slack = calls
    assert listed(admin_client.get(URL, {"system__exact": "odoo"})) == [odoo.pk]
    assert listed(admin_client.get(URL, {"outcome__exact": "error"})) == [slack.pk, odoo.pk]
    assert listed(admin_client.get(URL, {"q": "service_unavailable"})) == [slack.pk]
    assert listed(admin_client.get(URL, {"q": "send_message"})) == [chatwoot.pk]


def test_the_call_log_is_read_only(admin_client, calls):
    assert admin_client.get(f"{URL}add/").status_code == 403
    page = admin_client.get(f"{URL}{calls[0].pk}/change/").content.decode()
    assert "timeout: ReadTimeout" in page and 'name="error"' not in page and 'name="_save"' not in page
    assert admin_client.post(f"{URL}{calls[0].pk}/delete/", {"post": "yes"}).status_code == 403
    assert ExternalCall.objects.count() == 3
