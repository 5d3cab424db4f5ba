"""Who is writing: Contact and ContactIdentity resolution per channel (PROTOCOL.md section 3), and merges.

Every write is an upsert guarded by a unique constraint (contact per (account, chatwoot id), identity per
(inbox, source id)), so concurrent deliveries about one person converge on one row.
"""

from __future__ import annotations

import re

import phonenumbers
from django.db import IntegrityError, transaction
from django.utils import timezone

from conversations.models import Channel, Contact, ContactIdentity, Conversation

_DIGITS = re.compile(r"^\+?\d{6,15}$")
EMAIL_MAX_LENGTH = Contact._meta.get_field("email").max_length


def phone_to_e164(raw: str | None) -> str:
    """'+5511987654321', '5511987654321' (WhatsApp wa_id) or 'whatsapp:+1555…' (Twilio) → E.164, else ''."""
    if not raw:
        return ""
    text = str(raw).removeprefix("whatsapp:").strip()
    if not _DIGITS.match(text):
        return ""  # e.g. a WhatsApp BSUID such as "US.1349…" for username-only users: no phone to derive
    try:
        number = phonenumbers.parse(text if text.startswith("+") else f"+{text}", None)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def contact_fields(data: dict, *, channel: str = "", source_id: str = "") -> dict:
    """The Contact columns this payload knows; channel source ids fill gaps (wa_id digits, e-mail address)."""
    phone = phone_to_e164(data.get("phone_number"))
    if not phone and channel in (Channel.WHATSAPP, Channel.SMS):
        phone = phone_to_e164(source_id)
    email = (data.get("email") or "").strip().lower()
    candidate = source_id.strip().lower()
    # An e-mail inbox's source id is the address; one too long for the column is not an address we can keep.
    if not email and channel == Channel.EMAIL and "@" in candidate and len(candidate) <= EMAIL_MAX_LENGTH:
        email = candidate
    fields = {"name": (data.get("name") or "")[:255], "phone_e164": phone, "email": email,
              "identifier": (data.get("identifier") or "")[:255],
              "additional_attributes": data.get("additional_attributes") or {}}
    fields = {k: v for k, v in fields.items() if v}
    fields["is_anonymous"] = not (phone or email or fields.get("identifier"))
    return fields


def contact_upsert(*, account_id: int, data: dict, channel: str = "", source_id: str = "") -> Contact:
    """Insert or update the contact with this Chatwoot id; returns the surviving contact (after any merge)."""
    chatwoot_id = data.get("id")
    fields = contact_fields(data, channel=channel, source_id=source_id)
    if chatwoot_id is None:
        return _contact_without_id(account_id=account_id, fields=fields)
    contact, created = insert_or_get(Contact, {"account_id": account_id, "chatwoot_id": chatwoot_id}, fields)
    if not created:
        _update_known_fields(contact, fields)
    survivor = contact_merge_if_identified(contact=contact)
    return survivor


def _contact_without_id(*, account_id: int, fields: dict) -> Contact:
    """Echo payloads may lack a contact id; fall back to the phone/e-mail, else an anonymous row."""
    for key in ("phone_e164", "email"):
        if fields.get(key):
            found = Contact.objects.filter(account_id=account_id, merged_into=None, **{key: fields[key]}).first()
            if found:
                return found
    return Contact.objects.create(account_id=account_id, **fields)


def _update_known_fields(contact: Contact, fields: dict) -> None:
    # Never blank out what we knew: a later payload may carry less (e.g. a typing event's contact).
    changed = [k for k, v in fields.items() if getattr(contact, k) != v and (v or k == "is_anonymous")]
    if contact.is_anonymous is False and fields.get("is_anonymous"):
        changed.remove("is_anonymous")
    if not changed:
        return
    for key in changed:
        setattr(contact, key, fields[key])
    contact.updated_at = timezone.now()
    contact.save(update_fields=[*changed, "updated_at"])


def contact_merge_if_identified(*, contact: Contact) -> Contact:
    """A web visitor identified by the site (setUser: identifier or e-mail) who is already a known contact is
    merged into that contact: `merged_into` is kept on the visitor and its conversations move to the survivor."""
    if contact.merged_into_id:
        return Contact.objects.get(pk=contact.merged_into_id)
    survivor = _existing_with_same_identity(contact)
    if survivor is None:
        return contact
    with transaction.atomic():
        Contact.objects.filter(pk=contact.pk).update(merged_into=survivor, updated_at=timezone.now())
        _move_conversations(source=contact, target=survivor)
        ContactIdentity.objects.filter(contact=contact).update(contact=survivor)
    return survivor


def _existing_with_same_identity(contact: Contact) -> Contact | None:
    others = Contact.objects.filter(account_id=contact.account_id, merged_into=None).exclude(pk=contact.pk)
    for key in ("identifier", "email"):
        value = getattr(contact, key)
        if value:
            # The oldest identified contact survives, so repeated merges converge on one row.
            found = others.filter(**{key: value}).order_by("pk").first()
            if found and found.pk < contact.pk:
                return found
    return None


def _move_conversations(*, source: Contact, target: Contact) -> None:
    now = timezone.now()
    for conv in Conversation.objects.filter(contact=source, is_active=True):
        # The visitor's live conversation is the current one: the survivor's older one on that channel ends.
        Conversation.objects.filter(contact=target, channel=conv.channel, is_active=True).update(
            is_active=False, ended_at=now, updated_at=now)
    Conversation.objects.filter(contact=source).update(contact=target, updated_at=now)


def identity_upsert(*, contact: Contact, inbox_id, channel: str, source_id) -> None:
    """One row per (inbox, source id); a re-identified source id follows its contact."""
    if inbox_id is None or not source_id:
        return
    identity, created = insert_or_get(
        ContactIdentity, {"inbox_id": inbox_id, "source_id": str(source_id)[:255]},
        {"contact": contact, "channel": channel})
    if not created and identity.contact_id != contact.pk:
        ContactIdentity.objects.filter(pk=identity.pk).update(contact=contact, updated_at=timezone.now())


def insert_or_get(model, lookup: dict, defaults: dict):
    """Insert first inside a savepoint; the unique constraint decides races (no check-then-act)."""
    try:
        with transaction.atomic():
            return model.objects.create(**lookup, **defaults), True
    except IntegrityError:
        return model.objects.get(**lookup), False
