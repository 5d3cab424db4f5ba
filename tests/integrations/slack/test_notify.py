import pytest
from django.db import transaction

from integrations import slack
from integrations.models import ExternalCall

pytestmark = pytest.mark.django_db


def _notify_in_transaction(capture, **kwargs):
    with capture(execute=True):
        with transaction.atomic():
            slack.notify(**kwargs)


def test_notify_posts_text_and_admin_link_after_commit(fake_slack, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            slack.notify(text="Pedido PO-7 espera aprobación", link="/admin/orders/purchaseorder/7/change/",
                         kind="approval")
            assert fake_slack.messages == []  # nothing leaves before commit

    [message] = fake_slack.messages
    link = "https://ops.example.cl/admin/orders/purchaseorder/7/change/"
    assert message["text"].startswith("Pedido PO-7 espera aprobación")
    assert message["blocks"][0]["text"]["text"] == "Pedido PO-7 espera aprobación"
    assert message["blocks"][1]["elements"][0]["url"] == link
    call = ExternalCall.objects.get()
    assert (call.system, call.method, call.outcome) == ("slack", "webhook:approval", "ok")


def test_notify_is_dropped_when_the_transaction_rolls_back(fake_slack, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            slack.notify(text="never", kind="handoff")
            raise RuntimeError("caller failed")
    assert fake_slack.messages == []


def test_slack_down_then_up_is_retried_and_delivered(fake_slack, django_capture_on_commit_callbacks):
    fake_slack.fail(503, times=2)
    _notify_in_transaction(django_capture_on_commit_callbacks, text="Conversación #12 necesita una persona",
                           kind="handoff")

    assert [m["text"] for m in fake_slack.messages] == ["Conversación #12 necesita una persona"]
    assert fake_slack.attempts == 3
    outcomes = list(ExternalCall.objects.order_by("id").values_list("outcome", flat=True))
    assert outcomes == ["error", "error", "ok"]


def test_slack_down_for_good_leaves_the_caller_unaffected_and_records_the_failure(
    fake_slack, settings, django_capture_on_commit_callbacks
):
    fake_slack.down(500)
    _notify_in_transaction(django_capture_on_commit_callbacks, text="x", kind="handoff")  # does not raise

    assert fake_slack.messages == []
    assert fake_slack.attempts == settings.SLACK_MAX_ATTEMPTS
    errors = ExternalCall.objects.filter(system="slack", outcome="error")
    assert errors.count() == settings.SLACK_MAX_ATTEMPTS
    assert "HTTP 500" in errors.first().error


def test_permanent_error_is_not_retried(fake_slack, django_capture_on_commit_callbacks):
    fake_slack.fail(404)
    _notify_in_transaction(django_capture_on_commit_callbacks, text="x", kind="handoff")
    assert fake_slack.attempts == 1
    assert ExternalCall.objects.get().outcome == "error"


def test_unreachable_slack_is_retried_then_given_up(settings, django_capture_on_commit_callbacks):
    settings.SLACK_WEBHOOK_URL = "http://127.0.0.1:9/services/nothing-listens"
    settings.SLACK_RETRY_WAIT_SECONDS = 0
    settings.SLACK_MAX_ATTEMPTS = 2
    _notify_in_transaction(django_capture_on_commit_callbacks, text="x", kind="handoff")
    assert list(ExternalCall.objects.values_list("outcome", flat=True)) == ["error", "error"]


def test_no_webhook_url_means_no_slack_at_all(settings, django_capture_on_commit_callbacks):
    settings.SLACK_WEBHOOK_URL = ""
    _notify_in_transaction(django_capture_on_commit_callbacks, text="x", kind="handoff")
    assert not ExternalCall.objects.exists()


def test_dry_run_posts_nothing_but_logs_the_call(fake_slack, settings, django_capture_on_commit_callbacks):
    settings.DRY_RUN = True
    _notify_in_transaction(django_capture_on_commit_callbacks, text="x", kind="approval")
    assert fake_slack.attempts == 0
    assert ExternalCall.objects.get().outcome == "dry_run"


def test_broker_failure_does_not_reach_the_caller(fake_slack, monkeypatch, django_capture_on_commit_callbacks):
    def broken_broker(*args, **kwargs):
        raise ConnectionError("redis down")

    monkeypatch.setattr("integrations.slack.delivery.enqueue_now", broken_broker)
    _notify_in_transaction(django_capture_on_commit_callbacks, text="x", kind="handoff")  # does not raise
    assert fake_slack.messages == []
