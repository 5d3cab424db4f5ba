import logging

from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_cache() -> None:
    cache.set("healthz", "ok", 10)
    if cache.get("healthz") != "ok":
        raise RuntimeError("cache read-back failed")


def _check_queue() -> None:
    from core.queue import shared_broker

    if not shared_broker().ping():
        raise RuntimeError("broker did not answer")


HEALTH_CHECKS = {"database": _check_database, "cache": _check_cache, "queue": _check_queue}


@require_GET
def healthz(request):
    checks, healthy = {}, True
    for name, check in HEALTH_CHECKS.items():
        try:
            check()
            checks[name] = "ok"
        except Exception as exc:  # any failure of a dependency is reported, never raised
            logger.warning("health check failed", extra={"check": name, "error": str(exc)})
            checks[name] = f"error: {exc.__class__.__name__}"
            healthy = False
    return JsonResponse({"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503)


@require_GET
def metrics(request):
    """Prometheus text: summed over web and worker processes in multiprocess mode (see core.metrics_export)."""
    from django_prometheus.exports import ExportToDjangoView
    from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

    from core.metrics_export import multiprocess_dirs, multiprocess_registry

    directories = multiprocess_dirs()
    if not directories:
        return ExportToDjangoView(request)
    return HttpResponse(generate_latest(multiprocess_registry(directories)), content_type=CONTENT_TYPE_LATEST)
