from django.contrib import admin
from django.urls import path

from console.dashboard import views

app_name = "dashboard"

# admin_view: staff only (anyone else is sent to the admin login), never cached, CSRF-protected like the admin.
urlpatterns = [
    path("", admin.site.admin_view(views.dashboard), name="index"),
]
