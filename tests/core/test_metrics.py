"""`/metrics` counts what other processes (gunicorn workers, django-q2 workers) did, in multiprocess mode."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]
INCREMENT = (
    "import django; django.setup()\n"
    "from core.metrics import outbound_messages_total, agent_turn_seconds\n"
    "outbound_messages_total.labels(status='sent').inc({n})\n"
    "agent_turn_seconds.observe(0.3)\n"
)


def _run_in_another_process(multiproc_dir: Path, n: int) -> None:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(multiproc_dir), "DJANGO_SETTINGS_MODULE": "config.settings"}
    subprocess.run([sys.executable, "-c", INCREMENT.format(n=n)], cwd=REPO, env=env, check=True, timeout=60)


def test_counters_from_other_processes_are_summed_in_metrics(client, tmp_path, monkeypatch):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    _run_in_another_process(tmp_path, 3)
    _run_in_another_process(tmp_path, 4)

    response = client.get("/metrics")

    assert response.status_code == 200
    text = response.content.decode()
    assert 'outbound_messages_total{status="sent"} 7.0' in text
    assert "agent_turn_seconds_count 2.0" in text


def test_worker_directory_on_a_shared_volume_is_merged(client, tmp_path, monkeypatch):
    web_dir, worker_dir = tmp_path / "web", tmp_path / "worker"
    web_dir.mkdir(), worker_dir.mkdir()
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(web_dir))
    monkeypatch.setenv("PROMETHEUS_EXPORT_DIRS", str(worker_dir))
    _run_in_another_process(web_dir, 1)
    _run_in_another_process(worker_dir, 5)

    text = client.get("/metrics").content.decode()

    assert 'outbound_messages_total{status="sent"} 6.0' in text


def test_without_the_variable_this_process_registry_is_served(client, monkeypatch):
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    from core.metrics import chatwoot_webhooks_total

    chatwoot_webhooks_total.labels(event="metrics_test", outcome="accepted").inc()
    text = client.get("/metrics").content.decode()
    assert 'chatwoot_webhooks_total{event="metrics_test",outcome="accepted"}' in text
    assert "django_http_requests_before_middlewares_total" in text


def test_gunicorn_start_drops_samples_left_by_a_previous_run(tmp_path, monkeypatch):
    import runpy

    stale = tmp_path / "counter_123.db"
    stale.write_bytes(b"old")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    hooks = runpy.run_path(str(REPO / "config" / "gunicorn.conf.py"))

    hooks["on_starting"](server=None)

    assert not stale.exists()
    assert hooks["workers"] >= 1 and hooks["worker_class"] == "gthread"


def test_runlocal_gives_its_children_a_fresh_metrics_directory(tmp_path, monkeypatch):
    from console.management.commands.runlocal import _prepare_metrics_dir

    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    made = _prepare_metrics_dir()
    try:
        assert made and os.path.isdir(made) and os.environ["PROMETHEUS_MULTIPROC_DIR"] == made
    finally:
        os.rmdir(made)
        os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)  # set by the command itself, not through monkeypatch

    given = tmp_path / "given"
    given.mkdir()
    (given / "histogram_9.db").write_bytes(b"old")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(given))
    assert _prepare_metrics_dir() is None  # not ours to delete on exit
    assert list(given.iterdir()) == []
