"""`make run`: the whole system on one machine: stand-ins, worker and web. Ctrl-C stops everything."""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import BaseCommand
from django.db.models import Max

ADMIN_USERNAME = "admin"


class Command(BaseCommand):
    help = "Run web, worker and the local Chatwoot/Odoo stand-ins together (development)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, port: int, **options):
        children: list[subprocess.Popen] = []
        metrics_dir = _prepare_metrics_dir()
        # `kill <pid>` (or a process manager), and closing the terminal, must stop the children too, exactly as
        # Ctrl-C does: they run in sessions of their own, so nothing else would, and the next start would find an
        # old worker still taking tasks from the same database.
        for signum in STOP_SIGNALS:
            signal.signal(signum, _raise_keyboard_interrupt)
        try:
            wiring = local_wiring(port)
            os.environ.update(wiring)  # inherited by every child: web, worker, stand-ins, sync_catalog
            self._start_standins(children, wiring, port)
            self._seed()
            password = ensure_admin()
            children.append(_spawn("qcluster"))
            children.append(_spawn("runserver", f"127.0.0.1:{port}", "--noreload"))
            self._banner(port, password, wiring)
            self._watch(children)
        except KeyboardInterrupt:
            pass
        finally:
            for signum in (signal.SIGINT, *STOP_SIGNALS):
                signal.signal(signum, signal.SIG_IGN)  # a second Ctrl-C must not cut the shutdown short
            _stop(children)
            if metrics_dir:
                shutil.rmtree(metrics_dir, ignore_errors=True)
            self.stdout.write("stopped")

    def _start_standins(self, children, wiring: dict[str, str], port: int):
        for args, listens_on in standin_commands(wiring, port):
            children.append(_spawn(*args))
            _wait_for_port(listens_on)

    def _seed(self):
        # Demo data: the FAQs come with a migration; the catalog comes from Odoo (the stand-in's, by default). In a
        # child, because this process's settings were read before the stand-ins' ports were chosen.
        subprocess.run([sys.executable, "manage.py", "sync_catalog"], check=True)

    def _banner(self, port, password, wiring):
        login = (f"{ADMIN_USERNAME} / {password}" if password else
                 f"{ADMIN_USERNAME} (password unchanged; ADMIN_PASSWORD=... sets a new one)")
        self.stdout.write(self.style.SUCCESS(
            f"\nServing on http://127.0.0.1:{port}/  (admin: http://127.0.0.1:{port}/admin/)\n"
            f"Admin login: {login}\n"
            f"Playground: http://127.0.0.1:{port}/playground/\n"
            f"Chatwoot: {_chatwoot_url(wiring)}   Odoo: {_odoo_url(wiring)}\n"
            "Ctrl-C stops everything.\n"
        ))

    def _watch(self, children):
        while True:
            for child in children:
                if child.poll() is not None:
                    self.stderr.write(f"process {child.args[2:]} exited with {child.returncode}; stopping")
                    return
            time.sleep(0.5)


def _highest_odoo_order_id() -> int:
    # core sits below orders; this command moves up to `console`, where the import is in order.
    from orders.models import PurchaseOrder

    return PurchaseOrder.objects.aggregate(top=Max("odoo_id"))["top"] or 0


STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


def _raise_keyboard_interrupt(signum, frame):
    raise KeyboardInterrupt


def local_wiring(port: int) -> dict[str, str]:
    """The environment that points every local piece at this instance: SITE_URL (links, Slack) at `port` unless
    one was given, and the stand-ins on their configured ports, or on free ones when another instance holds
    those (a second `runlocal --port 8001` beside `make run`)."""
    return {
        # Only a SITE_URL someone set (a tunnel, say) wins; settings' own default names port 8000.
        "SITE_URL": settings.SITE_URL if os.environ.get("SITE_URL") else f"http://127.0.0.1:{port}",
        "CHATWOOT_STANDIN_PORT": str(_free_or_other(settings.CHATWOOT_STANDIN_PORT)),
        "ODOO_STANDIN_PORT": str(_free_or_other(settings.ODOO_STANDIN_PORT)),
    }


def standin_commands(wiring: dict[str, str], port: int) -> list[tuple[list[str], int]]:
    """The stand-ins to start (those not replaced by a real Chatwoot / Odoo) and the port each listens on."""
    commands = []
    if settings.CHATWOOT_USES_STANDIN:
        chatwoot_port = wiring["CHATWOOT_STANDIN_PORT"]
        # Its webhooks go to this instance's own web process, whatever public SITE_URL links use.
        commands.append((["chatwoot_standin", "--port", chatwoot_port, "--webhook-url",
                          f"http://127.0.0.1:{port}/webhooks/chatwoot/"], int(chatwoot_port)))
    if settings.ODOO_USES_STANDIN:
        # Its state file keeps its numbering across restarts; the floor covers orders it never saw.
        commands.append((["odoo_standin", "--port", wiring["ODOO_STANDIN_PORT"], "--order-ids-after",
                          str(_highest_odoo_order_id())], int(wiring["ODOO_STANDIN_PORT"])))
    return commands


def _free_or_other(port: int) -> int:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
            return port
        except OSError:
            pass
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _chatwoot_url(wiring) -> str:
    return f"http://127.0.0.1:{wiring['CHATWOOT_STANDIN_PORT']}" if settings.CHATWOOT_USES_STANDIN else (
        settings.CHATWOOT_BASE_URL)


def _odoo_url(wiring) -> str:
    return f"http://127.0.0.1:{wiring['ODOO_STANDIN_PORT']}" if settings.ODOO_USES_STANDIN else settings.ODOO_URL


def ensure_admin() -> str | None:
    """Create the admin login once and return its new password so it can be printed; later runs keep the password
    staff may have changed (None), unless ADMIN_PASSWORD is set, which (re)sets it."""
    given = os.environ.get("ADMIN_PASSWORD", "")
    User = get_user_model()
    user = User.objects.filter(username=ADMIN_USERNAME).first()
    if user is not None and not given:
        return None
    password = given or secrets.token_urlsafe(9)
    user = user or User(username=ADMIN_USERNAME, email="admin@example.com")
    user.is_staff = user.is_superuser = True
    user.set_password(password)
    user.save()
    return password


def _prepare_metrics_dir() -> str | None:
    """Prometheus multiprocess mode for the children (web and worker share one directory, so /metrics counts both).

    Returns the directory to delete on exit when we made it; a directory given in the environment is only emptied,
    because samples left by a previous run would otherwise be added to this one's.
    """
    given = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if given:
        os.makedirs(given, exist_ok=True)
        for stale in glob.glob(os.path.join(given, "*.db")):
            os.remove(stale)
        return None
    made = tempfile.mkdtemp(prefix="chatops-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = made  # inherited by every child spawned below
    return made


def _spawn(*args: str) -> subprocess.Popen:
    # Each child gets its own process group so a stray Ctrl-C in the terminal reaches us first and we stop them in order.
    return subprocess.Popen([sys.executable, "manage.py", *args], start_new_session=True)


def _wait_for_port(port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listening on 127.0.0.1:{port} after {timeout}s")


def _stop(children: list[subprocess.Popen]) -> None:
    for child in reversed(children):
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
