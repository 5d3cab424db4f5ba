from django.contrib import admin
from django.urls import include, path

from core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("metrics", core_views.metrics, name="metrics"),
    path("webhooks/", include("conversations.urls")),
    path("playground/", include("console.playground.urls")),
    path("admin/dashboard/", include("console.dashboard.urls")),
    path("admin/", admin.site.urls),
    # The console's language menu posts to Django's set_language (cookie), then returns to the page.
    path("i18n/", include("django.conf.urls.i18n")),
]
