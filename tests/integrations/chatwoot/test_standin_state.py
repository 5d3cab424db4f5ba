"""The stand-in's state survives restarts: ids keep increasing (our webhook dedupe keys on them), old
conversations still take replies, a crash never makes ids go backwards, and one state file has one writer."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from django.core.management.base import CommandError

from conversations.management.commands.chatwoot_standin import database_identity, project_standin
from conversations.models import Contact, Conversation, Message
from integrations.chatwoot.client import chatwoot_client
from integrations.chatwoot.standin import ID_BLOCK, ChatwootStandin
from integrations.chatwoot.standin_http import StandinError
from integrations.chatwoot.standin_state import StateFileBusy, StateFileError
from tests.fakes.chatwoot import TOKEN, wait_for

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def state_file(tmp_path):
    return tmp_path / "standin" / "chatwoot.json"


@pytest.fixture
def use_standin(settings):
    """Point our client at a stand-in started by the test."""
    def point(standin):
        settings.CHATWOOT_BASE_URL, settings.CHATWOOT_API_TOKEN = standin.url, TOKEN
        settings.CHATWOOT_ACCOUNT_ID, settings.CHATWOOT_TIMEOUT, settings.DRY_RUN = 1, 2.0, False
        return standin
    return point


def started(path, **options) -> ChatwootStandin:
    return ChatwootStandin(token=TOKEN, state_path=path, **options).start()


@pytest.mark.django_db
def test_ids_keep_increasing_and_an_old_conversation_takes_a_reply_after_a_restart(state_file, use_standin):
    first = use_standin(started(state_file))
    old = first.inbound(content="Hola", contact={"name": "Ana", "phone_number": "+56911110001"})
    reply = chatwoot_client().send_message(old["conversation_id"], "¿En qué le ayudo?")
    first.stop()

    second = use_standin(started(state_file))
    try:
        new = second.inbound(content="Hola", contact={"name": "Luis", "phone_number": "+56911110002"})
        assert new["conversation_id"] > old["conversation_id"] and new["contact_id"] > old["contact_id"]
        assert new["message_id"] > reply.id > old["message_id"]
        again = chatwoot_client().send_message(old["conversation_id"], "Sigo aquí")
        assert again.id > new["message_id"]
        listed = chatwoot_client().list_messages(old["conversation_id"]).messages
        assert [m["content"] for m in listed] == ["Hola", "¿En qué le ayudo?", "Sigo aquí"]
        # The contact writing again continues the same conversation, as Chatwoot does.
        back = second.inbound(content="Gracias", contact={"name": "Ana", "phone_number": "+56911110001"})
        assert back["conversation_id"] == old["conversation_id"] and back["contact_id"] == old["contact_id"]
    finally:
        second.stop()


def test_a_clean_stop_leaves_no_gap_in_the_ids(state_file):
    first = started(state_file)
    ids = first.inbound(content="Hola", contact={"phone_number": "+56911110003"})
    first.stop()
    second = started(state_file)
    try:
        assert second.inbound(content="Hola otra vez", conversation_id=ids["conversation_id"])["message_id"] \
            == ids["message_id"] + 1
    finally:
        second.stop()


def test_after_a_crash_ids_still_never_go_backwards(state_file, tmp_path):
    """What a crash leaves is whatever the file held at that instant: copy it mid-run, as kill -9 would."""
    running = started(state_file)
    handed_out = [running.inbound(content=f"m{n}", contact={"phone_number": "+56911110004"})["message_id"]
                  for n in range(ID_BLOCK + 5)]  # crosses a block boundary
    crashed = tmp_path / "crashed" / "chatwoot.json"
    crashed.parent.mkdir()
    shutil.copy(state_file, crashed)  # no final write: the process "died" here
    running.stop()

    after_crash = started(crashed)
    try:
        ids = after_crash.inbound(content="después", contact={"phone_number": "+56911110005"})
        assert ids["message_id"] > max(handed_out)
    finally:
        after_crash.stop()


def test_an_id_that_cannot_be_written_down_is_not_handed_out(state_file, tmp_path):
    standin = started(state_file)
    try:
        conv = standin.inbound(content="Hola", contact={"phone_number": "+56911110013"})
        conv = standin.conversations[conv["conversation_id"]]
        state_file.parent.rename(tmp_path / "gone")  # the folder goes away under the running stand-in
        with pytest.raises(StandinError) as info:
            for n in range(ID_BLOCK + 1):  # reach the next block, whose reservation must be written first
                standin.inbound(content=f"m{n}", conversation_id=conv["id"])
        assert info.value.status == 500
        last = conv["messages"][-1]["id"]
        state_file.parent.mkdir()
        assert standin.inbound(content="de vuelta", conversation_id=conv["id"])["message_id"] == last + 1
        assert json.loads(state_file.read_text())["ids"]["message"] >= last + 1
    finally:
        standin.stop()


def test_the_write_behind_keeps_the_file_current_while_running(state_file):
    standin = started(state_file)
    try:
        ids = standin.inbound(content="Hola", contact={"name": "Eva", "phone_number": "+56911110006"})
        saved = wait_for(lambda: _conversation_in_file(state_file, ids["conversation_id"]), timeout=3)
        assert saved["messages"][0]["content"] == "Hola" and saved["contact"] == ids["contact_id"]
        assert [p.name for p in state_file.parent.iterdir() if p.suffix == ".tmp"] == []  # renames, no leftovers
    finally:
        standin.stop()


def _conversation_in_file(path, conversation_id):
    data = json.loads(path.read_text())
    return next((c for c in data["conversations"] if c["id"] == conversation_id and c["messages"]), None)


def test_a_second_live_standin_on_the_same_file_is_refused(state_file):
    first = started(state_file)
    try:
        with pytest.raises(StateFileBusy):
            ChatwootStandin(state_path=state_file)
    finally:
        first.stop()
    ChatwootStandin(state_path=state_file).stop()  # free again once the first has stopped


def test_a_damaged_state_file_is_an_error_not_a_silent_restart(state_file):
    state_file.parent.mkdir(parents=True)
    state_file.write_text('{"format": 1, "ids": {"message": 9')
    with pytest.raises(StateFileError, match="not valid JSON"):
        ChatwootStandin(state_path=state_file)
    assert state_file.read_text() == '{"format": 1, "ids": {"message": 9'  # left as it was, for a human
    ChatwootStandin(state_path=state_file.with_name("other.json")).stop()  # and the lock was released


def test_a_file_from_another_database_gives_its_ids_but_not_its_conversations(state_file):
    first = started(state_file, state_owner="postgresql:db-a")
    ids = first.inbound(content="Hola", contact={"phone_number": "+56911110007"})
    first.stop()
    other = started(state_file, state_owner="sqlite:db-b")
    try:
        assert other.conversations == {}
        assert other.inbound(content="Hola", contact={"phone_number": "+56911110007"})["message_id"] \
            > ids["message_id"]
    finally:
        other.stop()


def test_the_id_floor_starts_above_what_the_database_has_seen():
    standin = ChatwootStandin(id_floor={"conversation": 7000, "contact": 8000, "message": 90000})
    ids = standin.inbound(content="Hola", contact={"phone_number": "+56911110008"})
    assert (ids["conversation_id"], ids["contact_id"], ids["message_id"]) == (7001, 8001, 90001)
    standin.stop()


def test_a_conversation_added_with_its_own_id_moves_the_counter_past_it():
    standin = ChatwootStandin()
    standin.add_conversation(conversation_id=500, phone_number="+56911110009")
    assert standin.add_conversation(phone_number="+56911110010")["id"] == 501
    standin.stop()


@pytest.mark.django_db
def test_project_standin_starts_above_the_database_and_refuses_a_second_one_on_the_same_database(state_file):
    contact = Contact.objects.create(account_id=1, chatwoot_id=4000, name="Ana", phone_e164="+56911110011")
    conversation = Conversation.objects.create(account_id=1, chatwoot_id=3000, inbox_id=1, channel="whatsapp",
                                               contact=contact)
    Message.objects.create(conversation=conversation, direction="inbound", chatwoot_id=60000, content="Hola",
                           status="received")
    standin = project_standin(state_path=state_file)
    try:
        ids = standin.inbound(content="Hola", contact={"phone_number": "+56911110012"})
        assert (ids["conversation_id"], ids["contact_id"], ids["message_id"]) == (3001, 4001, 60001)
        with pytest.raises(CommandError, match="still running"):
            project_standin(state_path=state_file)
    finally:
        standin.stop()
    assert json.loads(state_file.read_text())["owner"] == database_identity()


@pytest.mark.django_db
def test_project_standin_for_another_database_keeps_its_state_in_memory(state_file):
    holder = ChatwootStandin(state_path=state_file, state_owner="postgresql:someone-else")
    try:
        standin = project_standin(state_path=state_file)
        assert standin.state_path is None
        standin.stop()
    finally:
        holder.stop()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(port: int, state_file: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "manage.py", "chatwoot_standin", "--port", str(port), "--state-file", str(state_file),
         "--webhook-url", "http://127.0.0.1:9/unreachable/"],
        cwd=REPO, env=_child_env(), stdout=subprocess.DEVNULL,
    )
    wait_for(lambda: process.poll() is not None or _listening(port), timeout=30)
    assert process.poll() is None, "the stand-in command exited"
    return process


def _child_env() -> dict:
    # Another test may leave PROMETHEUS_MULTIPROC_DIR pointing at a folder it has since deleted; the child has no
    # use for metrics files.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROMETHEUS_")}
    return {**env, "CHATWOOT_API_TOKEN": TOKEN}


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _inbound(port: int, phone: str) -> dict:
    body = {"content": "Hola", "contact": {"name": "Cliente", "phone_number": phone}}
    return httpx.post(f"http://127.0.0.1:{port}/standin/inbound", json=body, timeout=10).json()


def test_the_command_stopped_like_make_run_stops_it_continues_its_ids(tmp_path):
    """`make run` stops its children with SIGTERM; the next run starts where the last one ended."""
    state_file, port = tmp_path / "chatwoot.json", _free_port()
    seen = []
    for run in range(2):
        process = _serve(port, state_file)
        try:
            seen.append(_inbound(port, f"+5691111002{run}"))
        finally:
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=15) == 0
    assert seen[1]["message_id"] == seen[0]["message_id"] + 1
    assert seen[1]["conversation_id"] == seen[0]["conversation_id"] + 1
    assert json.loads(state_file.read_text())["ids"]["message"] == seen[1]["message_id"]


def test_the_command_killed_outright_still_never_reuses_an_id(tmp_path):
    state_file, port = tmp_path / "chatwoot.json", _free_port()
    process = _serve(port, state_file)
    first = _inbound(port, "+56911110030")
    process.kill()  # SIGKILL: no final write
    process.wait(timeout=15)
    time.sleep(0.1)
    process = _serve(port, state_file)
    try:
        assert _inbound(port, "+56911110031")["message_id"] > first["message_id"]
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)
