"""What is wrong with the Odoo setup, in one sentence: for `manage.py check --deploy --tag odoo`, `sync_catalog`
and anything else that must tell an operator what to change (a protocol the server does not speak, an app that is
not installed for `ODOO_ORDER_MODEL`, a user without the rights that mode needs, a bad login, Odoo unreachable)."""

from __future__ import annotations

from django.conf import settings

from integrations.odoo import errors
from integrations.odoo.client import get_client

APPS = {"purchase": ("Purchase", "Purchase / User"), "sale": ("Sales", "Sales / User: Own Documents Only")}
MODE_MODELS = {"purchase": ("purchase.order", "purchase.order.line"), "sale": ("sale.order", "sale.order.line")}
OTHER_MODE = {"purchase": "sale", "sale": "purchase"}


def explain(exc: errors.OdooError, *, mode: str | None = None) -> str:
    mode = mode or settings.ODOO_ORDER_MODEL
    where = f"Odoo at {settings.ODOO_URL} (database {settings.ODOO_DB!r})"
    if isinstance(exc, errors.OdooModelMissing):
        return _missing_app(exc.model, where, mode)
    if isinstance(exc, errors.OdooConfigError):
        return str(exc)
    if isinstance(exc, errors.OdooAccessError):
        return (f"Odoo user {settings.ODOO_USERNAME!r} lacks the rights ODOO_ORDER_MODEL={mode} needs: give it "
                f"{APPS[mode][1]} in Odoo (Odoo said: {_first_line(str(exc))}).")
    if isinstance(exc, errors.OdooAuthError):
        secret = "an API key" if settings.ODOO_PROTOCOL.startswith("json2") else "the password or an API key"
        return (f"{where} refused the login {settings.ODOO_USERNAME!r}: check ODOO_USERNAME and ODOO_PASSWORD "
                f"({secret}).")
    if isinstance(exc, errors.OdooUnavailable):
        return f"{where} is unreachable ({type(exc).__name__}: {exc}): check ODOO_URL and that Odoo is running."
    return f"{where} failed: {type(exc).__name__}: {exc}"


def problems(*, mode: str | None = None) -> list[str]:
    """Live probes (reads only) of what `mode` needs; empty when everything answers. Calls Odoo."""
    mode = mode or settings.ODOO_ORDER_MODEL
    try:
        odoo = get_client()
    except ValueError as exc:
        return [str(exc)]
    probes = [("res.partner", []), *((model, []) for model in MODE_MODELS[mode]),
              ("product.product", [(f"{mode}_ok", "=", True)])]
    for model, domain in probes:
        try:
            odoo.search_read(model, domain, ["id"], limit=1)
        except errors.OdooError as exc:
            return [explain(exc, mode=mode)]
    return []


def _missing_app(model: str, where: str, mode: str) -> str:
    owner = next((m for m, models in MODE_MODELS.items() if model in models), None)
    if owner is None:
        return f"{where} has no model {model}: install the Odoo app that provides it."
    app = APPS[owner][0]
    hint = f"install {app} there" + (f", or set ODOO_ORDER_MODEL={OTHER_MODE[owner]}" if owner == mode else "")
    return f"{where} has no {app} app ({model} does not exist): {hint}."


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text
