"""Bench-only urlconf: the real app plus a minimal baseline view (never imported by the app).

The baseline is the cheapest honest webhook: read the body, INSERT one row into the same table through the ORM,
answer JSON. bench/ingest.py compares the real endpoint against it in the same run.
"""

import uuid

from django.http import JsonResponse
from django.urls import include, path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from config.urls import urlpatterns as app_urlpatterns
from conversations.models import WebhookDelivery


@csrf_exempt
def baseline_insert(request):
    WebhookDelivery.objects.create(delivery_id=str(uuid.uuid4()), event="baseline", body=request.body.decode(),
                                   headers={}, received_at=timezone.now(), outcome="ignored")
    return JsonResponse({"status": "ok"})


urlpatterns = [path("bench/baseline/", baseline_insert), path("", include(app_urlpatterns))]
