"""In-memory tables and a small ORM for the Odoo stand-in: search/read/create/write with Odoo's return shapes.

Many2one values read as `[id, display_name]` or `False`, x2many as id lists, empty values as `False`, datetimes
as `'YYYY-MM-DD HH:MM:SS'` strings (NOTES.md §7.3). `read` silently skips missing ids; `write` on one raises
MissingError, as Odoo does. `snapshot`/`restore` give each call Odoo's transaction: a refused call changes nothing,
but the ids it drew stay drawn (PostgreSQL sequences do not roll back). `dump`/`load` are the JSON state file.
"""

from __future__ import annotations

import copy
import datetime as dt
import threading

from integrations.odoo.standin import errors
from integrations.odoo.standin.schema import APPS, model_fields, names

DATETIME_FMT = "%Y-%m-%d %H:%M:%S"


def now_str() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime(DATETIME_FMT)


def add_days(when: str, days: float) -> str:
    """`when` ('YYYY-MM-DD HH:MM:SS', UTC) plus some days, in the same format."""
    return (dt.datetime.strptime(when, DATETIME_FMT) + dt.timedelta(days=float(days or 0))).strftime(DATETIME_FMT)


class Store:
    def __init__(self, version: int = 17, apps=APPS):
        self.version = int(version)
        self.apps = frozenset(apps)
        self.fields = model_fields(self.version, self.apps)
        self.names = names(self.version)
        self.tables: dict[str, dict[int, dict]] = {model: {} for model in self.fields}
        self.next_ids: dict[str, int] = {model: 1 for model in self.fields}
        self.lock = threading.RLock()
        self.calls: list[tuple[str, str]] = []  # (model, method) of every execute, for assertions

    # --- transactions and the state file ---------------------------------------------------------------------
    def snapshot(self) -> dict:
        return copy.deepcopy(self.tables)

    def restore(self, tables: dict) -> None:
        self.tables = tables

    def dump(self) -> dict:
        return {"tables": {model: list(rows.values()) for model, rows in self.tables.items()},
                "next_ids": dict(self.next_ids)}

    def load(self, data: dict) -> None:
        """Rows from a state file; fields this version added since are `False`, ids keep their high-water mark."""
        for model, rows in (data.get("tables") or {}).items():
            if model not in self.fields:
                continue
            blank = self._blank_row(model)
            self.tables[model] = {int(row["id"]): {**blank, **row, "id": int(row["id"])} for row in rows}
        for model, next_id in (data.get("next_ids") or {}).items():
            if model in self.next_ids:
                highest = max(self.tables[model], default=0)
                self.next_ids[model] = max(int(next_id), highest + 1)

    # --- low level -------------------------------------------------------------------------------------------
    def insert(self, model: str, vals: dict) -> int:
        rid = self.next_ids[model]
        self.next_ids[model] += 1
        row = self._blank_row(model)
        row.update({k: v for k, v in vals.items() if k in self.fields[model] or k == "id"})
        row["id"] = rid
        self.tables[model][rid] = row
        return rid

    def _blank_row(self, model: str) -> dict:
        row = {name: False for name, spec in self.fields[model].items() if spec["type"] not in ("one2many",)}
        if "active" in row:
            row["active"] = True  # Odoo's default
        return row

    def table(self, model: str) -> dict[int, dict]:
        if model not in self.tables:
            raise errors.ModelNotFound(model)
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

    def web_read(self, model: str, ids, specification=None, **_ctx) -> list[dict]:
        """Odoo 17+'s `web_read(specification)` (`addons/web/models/models.py`): the fields named, a many2one as its
        id, or as `{"id", ...}` when its spec has `fields`; an x2many as ids, or as nested records."""
        ids = [ids] if isinstance(ids, int) else list(ids)
        table = self.table(model)
        return [self._web_row(model, table[i], specification or {}) for i in ids if i in table]

    def _web_row(self, model: str, row: dict, specification: dict) -> dict:
        out = {"id": row["id"]}
        for name, sub in specification.items():
            if name == "display_name":
                out[name] = self.display_name(model, row["id"])
                continue
            spec = self.fields[model].get(name)
            if spec is None:
                raise ValueError(f"Invalid field {name!r} on model {model!r}")
            out[name] = self._web_value(model, row, name, spec, (sub or {}).get("fields"))
        return out

    def _web_value(self, model: str, row: dict, name: str, spec: dict, nested: dict | None):
        if spec["type"] == "many2one":
            value = row.get(name) or False
            if not value or nested is None:
                return value
            return self._web_row(spec["relation"], self.get(spec["relation"], value), nested)
        if spec["type"] in ("one2many", "many2many"):
            ids = self.one2many(model, row["id"], name) if spec["type"] == "one2many" else list(row.get(name) or [])
            if nested is None:
                return ids
            related = self.tables[spec["relation"]]
            return [self._web_row(spec["relation"], related[i], nested) for i in ids if i in related]
        return self.render_value(model, row, name, spec)

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
        spec = self.fields[model][name]
        return sorted(r["id"] for r in self.tables[spec["relation"]].values() if r.get(spec["inverse"]) == rid)

    def children(self, model: str, rid: int, name: str) -> list[dict]:
        """The rows of a one2many, in id order."""
        related = self.tables[self.fields[model][name]["relation"]]
        return [related[i] for i in self.one2many(model, rid, name)]

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
