"""What the purchase and sale gateways share: the client, the look-up by our key, and "act, then re-read"."""

from __future__ import annotations

import logging
from typing import Callable

from integrations.odoo import errors
from integrations.odoo.client import OdooClient, get_client
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
