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
from django.core.management import BaseCommand, call_command
from django.db.models import Max

ADMIN_USERNAME = "admin"


class Command(BaseCommand):
    help = "Run web, worker and the local Chatwoot/Odoo stand-ins together (development)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, port: int, **options):
        children: list[subprocess.Popen] = []
        metrics_dir = _prepare_metrics_dir()
        # `kill <pid>` (or a process manager) must stop the children too, exactly as Ctrl-C does.
        signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
        try:
            self._start_standins(children)
            self._seed()
            password = ensure_admin()
            children.append(_spawn("qcluster"))
            children.append(_spawn("runserver", f"127.0.0.1:{port}", "--noreload"))
            self._banner(port, password)
            self._watch(children)
        except KeyboardInterrupt:
            pass
        finally:
            _stop(children)
            if metrics_dir:
                shutil.rmtree(metrics_dir, ignore_errors=True)
            self.stdout.write("stopped")

    def _start_standins(self, children):
        if settings.CHATWOOT_USES_STANDIN:
            children.append(_spawn("chatwoot_standin", "--port", str(settings.CHATWOOT_STANDIN_PORT)))
            _wait_for_port(settings.CHATWOOT_STANDIN_PORT)
        if settings.ODOO_USES_STANDIN:
            # Its state file keeps its numbering across restarts; the floor covers orders it never saw.
            children.append(_spawn("odoo_standin", "--port", str(settings.ODOO_STANDIN_PORT),
                                   "--order-ids-after", str(_highest_odoo_order_id())))
            _wait_for_port(settings.ODOO_STANDIN_PORT)

    def _seed(self):
        # Demo data: the FAQs come with a migration; the catalog comes from Odoo (the stand-in's, by default).
        call_command("sync_catalog")

    def _banner(self, port, password):
        self.stdout.write(self.style.SUCCESS(
            f"\nServing on http://127.0.0.1:{port}/  (admin: http://127.0.0.1:{port}/admin/)\n"
            f"Admin login: {ADMIN_USERNAME} / {password}\n"
            f"Playground: http://127.0.0.1:{port}/playground/\n"
            f"Chatwoot: {settings.CHATWOOT_BASE_URL}   Odoo: {settings.ODOO_URL}\n"
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


def _raise_keyboard_interrupt(signum, frame):
    raise KeyboardInterrupt


def ensure_admin() -> str:
    """Create (or reset, in development) the admin login and return its password so it can be printed."""
    password = os.environ.get("ADMIN_PASSWORD") or secrets.token_urlsafe(9)
    User = get_user_model()
    user, _ = User.objects.get_or_create(username=ADMIN_USERNAME, defaults={"email": "admin@example.com"})
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
