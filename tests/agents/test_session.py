import threading
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from agents.models import Session
from agents.session import (
    DIALOGUE_CAP, SCHEMA_VERSION, SessionInvalid, UnknownSchemaVersion, apply_patch, build_new, hydrate,
    session_history, session_load, session_patch, upcast, validate,
)
from tests.agents.factories import make_conversation

V1_DOCUMENT = {
    "schema": 1, "lang": "en", "last_lane": "purchase", "last_intent": "order_create",
    "history": [{"from": "contact", "text": "I want 10 kg of almonds"}, {"from": "bot", "text": "Which kind?"}],
    "order": {"state": "draft", "lines": [{"product_code": "ALM-1", "quantity": 10}]},
    "pending_question": "Which kind?", "pending_options": ["Natural", "Tostada"],
    "handed_off": False, "handoff_reason": "", "turns": 4,
    "started_at": "2026-01-05T10:00:00+00:00", "updated_at": "2026-01-05T10:05:00+00:00",
}


def test_new_document_has_every_default_and_is_valid():
    document = build_new(now=timezone.now())
    assert document["schema_version"] == SCHEMA_VERSION
    assert document["dialogue"] == [] and document["counters"]["turns"] == 0
    assert document["slots"] == {"order": None, "pending_question": None}
    assert validate(document) is document


@pytest.mark.parametrize("change, problem", [
    ({"language": "fr"}, "language"),
    ({"last": {"lane": "info", "intent": "order_create"}}, "inconsistent"),
    ({"last": {"lane": "sales", "intent": "faq"}}, "inconsistent"),
    ({"counters": {"turns": -1}}, "counters"),
    ({"dialogue": [{"role": "robot", "text": "x"}]}, "dialogue"),
    ({"slots": {"order": None, "pending_question": {"text": "¿Cuál?", "options": ["a"]}}}, "options"),
])
def test_validator_rejects_wrong_structure_and_meaning(change, problem):
    document = {**build_new(now=timezone.now()), **change}
    with pytest.raises(SessionInvalid, match=problem):
        validate(document)


def test_validator_rejects_an_over_long_dialogue():
    document = build_new(now=timezone.now())
    document["dialogue"] = [{"role": "user", "text": str(i)} for i in range(DIALOGUE_CAP + 1)]
    with pytest.raises(SessionInvalid, match="cap"):
        validate(document)


def test_upcaster_moves_v1_to_current_without_touching_the_input():
    original = dict(V1_DOCUMENT)
    document = validate(upcast(V1_DOCUMENT))
    assert V1_DOCUMENT == original
    assert document["schema_version"] == SCHEMA_VERSION
    assert document["language"] == "en"
    assert document["last"] == {"lane": "purchase", "intent": "order_create"}
    assert document["dialogue"][0]["role"] == "user" and document["dialogue"][1]["role"] == "assistant"
    assert document["slots"]["pending_question"]["options"][1] == {"title": "Tostada", "value": "Tostada"}
    assert document["slots"]["order"]["state"] == "draft"
    assert document["counters"]["turns"] == 4
    assert "handoff" not in document  # v3: the conversation's mode is the one record of a handoff


def test_upcaster_drops_the_v2_handoff_copy():
    v2 = {**build_new(now=timezone.now()), "schema_version": 2, "handoff": {"active": True, "reason": "x", "at": None}}
    document = validate(upcast(v2))
    assert document["schema_version"] == SCHEMA_VERSION and "handoff" not in document


def test_upcaster_refuses_unknown_versions():
    with pytest.raises(UnknownSchemaVersion):
        upcast({"schema_version": 99})
    with pytest.raises(UnknownSchemaVersion):
        upcast({"language": "es"})


@pytest.mark.django_db
def test_a_stored_v1_document_is_loaded_upcast_and_written_back_as_current():
    conversation = make_conversation()
    now = timezone.now()
    Session.objects.create(conversation=conversation, schema_version=1, document=V1_DOCUMENT, started_at=now,
                           last_activity_at=now)
    state = session_load(conversation_id=conversation.pk)
    assert state.document["language"] == "en" and state.document["counters"]["turns"] == 4
    session_patch(conversation_id=conversation.pk, patch={"$inc": {"counters.turns": 1}})
    row = Session.objects.get(conversation=conversation)
    assert row.schema_version == SCHEMA_VERSION and row.document["schema_version"] == SCHEMA_VERSION
    assert row.document["counters"]["turns"] == 5 and row.version == 2


def test_hydrate_fills_keys_missing_from_an_older_write():
    stored = build_new(now=timezone.now())
    del stored["counters"]
    del stored["timestamps"]["started_at"]
    document = hydrate(stored)
    assert document["counters"] == {"turns": 0} and document["timestamps"]["started_at"] is None


def test_patch_merges_appends_with_cap_and_increments():
    document = build_new(now=timezone.now())
    document["dialogue"] = [{"role": "user", "text": str(i)} for i in range(DIALOGUE_CAP)]
    patched = apply_patch(document, {
        "slots": {"pending_question": {"text": "¿Cuántos?", "options": []}},
        "$append": {"dialogue": [{"role": "assistant", "text": "new"}]},
        "$inc": {"counters.turns": 2},
    })
    assert patched["slots"] == {"order": None, "pending_question": {"text": "¿Cuántos?", "options": []}}
    assert len(patched["dialogue"]) == DIALOGUE_CAP and patched["dialogue"][-1]["text"] == "new"
    assert patched["dialogue"][0]["text"] == "1"
    assert patched["counters"]["turns"] == 2 and document["counters"]["turns"] == 0


@pytest.mark.django_db
def test_patch_conflict_is_retried_on_the_fresh_row_and_loses_nothing():
    conversation = make_conversation()
    session_load(conversation_id=conversation.pk)  # cached at version 1
    # Another worker writes meanwhile (its cache write is not visible here): our cached copy is now stale.
    row = Session.objects.get(conversation=conversation)
    theirs = apply_patch(row.document, {"$append": {"dialogue": [{"role": "user", "text": "theirs"}]},
                                        "$inc": {"counters.turns": 1}})
    assert Session.objects.filter(pk=row.pk, version=1).update(document=theirs, version=2) == 1

    state = session_patch(conversation_id=conversation.pk, patch={
        "$append": {"dialogue": [{"role": "user", "text": "ours"}]}, "$inc": {"counters.turns": 1}})

    assert state.version == 3
    stored = Session.objects.get(pk=row.pk).document
    assert [e["text"] for e in stored["dialogue"]] == ["theirs", "ours"]
    assert stored["counters"]["turns"] == 2


@pytest.mark.django_db
def test_an_invalid_patch_is_refused_and_nothing_is_written():
    conversation = make_conversation()
    session_load(conversation_id=conversation.pk)
    with pytest.raises(SessionInvalid):
        session_patch(conversation_id=conversation.pk, patch={"last": {"lane": "info", "intent": "complaint"}})
    assert Session.objects.get(conversation=conversation).version == 1


@pytest.mark.django_db
def test_flushing_the_cache_loses_nothing():
    conversation = make_conversation()
    session_load(conversation_id=conversation.pk)
    session_patch(conversation_id=conversation.pk, patch={"language": "en", "$inc": {"counters.turns": 3}})
    cache.clear()
    state = session_load(conversation_id=conversation.pk)
    assert state.language == "en" and state.document["counters"]["turns"] == 3 and state.version == 2


@pytest.mark.django_db
def test_a_new_session_starts_after_the_idle_window_and_the_old_one_stays(settings):
    settings.SESSION_IDLE_RESET_HOURS = 24
    conversation = make_conversation()
    first = session_load(conversation_id=conversation.pk)
    session_patch(conversation_id=conversation.pk, patch={"language": "en", "$inc": {"counters.turns": 1}})
    later = timezone.now() + timedelta(hours=25)

    second = session_load(conversation_id=conversation.pk, now=later)

    assert second.id != first.id and second.document["counters"]["turns"] == 0
    assert second.language == "en"  # the contact's language carries over
    history = session_history(conversation_id=conversation.pk)
    assert [s.is_active for s in history] == [True, False]
    assert history[1].document["counters"]["turns"] == 1 and history[1].ended_at is not None


@pytest.mark.django_db
def test_a_session_within_the_idle_window_is_kept(settings):
    conversation = make_conversation()
    first = session_load(conversation_id=conversation.pk)
    again = session_load(conversation_id=conversation.pk, now=timezone.now() + timedelta(hours=23))
    assert again.id == first.id


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.django_db(transaction=True)
def test_concurrent_patches_on_postgresql_lose_no_update():
    conversation = make_conversation()
    session_load(conversation_id=conversation.pk)
    errors = []

    def worker(n):
        try:
            for _ in range(5):
                session_patch(conversation_id=conversation.pk, attempts=50, patch={
                    "$inc": {"counters.turns": 1}, "$append": {"dialogue": [{"role": "user", "text": str(n)}]}})
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    row = Session.objects.get(conversation=conversation)
    assert row.document["counters"]["turns"] == 40 and row.version == 41
