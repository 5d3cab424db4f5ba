"""The internals (django-q2's queue, the call log, django-axes' login records) are registered in the admin by apps
below the console and by third-party apps; the console decides who sees them: superusers only, whatever
permissions a group grants. Our own apps' internal admins use `core.admin.SuperuserOnlyMixin` directly."""

from __future__ import annotations

from django.contrib import admin

from core.admin import SuperuserOnlyMixin

INTERNAL_APPS = {"django_q", "axes", "integrations"}


def hide_internals_from_staff(site: admin.AdminSite = admin.site) -> None:
    """Re-register every model of INTERNAL_APPS with its own ModelAdmin behind `SuperuserOnlyMixin`."""
    for model, model_admin in list(site._registry.items()):
        if model._meta.app_label in INTERNAL_APPS and not isinstance(model_admin, SuperuserOnlyMixin):
            site.unregister(model)
            site.register(model, type(f"Internal{type(model_admin).__name__}",
                                      (SuperuserOnlyMixin, type(model_admin)), {}))
