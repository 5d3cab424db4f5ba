"""In-memory tables and a small ORM for the Odoo stand-in: search/read/create/write with Odoo's return shapes.

Many2one values read as `[id, display_name]` or `False`, x2many as id lists, empty values as `False`, datetimes
as `'YYYY-MM-DD HH:MM:SS'` strings (NOTES.md §7.3). `read` silently skips missing ids; `write` on one raises
MissingError, as Odoo does.
"""

from __future__ import annotations

import datetime as dt
import threading

from integrations.odoo.standin import errors
from integrations.odoo.standin.schema import model_fields, names

DATETIME_FMT = "%Y-%m-%d %H:%M:%S"


def now_str() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime(DATETIME_FMT)


class Store:
    def __init__(self, version: int = 17):
        self.version = int(version)
        self.fields = model_fields(self.version)
        self.names = names(self.version)
        self.tables: dict[str, dict[int, dict]] = {model: {} for model in self.fields}
        self.next_ids: dict[str, int] = {model: 1 for model in self.fields}
        self.lock = threading.RLock()
        self.calls: list[tuple[str, str]] = []  # (model, method) of every execute, for assertions

    # --- low level -------------------------------------------------------------------------------------------
    def insert(self, model: str, vals: dict) -> int:
        rid = self.next_ids[model]
        self.next_ids[model] += 1
        row = {name: False for name, spec in self.fields[model].items() if spec["type"] not in ("one2many",)}
        if "active" in row:
            row["active"] = True  # Odoo's default
        row.update({k: v for k, v in vals.items() if k in self.fields[model] or k == "id"})
        row["id"] = rid
        self.tables[model][rid] = row
        return rid

    def table(self, model: str) -> dict[int, dict]:
        if model not in self.tables:
            raise errors.UserError(f"Object {model} doesn't exist")
        return self.tables[model]

    def get(self, model: str, rid: int) -> dict:
        row = self.table(model).get(rid)
        if row is None:
            raise errors.MissingError(
                f"Record does not exist or has been deleted.\n(Record: {model}({rid},), User: 2)")
        return row

    def display_name(self, model: str, rid) -> str:
        row = self.tables.get(model, {}).get(rid)
        return (row or {}).get("name") or f"{model},{rid}"

    # --- read side -------------------------------------------------------------------------------------------
    def search(self, model: str, domain=None, offset=0, limit=None, order=None, **_ctx) -> list[int]:
        rows = [r for r in self.table(model).values() if r.get("active", True) is not False or
                _mentions(domain, "active")]
        rows = [r for r in rows if self.matches(model, r, list(domain or []))]
        rows.sort(key=lambda r: _order_key(r, order))
        ids = [r["id"] for r in rows][int(offset or 0):]
        return ids[: int(limit)] if limit else ids

    def search_count(self, model: str, domain=None, **_ctx) -> int:
        return len(self.search(model, domain))

    def read(self, model: str, ids, fields=None, **_ctx) -> list[dict]:
        ids = [ids] if isinstance(ids, int) else list(ids)
        table = self.table(model)
        return [self.render(model, table[i], fields) for i in ids if i in table]

    def search_read(self, model: str, domain=None, fields=None, offset=0, limit=None, order=None, **_ctx):
        return self.read(model, self.search(model, domain, offset, limit, order), fields)

    def render(self, model: str, row: dict, fields=None) -> dict:
        spec = self.fields[model]
        wanted = [f for f in (fields or list(spec)) if f in spec]
        out = {"id": row["id"]}
        for name in wanted:
            out[name] = self.render_value(model, row, name, spec[name])
        return out

    def render_value(self, model: str, row: dict, name: str, spec: dict):
        if spec["type"] == "one2many":
            return self.one2many(model, row["id"], name)
        value = row.get(name, False)
        if spec["type"] == "many2one":
            return [value, self.display_name(spec["relation"], value)] if value else False
        if spec["type"] == "many2many":
            return list(value or [])
        if value is None or value == "":
            return False
        return value

    def one2many(self, model: str, rid: int, name: str) -> list[int]:
        inverse = {("purchase.order", "order_line"): ("purchase.order.line", "order_id"),
                   ("product.product", "seller_ids"): ("product.supplierinfo", "product_id")}[(model, name)]
        return sorted(r["id"] for r in self.tables[inverse[0]].values() if r.get(inverse[1]) == rid)

    # --- write side ------------------------------------------------------------------------------------------
    def create(self, model: str, vals: dict) -> int:
        self.table(model)
        for name, spec in self.fields[model].items():
            if spec.get("required") and not vals.get(name) and name not in ("name", "currency_id", "date_order"):
                raise errors.ValidationError(
                    f"The operation cannot be completed: Missing required fields on {model}: {name}")
        return self.insert(model, self.clean(model, vals))

    def write(self, model: str, ids, vals: dict) -> bool:
        rows = [self.get(model, i) for i in ([ids] if isinstance(ids, int) else ids)]
        clean = self.clean(model, vals)
        for row in rows:
            row.update(clean)
        return True

    def clean(self, model: str, vals: dict) -> dict:
        spec = self.fields[model]
        unknown = [k for k in vals if k not in spec]
        if unknown:
            raise errors.ValidationError(f"Invalid field {unknown[0]!r} on model {model!r}")
        out = {}
        for name, value in vals.items():
            if spec[name].get("readonly") and name not in ("state",):
                continue
            if spec[name]["type"] == "many2many":
                value = _apply_m2m(value)
            if spec[name]["type"] != "one2many":
                out[name] = value
        return out

    # --- domain ----------------------------------------------------------------------------------------------
    def matches(self, model: str, row: dict, domain: list) -> bool:
        if not domain:
            return True
        result, rest = self._eval(model, row, domain)
        return result and self.matches(model, row, rest) if rest else result

    def _eval(self, model: str, row: dict, domain: list):
        head, rest = domain[0], domain[1:]
        if head == "!":
            value, rest = self._eval(model, row, rest)
            return not value, rest
        if head in ("&", "|"):
            left, rest = self._eval(model, row, rest)
            right, rest = self._eval(model, row, rest)
            return (left and right) if head == "&" else (left or right), rest
        return self._term(model, row, head), rest

    def _term(self, model: str, row: dict, term) -> bool:
        field, op, expected = term
        if field == "id":
            value = row["id"]
        elif self.fields[model].get(field, {}).get("type") == "one2many":
            value = self.one2many(model, row["id"], field)
        else:
            if field not in self.fields[model]:
                raise errors.ValidationError(f"Invalid field {model}.{field} in leaf {tuple(term)}")
            value = row.get(field, False)
        return _compare(value, op, expected)


def _compare(value, op: str, expected) -> bool:
    if isinstance(value, list) and op in ("=", "in"):
        wanted = expected if isinstance(expected, list) else [expected]
        return any(v in wanted for v in value)
    ops = {
        "=": lambda: value == expected or (expected is False and not value),
        "!=": lambda: value != expected,
        "in": lambda: value in expected,
        "not in": lambda: value not in expected,
        "ilike": lambda: str(expected).lower() in str(value or "").lower(),
        "not ilike": lambda: str(expected).lower() not in str(value or "").lower(),
        "like": lambda: str(expected) in str(value or ""),
        "=ilike": lambda: str(value or "").lower() == str(expected).lower(),
        ">": lambda: value > expected, "<": lambda: value < expected,
        ">=": lambda: value >= expected, "<=": lambda: value <= expected,
    }
    if op not in ops:
        raise errors.ValidationError(f"Invalid leaf operator {op!r}")
    return bool(ops[op]())


def _mentions(domain, field: str) -> bool:
    return any(isinstance(t, (list, tuple)) and t and t[0] == field for t in domain or [])


def _order_key(row: dict, order):
    if not order:
        return row["id"]
    field, _, direction = str(order).split(",")[0].strip().partition(" ")
    value = row.get(field, 0) or 0
    return (-value if isinstance(value, (int, float)) and direction.lower() == "desc" else value, row["id"])


def _apply_m2m(value) -> list[int]:
    """(6, 0, ids) and (4, id) commands, or a plain id list."""
    ids: list[int] = []
    for item in value or []:
        if isinstance(item, (list, tuple)) and item and item[0] == 6:
            ids = list(item[2])
        elif isinstance(item, (list, tuple)) and item and item[0] == 4:
            ids.append(item[1])
        elif isinstance(item, int):
            ids.append(item)
    return ids
