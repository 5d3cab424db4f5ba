"""The stand-in's control API under `/standin/`, for tests and external fault suites (JSON in, JSON out).

| route | what it does |
| --- | --- |
| `GET /standin/faults` | `{"armed": [...], "applied": [...], "latency": s}` |
| `POST /standin/faults` | arm one fault (an object, see `faults.py`), or `{"faults": [...]}`; `201 {"armed": [...]}` |
| `DELETE /standin/faults` | disarm everything and forget what was applied |
| `POST /standin/latency` | `{"seconds": s}`: added to every model call from now on |
| `POST /standin/deliveries` | `{"order": id or "S00001", "quantities": {"<line id>": qty}}` (no quantities: all due) |
| `POST /standin/receipts` | the same for a purchase order (`"P00001"`) |
| `GET /standin/orders` | every order, short: `{"purchase.order": [...], "sale.order": [...]}` |

A bad request is `400 {"error": "..."}`; an Odoo refusal (delivering a draft) is `422 {"error": "..."}`.
"""

from __future__ import annotations

import json

from integrations.odoo.standin import errors
from integrations.odoo.standin.faults import Fault, FaultError

ORDER_FIELDS = ("id", "name", "state", "origin", "amount_total")


class Control:
    def __init__(self, standin):
        self.standin = standin
        self.routes = {
            ("GET", "/standin/faults"): lambda body: (200, self.standin.faults.describe()),
            ("POST", "/standin/faults"): self._arm,
            ("DELETE", "/standin/faults"): self._clear,
            ("POST", "/standin/latency"): self._latency,
            ("POST", "/standin/deliveries"): lambda body: self._move(body, "sale.order", self.standin.state.deliver),
            ("POST", "/standin/receipts"): lambda body: self._move(body, "purchase.order", self.standin.state.receive),
            ("GET", "/standin/orders"): lambda body: (200, self._orders()),
        }

    def handle(self, handler, verb: str, body: bytes) -> None:
        route = self.routes.get((verb, handler.path.split("?", 1)[0].rstrip("/")))
        if route is None:
            return handler._json(404, {"error": f"no {verb} {handler.path} on the stand-in's control API"})
        try:
            status, data = route(_parse(body) if verb == "POST" else None)
        except FaultError as exc:
            status, data = 400, {"error": str(exc)}
        except errors.StandinError as exc:
            status, data = 422, {"error": exc.message}
        handler._json(status, data)

    def _arm(self, body) -> tuple[int, dict]:
        specs = body.get("faults") if isinstance(body, dict) and "faults" in body else body
        faults = [Fault.from_dict(spec) for spec in (specs if isinstance(specs, list) else [specs])]
        for fault in faults:
            if fault.kind == "down":
                self.standin.down_for(fault)
            else:
                self.standin.faults.arm(fault)
        return 201, {"armed": self.standin.faults.describe()["armed"]}

    def _clear(self, body) -> tuple[int, dict]:
        self.standin.faults.clear()
        return 200, self.standin.faults.describe()

    def _latency(self, body) -> tuple[int, dict]:
        seconds = body.get("seconds") if isinstance(body, dict) else None
        if not isinstance(seconds, (int, float)) or seconds < 0:
            raise FaultError("latency needs {\"seconds\": a number >= 0}")
        self.standin.latency = seconds
        return 200, {"latency": float(seconds)}

    def _move(self, body, model: str, move) -> tuple[int, dict]:
        if not isinstance(body, dict) or "order" not in body:
            raise FaultError('give {"order": <id or name>, "quantities": {"<line id>": qty}} (quantities optional)')
        quantities = body.get("quantities")
        if quantities is not None and not isinstance(quantities, dict):
            raise FaultError("quantities is an object of line id → quantity")
        order = move(self._order_id(model, body["order"]), quantities)
        lines = self.standin.state.children(model, order["id"], "order_line")
        done = "qty_delivered" if model == "sale.order" else "qty_received"
        status = "delivery_status" if model == "sale.order" else "receipt_status"
        return 200, {"id": order["id"], "name": order["name"], status: order[status],
                     "lines": [{"id": line["id"], done: line[done]} for line in lines]}

    def _order_id(self, model: str, ref) -> int:
        if isinstance(ref, int):
            return ref
        found = self.standin.state.search(model, [("name", "=", str(ref))], limit=1)
        if not found:
            raise FaultError(f"no {model} named {ref!r}")
        return found[0]

    def _orders(self) -> dict:
        state = self.standin.state
        with state.lock:
            return {model: [{f: row.get(f) for f in ORDER_FIELDS} for row in state.tables[model].values()]
                    for model in ("purchase.order", "sale.order") if model in state.tables}


def _parse(body: bytes):
    try:
        return json.loads(body or b"null")
    except ValueError as exc:
        raise FaultError(f"the body is not JSON: {exc}") from exc
