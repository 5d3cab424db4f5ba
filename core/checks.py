"""Invariants across settings, as Django system checks, so a bad combination fails at start, not at the first
message."""

from django.conf import settings
from django.core.checks import Error, Warning, register

VALID_ODOO_PROTOCOLS = {"xmlrpc", "xmlrpcs", "jsonrpc", "jsonrpcs", "json2", "json2s"}


@register()
def check_settings(app_configs, **kwargs):
    problems = []
    if settings.ODOO_PROTOCOL not in VALID_ODOO_PROTOCOLS:
        problems.append(Error(f"ODOO_PROTOCOL={settings.ODOO_PROTOCOL!r} is not one of {sorted(VALID_ODOO_PROTOCOLS)}",
                              id="core.E001"))
    if settings.ORDER_APPROVAL_THRESHOLD < 0:
        problems.append(Error("ORDER_APPROVAL_THRESHOLD must be >= 0", id="core.E002"))
    q = settings.Q_CLUSTER
    if q["timeout"] >= q["retry"]:
        problems.append(Error("Q_CLUSTER timeout must be below retry, or tasks run twice at once", id="core.E003"))
    if not settings.DEBUG and not settings.TESTING and not settings.CHATWOOT_WEBHOOK_SECRETS \
            and not settings.CHATWOOT_WEBHOOK_TOKEN:
        problems.append(Warning("Neither CHATWOOT_WEBHOOK_SECRETS nor CHATWOOT_WEBHOOK_TOKEN is set: "
                                "anyone can post webhooks", id="core.W001"))
    return problems
