"""The stand-in's state file: records and sequences survive a restart and a crash, one process at a time, and a file
it cannot read is refused rather than re-seeded (which would restart the numbering)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from integrations.odoo import client as odoo_client
from integrations.odoo import errors
from integrations.odoo.client import get_client
from integrations.odoo.standin import OdooStandin, StateFileError, StateFileInUse

pytestmark = pytest.mark.django_db
BASE_DIR = Path(__file__).resolve().parents[3]


@pytest.fixture
def point_at(settings):
    def point(url: str) -> None:
        settings.ODOO_URL, settings.ODOO_DB = url, "standin"
        settings.ODOO_USERNAME, settings.ODOO_PASSWORD, settings.ODOO_PROTOCOL = "admin", "admin", "xmlrpc"
        settings.ODOO_RETRY_WAIT, settings.ODOO_TIMEOUT, settings.DRY_RUN = 0, 2.0, False
        odoo_client.reset()

    yield point
    odoo_client.reset()


def new_rfq(origin: str) -> int:
    return get_client().create("purchase.order", {"partner_id": 1, "origin": origin,
                                                  "order_line": [(0, 0, {"product_id": 1, "product_qty": 2})]})


def test_a_restarted_standin_keeps_its_orders_and_numbering(tmp_path, point_at):
    path = tmp_path / "odoo.json"
    first = OdooStandin(state_file=path).start()
    point_at(first.url)
    assert new_rfq("uno") == 1
    get_client().button("purchase.order", "button_confirm", [1])
    first.state.receive(1)
    first.close()
    again = OdooStandin(state_file=path).start()
    point_at(again.url)
    try:
        assert new_rfq("dos") == 2
        rows = get_client().search_read("purchase.order", [], ["name", "origin", "receipt_status"], order="id")
        assert [(r["name"], r["origin"]) for r in rows] == [("P00001", "uno"), ("P00002", "dos")]
        assert rows[0]["receipt_status"] == "full"  # a hook's change is saved too
        assert len(again.state.tables["product.product"]) == 28  # loaded, not seeded a second time
    finally:
        again.close()


def test_a_killed_standin_process_carries_on_numbering_where_it_was(tmp_path, point_at):
    path = tmp_path / "odoo.json"
    port = _free_port()
    process = _serve(port, path)
    try:
        point_at(f"http://127.0.0.1:{port}")
        assert [new_rfq("antes"), new_rfq("antes")] == [1, 2]
    finally:
        process.send_signal(signal.SIGKILL)  # no clean shutdown: only what was saved before each answer survives
        process.wait(10)
    process = _serve(port, path)
    try:
        odoo_client.reset()
        assert new_rfq("después") == 3
        assert get_client().search_count("purchase.order", [("origin", "=", "antes")]) == 2
    finally:
        process.terminate()
        process.wait(10)


def test_the_served_standin_taken_down_over_http_is_back_after_the_outage(tmp_path, point_at):
    """`manage.py odoo_standin` as a fault suite runs it: a `down` fault armed over the control API is an outage
    of `seconds`, not the end of the process."""
    port = _free_port()
    process = _serve(port, tmp_path / "odoo.json")
    try:
        point_at(f"http://127.0.0.1:{port}")
        armed = httpx.post(f"http://127.0.0.1:{port}/standin/faults", json={"kind": "down", "seconds": 0.5}, timeout=5)
        assert armed.status_code == 201
        time.sleep(1.5)
        assert process.poll() is None, process.stdout.read().decode()
        assert new_rfq("después del corte") == 1
    finally:
        process.terminate()
        process.wait(10)


def test_two_standins_cannot_share_a_state_file(tmp_path):
    path = tmp_path / "odoo.json"
    first = OdooStandin(state_file=path)
    with pytest.raises(StateFileInUse, match="in use by another Odoo stand-in"):
        OdooStandin(state_file=path)
    first.close()
    OdooStandin(state_file=path).close()


def test_an_unreadable_state_file_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "odoo.json"
    path.write_text('{"format": 1, "tables": {"purchase.order": [')
    with pytest.raises(StateFileError, match="cannot read the Odoo stand-in state .* move it away"):
        OdooStandin(state_file=path)
    assert path.read_text() == '{"format": 1, "tables": {"purchase.order": ['
    OdooStandin(state_file=path.with_name("other.json")).close()  # and the lock was let go


def test_a_state_file_of_another_version_is_refused(tmp_path):
    path = tmp_path / "odoo.json"
    OdooStandin(version=17, state_file=path).close()
    with pytest.raises(StateFileError, match="holds an Odoo 17 stand-in, not 19: start it with --version 17"):
        OdooStandin(version=19, state_file=path)


def test_every_change_is_saved_before_the_answer_and_atomically(tmp_path, point_at, monkeypatch):
    path = tmp_path / "odoo.json"
    standin = OdooStandin(state_file=path).start()
    point_at(standin.url)
    try:
        new_rfq("guardada")
        saved = json.loads(path.read_text())
        assert [o["origin"] for o in saved["tables"]["purchase.order"]] == ["guardada"]
        assert saved["next_ids"]["purchase.order"] == 2
        monkeypatch.setattr(os, "replace", _failing_replace)
        with pytest.raises(errors.OdooUnavailable) as caught:  # the stand-in could not save: no answer
            new_rfq("perdida")
        assert caught.value.maybe_done is True
        assert json.loads(path.read_text()) == saved  # the previous state, whole
        assert [o["origin"] for o in standin.state.tables["purchase.order"].values()] == ["guardada"]
        assert not list(tmp_path.glob(".*.tmp"))
    finally:
        standin.close()


def test_order_ids_can_be_reserved_above_ids_someone_already_holds(tmp_path, point_at):
    standin = OdooStandin(state_file=tmp_path / "odoo.json").start()
    point_at(standin.url)
    try:
        standin.state.reserve_order_ids(after=41)
        assert new_rfq("tras-reserva") == 42
        standin.state.reserve_order_ids(after=7)  # never lowers it
        assert new_rfq("otra") == 43
    finally:
        standin.close()


def test_a_refused_call_changes_nothing_but_keeps_its_id_drawn(odoo_standin):
    odoo = get_client()
    with pytest.raises(errors.OdooValidationError, match="Missing required fields on accountable sale order line"):
        odoo.create("sale.order", {"partner_id": 9, "order_line": [(0, 0, {"name": "sin producto"})]})
    assert odoo_standin.state.tables["sale.order"] == {} and odoo_standin.state.tables["sale.order.line"] == {}
    assert odoo.create("sale.order", {"partner_id": 9}) == 2  # PostgreSQL sequences do not roll back


def _failing_replace(src, dst):
    raise OSError(28, "No space left on device")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(port: int, path: Path) -> subprocess.Popen:
    # A metrics directory another test exported (and removed) must not follow the child.
    env = {**{k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}, "DEBUG": "1"}
    process = subprocess.Popen([sys.executable, "manage.py", "odoo_standin", "--port", str(port), "--state-file",
                                str(path)], cwd=BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return process
        if process.poll() is not None:
            raise RuntimeError(process.stdout.read().decode())
        time.sleep(0.1)
    process.kill()
    raise RuntimeError("the stand-in did not start")
