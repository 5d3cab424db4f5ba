import pytest


@pytest.mark.django_db
def test_healthz_reports_every_dependency_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok", "queue": "ok"}}


@pytest.mark.django_db
def test_healthz_names_the_failing_check(client, monkeypatch):
    from core import views

    def broken():
        raise RuntimeError("down")

    monkeypatch.setitem(views.HEALTH_CHECKS, "cache", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"].startswith("error")
    assert response.json()["checks"]["database"] == "ok"


@pytest.mark.django_db
def test_metrics_exposes_project_counters(client):
    response = client.get("/metrics")
    assert response.status_code == 200
    assert b"agent_turn_seconds_bucket" in response.content
    assert b"django_http_requests" in response.content
