"""What the purchase and sale gateways share: the client, the look-up by our key, and "act, then re-read"."""

from __future__ import annotations

import logging
from typing import Callable

from integrations.odoo import errors
from integrations.odoo.client import OdooClient, get_client
from integrations.odoo.fields import model_fields
from integrations.odoo.gateway.types import OdooOrder

log = logging.getLogger(__name__)


def client() -> OdooClient:
    return get_client()


def origin_for(key: str, origin: str) -> str:
    """The `origin` we write: it must carry our key, which is what `find` looks for after a maybe-done failure."""
    if not key:
        raise ValueError("an Odoo order needs our idempotency key")
    origin = origin or key
    if key not in origin:
        raise ValueError(f"origin {origin!r} does not contain the key {key!r}")
    return origin


def find_ids(model: str, key: str) -> list[int]:
    """Orders whose `origin` carries `key`, oldest first. Odoo's `ilike` is a substring match, so the key is
    checked exactly here."""
    rows = client().search_read(model, [("origin", "ilike", key)], ["origin"], limit=5, order="id")
    found = sorted(r["id"] for r in rows if key in (r.get("origin") or ""))
    if len(found) > 1:
        log.warning("Odoo holds %d %s records for key %s (%s): using the oldest", len(found), model, key, found)
    return found


def act(read: Callable[[int], OdooOrder | None], odoo_id: int, call: Callable[[], object], *,
        done: Callable[[OdooOrder], bool]) -> OdooOrder:
    """Call an Odoo action, then re-read: its return value proves nothing (NOTES §0.4). When Odoo refuses because
    the order is already where we want it (an earlier attempt that looked failed had in fact committed), that is
    success too. A maybe-done failure propagates: the caller re-runs the same command, which starts from the state."""
    try:
        call()
    except errors.OdooValidationError:
        order = read(odoo_id)
        if order is not None and done(order):
            return order
        raise
    order = read(odoo_id)
    if order is None:
        raise errors.OdooMissingError(f"Odoo order {odoo_id} vanished after the call")
    return order


def read_with_lines(model: str, odoo_id: int, fields: list[str], *, line_model: str,
                    line_fields: list[str]) -> tuple[dict, list[dict]] | None:
    """The order and its lines in ONE call: `web_read` (Odoo 17+, `addons/web/models/models.py`) reads the
    one2many's records as nested dicts, where `read` would give line ids and need a second call. Rows come back as
    `read` gives them (a many2one as [id, name]), so callers map both alike. None when the order does not exist."""
    odoo = client()
    spec = _spec(odoo, model, [name for name in fields if name != "order_line"])
    spec["order_line"] = {"fields": _spec(odoo, line_model, line_fields)}
    try:
        rows = odoo.call(model, "web_read", ids=[odoo_id], specification=spec) or []
    except errors.OdooMissingError:
        return None
    if not rows:
        return None
    row = _as_read(rows[0])
    return row, [_as_read(line) for line in row.pop("order_line", None) or []]


def _spec(odoo: OdooClient, model: str, names: list[str]) -> dict:
    # A many2one without a sub-specification comes back as a bare id; with `display_name` it carries the name.
    types = model_fields(odoo, model)
    return {name: ({"fields": {"display_name": {}}} if types.get(name, {}).get("type") == "many2one" else {})
            for name in names}


def _as_read(row: dict) -> dict:
    return {name: ([value["id"], value.get("display_name") or ""] if isinstance(value, dict) and "id" in value
                   else value) for name, value in row.items()}
