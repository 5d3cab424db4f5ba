"""The stand-in's database: seeded tables, users and their rights, and `execute` — the one entry every protocol
calls. Each call runs as one transaction: a refused call leaves no trace (its ids stay drawn, as in PostgreSQL);
after a call that may have changed something, `on_change` (the state file, when there is one) saves the state
BEFORE the answer leaves, so whatever a client was told exists survives a crash.
"""

from __future__ import annotations

from typing import Callable

from integrations.odoo.standin import catalog, errors
from integrations.odoo.standin.purchase import PURCHASE_TAX_ID, PurchaseMixin
from integrations.odoo.standin.sale import SaleMixin
from integrations.odoo.standin.schema import APPS
from integrations.odoo.standin.store import Store

READ_METHODS = {"search", "search_read", "search_count", "read", "web_read", "fields_get", "name_search",
                "context_get"}
ORM_METHODS = READ_METHODS | {"create", "write", "unlink"}
MODEL_METHODS = {
    "purchase.order": {"button_confirm", "button_approve", "button_cancel", "button_draft", "button_unlock",
                       "message_post"},
    "sale.order": {"action_confirm", "action_cancel", "action_quotation_sent", "action_draft", "action_lock",
                   "action_unlock", "message_post"},
}
# Which right each model needs: (user flag, model description, group as Odoo names it in the AccessError).
MODEL_RIGHTS = {
    "purchase.order": ("purchase_user", "Purchase Order", "Purchase/User"),
    "purchase.order.line": ("purchase_user", "Purchase Order Line", "Purchase/User"),
    "sale.order": ("sale_user", "Sales Order", "Sales/User: Own Documents Only"),
    "sale.order.line": ("sale_user", "Sales Order Line", "Sales/User: Own Documents Only"),
}
VERBS = {"create": "create", "write": "modify", "unlink": "delete"}
SALE_TAX_ID = 2  # the seeded "IVA 19% Venta"


class OdooState(SaleMixin, PurchaseMixin, Store):
    def __init__(self, version: int = 17, *, seed: bool = True, apps=APPS):
        super().__init__(version, apps)
        self.users: dict[str, tuple[str, int]] = {}  # login → (password or API key, uid)
        self.on_change: Callable[[OdooState], None] | None = None
        self._seed_base()
        if seed:
            self.seed_catalog()

    # --- seed ------------------------------------------------------------------------------------------------
    def _seed_base(self) -> None:
        self.insert("res.currency", {"name": "CLP"})
        self.insert("account.tax", {"name": "IVA 19% Compra", "amount": 19.0, "type_tax_use": "purchase"})
        self.insert("account.tax", {"name": "IVA 19% Venta", "amount": 19.0, "type_tax_use": "sale"})
        self.insert("res.company", {"name": "Distribuidora Andes SpA", "currency_id": 1,
                                    "po_double_validation": "one_step", "po_double_validation_amount": 5000.0,
                                    "po_lock": "edit", "quotation_validity_days": 30, "sale_lock_confirmed": False})
        self.insert("res.users", {"name": "OdooBot", "login": "__system__", "company_id": 1})
        self.add_user("admin", "admin", name="Integración Chat", manager=False)
        for name in catalog.UOMS:
            self.insert("uom.uom", {"name": name})

    def add_user(self, login: str, password: str, *, name: str = "", manager: bool = False, purchase: bool = True,
                 sale: bool = True) -> int:
        uid = self.insert("res.users", {"name": name or login, "login": login, "company_id": 1,
                                        "purchase_manager": manager, "purchase_user": purchase or manager,
                                        "sale_user": sale})
        self.users[login] = (password, uid)
        self.changed()
        return uid

    def seed_catalog(self) -> None:
        vendor_ids = [self.insert("res.partner", {"name": n, "phone": p, "email": e, "is_company": True,
                                                  "supplier_rank": 1, "active": True})
                      for n, p, e in catalog.VENDORS]
        uom_ids = {self.tables["uom.uom"][i]["name"]: i for i in self.tables["uom.uom"]}
        product_ids = {item.code: self.add_product(item, uom_id=uom_ids[item.uom], vendor_id=vendor_ids[item.vendor])
                       for item in catalog.PRODUCTS}
        pricelists = {name: self.add_pricelist(name, rules, product_ids) for name, rules in catalog.PRICELISTS.items()}
        for name, phone, email, pricelist in catalog.CUSTOMERS:
            self.insert("res.partner", {"name": name, "phone": phone, "email": email, "is_company": True,
                                        "customer_rank": 1, "property_product_pricelist": pricelists.get(pricelist)
                                        or False})

    def add_product(self, item: catalog.Item, *, uom_id: int, vendor_id: int) -> int:
        tmpl = self.insert("product.template", {"name": item.name})
        vals = {"name": item.name, "default_code": item.code, "purchase_ok": item.purchase_ok, "sale_ok": item.sale_ok,
                "type": "consu", "standard_price": float(item.cost), "uom_id": uom_id, "active": True,
                "lst_price": float(item.list_price), "list_price": float(item.list_price),
                "description_sale": item.description or False, "sale_delay": float(item.lead_days),
                "taxes_id": [SALE_TAX_ID], "supplier_taxes_id": [PURCHASE_TAX_ID],
                "qty_available": float(item.on_hand), "free_qty": float(item.on_hand - item.reserved),
                "virtual_available": float(item.on_hand - item.reserved), "product_tmpl_id": tmpl}
        if self.version < 19:
            vals["uom_po_id"] = uom_id
        pid = self.insert("product.product", vals)
        if item.vendor_price is not None:
            self.insert("product.supplierinfo", {
                "partner_id": vendor_id, "product_id": pid, "product_tmpl_id": tmpl, "price": float(item.vendor_price),
                "min_qty": 0.0, "delay": 2, "sequence": 1, self.names["seller_uom"]: uom_id})
        return pid

    def add_pricelist(self, name: str, rules, product_ids: dict[str, int]) -> int:
        vals = {"name": name, "currency_id": 1, "active": True}
        if self.version < 18:
            vals["discount_policy"] = "with_discount"
        pricelist_id = self.insert("product.pricelist", vals)
        for code, kind, value, min_qty in rules:
            self.insert("product.pricelist.item", {
                "pricelist_id": pricelist_id, "applied_on": "0_product_variant" if code else "3_global",
                "product_id": product_ids.get(code) or False, "compute_price": kind, "min_quantity": float(min_qty),
                "fixed_price": float(value) if kind == "fixed" else 0.0,
                "percent_price": float(value) if kind == "percentage" else 0.0})
        return pricelist_id

    def set_double_validation(self, *, amount: float, lock: bool = False) -> None:
        self.tables["res.company"][1].update(po_double_validation="two_step",
                                             po_double_validation_amount=float(amount),
                                             po_lock="lock" if lock else "edit")
        self.changed()

    def reserve_order_ids(self, *, after: int) -> None:
        """Odoo never reuses an order id: start the order sequences above ids someone may already hold."""
        with self.lock:
            for model in ("purchase.order", "sale.order"):
                if model in self.next_ids:
                    self.next_ids[model] = max(self.next_ids[model], int(after) + 1)
            self.changed()

    def changed(self) -> None:
        if self.on_change is not None:
            self.on_change(self)

    # --- auth and rights -------------------------------------------------------------------------------------
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

    def check_access(self, uid: int, model: str, method: str) -> None:
        if model not in MODEL_RIGHTS or method in ("fields_get", "context_get"):
            return
        flag, description, group = MODEL_RIGHTS[model]
        if self.tables["res.users"].get(uid, {}).get(flag):
            return
        verb = "access" if method in READ_METHODS else VERBS.get(method, "modify")
        raise errors.AccessError(
            f"You are not allowed to {verb} '{description}' ({model}) records.\n\nThis operation is allowed for the "
            f"following groups:\n\t- {group}\n\nContact your administrator to request access if necessary.")

    # --- dispatch --------------------------------------------------------------------------------------------
    def execute(self, uid: int, model: str, method: str, args: list, kwargs: dict):
        kwargs = dict(kwargs or {})
        context = kwargs.pop("context", None) or {}
        with self.lock:
            self.calls.append((model, method))
            self.table(model)
            self._check_public(model, method)
            self.check_access(uid, model, method)
            if method in READ_METHODS:
                return self._run(uid, model, method, list(args or []), kwargs, context)
            before = self.snapshot()
            try:
                result = self._run(uid, model, method, list(args or []), kwargs, context)
                self.changed()  # saving is part of the commit: if it fails, nothing happened
            except BaseException:
                self.restore(before)  # Odoo rolls the transaction back; sequences keep what they drew
                raise
            return result

    def _run(self, uid, model, method, args, kwargs, context):
        try:
            return self._dispatch(uid, model, method, args, kwargs, context)
        except (TypeError, ValueError, KeyError, IndexError, AttributeError) as exc:
            # Bad arguments and the like: Odoo answers any Python error as a generic fault (code 1).
            raise errors.ServerFault(f"{type(exc).__name__}: {exc}") from exc

    def _check_public(self, model: str, method: str) -> None:
        if method.startswith("_"):
            raise errors.AccessError(f"Private methods (such as '{model}.{method}') cannot be called remotely.")
        if method not in ORM_METHODS | self._methods(model):
            raise errors.MethodNotFound(model, method)

    def _methods(self, model: str) -> set[str]:
        methods = set(MODEL_METHODS.get(model, ()))
        if model == "purchase.order":
            methods.add("button_lock" if self.version >= 19 else "button_done")
        return methods

    def _dispatch(self, uid, model, method, args, kwargs, context):
        special = {("purchase.order", "create"): lambda: self._create(uid, model, self.po_create, *args, **kwargs),
                   ("purchase.order", "write"): lambda: self.po_write(*args, **kwargs),
                   ("sale.order", "create"): lambda: self._create(uid, model, self.so_create, *args, **kwargs),
                   ("sale.order", "write"): lambda: self.so_write(*args, **kwargs),
                   ("purchase.order", "message_post"): lambda: self.po_message_post(uid, *args, context=context,
                                                                                     **kwargs),
                   ("sale.order", "message_post"): lambda: self.so_message_post(uid, *args, context=context,
                                                                                 **kwargs)}
        if (model, method) in special:
            return special[(model, method)]()
        if method in MODEL_METHODS.get(model, ()) or method in ("button_lock", "button_done"):
            return getattr(self, method)(uid, *args, context=context, **kwargs)
        if model in ("purchase.order.line", "sale.order.line") and method in ("create", "write", "unlink"):
            return self._line_call(model, method, *args, **kwargs)
        if method == "create":
            return self._create(uid, model, lambda _uid, vals: self.create(model, vals), *args, **kwargs)
        if method == "context_get":
            return {"lang": "es_CL", "tz": "America/Santiago", "uid": uid}
        return getattr(self, method)(model, *args, **kwargs)

    def _create(self, uid, model, create_one, vals_list=None, **_):
        many = isinstance(vals_list, list)
        ids = [create_one(uid, dict(v)) for v in (vals_list if many else [vals_list])]
        # Over RPC, create(dict) returns an int and create([dicts]) a list (NOTES §3.3).
        return ids if many else ids[0]

    def _line_call(self, model: str, method: str, *args, **kwargs):
        """Lines created, written or deleted directly go through their order, as Odoo's line models do."""
        order_model = model.removesuffix(".line")
        if method == "create":
            vals_list = args[0] if args else kwargs.get("vals_list")
            many = isinstance(vals_list, list)
            ids = [self._line_command(order_model, v.get("order_id"), (0, 0, v)) for v in
                   (vals_list if many else [vals_list])]
            return ids if many else ids[0]
        ids = args[0] if args else kwargs.get("ids")
        for lid in [ids] if isinstance(ids, int) else ids:
            line = self.get(model, lid)
            vals = (args[1] if len(args) > 1 else kwargs.get("vals")) if method == "write" else None
            self._line_command(order_model, line["order_id"], (1, lid, vals) if vals is not None else (2, lid))
        return True

    def _line_command(self, order_model: str, order_id, command: tuple):
        order = self.get(order_model, order_id)
        before = set(self.one2many(order_model, order["id"], "order_line"))
        apply_lines = self.po_apply_lines if order_model == "purchase.order" else self.so_apply_lines
        apply_lines(order, [command])
        created = set(self.one2many(order_model, order["id"], "order_line")) - before
        return created.pop() if created else True

    def post_message(self, model: str, records: list[dict], uid: int, *, body="", message_type="notification",
                     subtype_xmlid=False, **_) -> int:
        if len(records) != 1:
            raise errors.ServerFault(f"ValueError: Expected singleton: {model}{tuple(r['id'] for r in records)}")
        return self.insert("mail.message", {"model": model, "res_id": records[0]["id"], "body": body or False,
                                            "message_type": message_type, "subtype_xmlid": subtype_xmlid or False})

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
