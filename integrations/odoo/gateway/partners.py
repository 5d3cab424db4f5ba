"""Partners (vendors in purchase mode, customers in sale mode): `res.partner`, found by phone or e-mail."""

from __future__ import annotations

import phonenumbers
from django.conf import settings

from integrations.odoo.fields import detect_for
from integrations.odoo.gateway.common import client


def e164(phone: str, region: str = "CL") -> str:
    try:
        parsed = phonenumbers.parse(phone or "", region)
    except phonenumbers.NumberParseException:
        return ""
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) if phonenumbers.is_possible_number(parsed) else ""


def partner_find(*, phone: str = "", email: str = "") -> int | None:
    """By E.164-normalised phone (and mobile where the field exists), then by e-mail, in ONE search. Odoo stores
    phones as typed ("+56 9 8765 4321"), so we narrow by the last four digits and compare normalised here."""
    odoo = client()
    wanted = e164(phone)
    phone_fields = ["phone"] + (["mobile"] if detect_for(odoo, settings.ODOO_ORDER_MODEL).partner_mobile else [])
    leaves = [(f, "ilike", wanted[-4:]) for f in phone_fields] if wanted else []
    leaves += [("email", "=ilike", email.strip())] if email else []
    if not leaves:
        return None
    rows = odoo.search_read("res.partner", ["|"] * (len(leaves) - 1) + leaves, ["id", "email"] + phone_fields,
                            limit=50)
    by_phone = [r["id"] for r in rows if wanted and any(e164(r.get(f) or "") == wanted for f in phone_fields)]
    by_email = [r["id"] for r in rows if email and (r.get("email") or "").lower() == email.strip().lower()]
    return (by_phone or by_email or [None])[0]


def partner_create(*, name: str, phone: str, email: str) -> int | None:
    """A write without a key of its own: after a maybe-done failure, `partner_find` by the same phone/e-mail."""
    vals = {"name": name or phone or email, "phone": phone or False, "email": email or False}
    return client().create("res.partner", vals)
