"""The stand-in's database: seeded tables, users, and `execute` — the one entry every protocol calls."""

from __future__ import annotations

from integrations.odoo.standin import catalog, errors
from integrations.odoo.standin.purchase import PurchaseMixin
from integrations.odoo.standin.store import Store

PUBLIC_METHODS = {
    "search", "search_read", "search_count", "read", "create", "write", "unlink", "fields_get", "name_search",
    "button_confirm", "button_approve", "button_cancel", "button_draft", "button_done", "button_unlock",
    "context_get",
}


class OdooState(PurchaseMixin, Store):
    def __init__(self, version: int = 17, *, seed: bool = True):
        super().__init__(version)
        self.users: dict[str, tuple[str, int]] = {}  # login → (password or API key, uid)
        self._seed_base()
        if seed:
            self.seed_catalog()

    # --- seed ------------------------------------------------------------------------------------------------
    def _seed_base(self) -> None:
        self.insert("res.currency", {"name": "CLP"})
        self.insert("account.tax", {"name": "IVA 19% Compra", "amount": 19.0})
        self.insert("res.company", {"name": "Distribuidora Andes SpA", "currency_id": 1,
                                    "po_double_validation": "one_step", "po_double_validation_amount": 5000.0,
                                    "po_lock": "edit"})
        self.insert("res.users", {"name": "OdooBot", "login": "__system__", "company_id": 1})
        self.add_user("admin", "admin", name="Integración Chat", manager=False)
        for name in catalog.UOMS:
            self.insert("uom.uom", {"name": name})

    def add_user(self, login: str, password: str, *, name: str = "", manager: bool = False) -> int:
        uid = self.insert("res.users", {"name": name or login, "login": login, "company_id": 1,
                                        "purchase_manager": manager})
        self.users[login] = (password, uid)
        return uid

    def seed_catalog(self) -> None:
        vendor_ids = [self.insert("res.partner", {"name": n, "phone": p, "email": e, "is_company": True,
                                                  "supplier_rank": 1, "active": True})
                      for n, p, e in catalog.VENDORS]
        uom_ids = {self.tables["uom.uom"][i]["name"]: i for i in self.tables["uom.uom"]}
        for code, name, uom, vendor, price, cost, on_hand, purchasable in catalog.PRODUCTS:
            self.add_product(code=code, name=name, uom_id=uom_ids[uom], vendor_id=vendor_ids[vendor],
                             price=price, cost=cost, on_hand=on_hand, purchase_ok=purchasable)

    def add_product(self, *, code, name, uom_id, vendor_id, price, cost, on_hand, purchase_ok=True) -> int:
        tmpl = self.insert("product.template", {"name": name})
        vals = {"name": name, "default_code": code, "purchase_ok": purchase_ok, "sale_ok": True, "type": "consu",
                "standard_price": float(cost), "uom_id": uom_id, "qty_available": float(on_hand), "active": True,
                "product_tmpl_id": tmpl}
        if self.version < 19:
            vals["uom_po_id"] = uom_id
        pid = self.insert("product.product", vals)
        if price is not None:
            self.insert("product.supplierinfo", {
                "partner_id": vendor_id, "product_id": pid, "product_tmpl_id": tmpl, "price": float(price),
                "min_qty": 0.0, "delay": 2, "sequence": 1, self.names["seller_uom"]: uom_id})
        return pid

    def set_double_validation(self, *, amount: float, lock: bool = False) -> None:
        self.tables["res.company"][1].update(po_double_validation="two_step",
                                             po_double_validation_amount=float(amount),
                                             po_lock="lock" if lock else "edit")

    # --- auth ------------------------------------------------------------------------------------------------
    def login(self, db: str, login: str, password: str):
        found = self.users.get(login)
        return found[1] if found and password and found[0] == password else False

    def check_uid(self, uid, password) -> int:
        if not password or not any(u == uid and p == password for p, u in self.users.values()):
            raise errors.AccessDenied()
        return uid

    def uid_for_key(self, key: str) -> int:
        for password, uid in self.users.values():
            if key and password == key:
                return uid
        raise errors.AccessDenied("Invalid apikey")

    # --- dispatch --------------------------------------------------------------------------------------------
    def execute(self, uid: int, model: str, method: str, args: list, kwargs: dict):
        kwargs = {k: v for k, v in (kwargs or {}).items() if k != "context"}
        with self.lock:
            self.calls.append((model, method))
            self.table(model)
            if method.startswith("_"):
                raise errors.AccessError(
                    f"Private methods (such as '{model}.{method}') cannot be called remotely.")
            if method not in PUBLIC_METHODS:
                raise errors.ServerFault(f"AttributeError: The method '{model}.{method}' does not exist")
            return self._dispatch(uid, model, method, list(args or []), kwargs)

    def _dispatch(self, uid, model, method, args, kwargs):
        if method == "fields_get":
            return self.fields_get(model, *args, **kwargs)
        if method == "context_get":
            return {"lang": "es_CL", "tz": "America/Santiago", "uid": uid}
        if method == "create":
            return self._create(uid, model, *args, **kwargs)
        if method == "write" and model == "purchase.order":
            return self.po_write(*args, **kwargs)
        if method.startswith("button_"):
            if model != "purchase.order":
                raise errors.ServerFault(f"AttributeError: The method '{model}.{method}' does not exist")
            return getattr(self, method)(uid, *args, **kwargs)
        return getattr(self, method)(model, *args, **kwargs)

    def _create(self, uid, model, vals_list=None, **kwargs):
        many = isinstance(vals_list, list)
        ids = [self.po_create(uid, v) if model == "purchase.order" else self.create(model, v)
               for v in (vals_list if many else [vals_list])]
        # Over RPC, create(dict) returns an int and create([dicts]) a list (NOTES §3.3).
        return ids if many else ids[0]

    def unlink(self, model: str, ids, **_):
        for i in [ids] if isinstance(ids, int) else ids:
            self.get(model, i)
            self.tables[model].pop(i)
        return True

    def name_search(self, model: str, name="", args=None, operator="ilike", limit=100, **_):
        ids = self.search(model, list(args or []) + [("name", operator, name)], limit=limit)
        return [[i, self.display_name(model, i)] for i in ids]

    def fields_get(self, model: str, allfields=None, attributes=None, **_):
        spec = self.fields[model]
        wanted = allfields or list(spec)
        return {name: ({k: v for k, v in spec[name].items() if not attributes or k in attributes})
                for name in wanted if name in spec}
