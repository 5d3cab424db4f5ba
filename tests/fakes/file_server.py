"""A tiny file server on 127.0.0.1 playing Chatwoot's attachment URLs and the storage behind them.

    url = file_server.add("nota.ogg", b"OggS...", "audio/ogg")   # Chatwoot's data_url for it
    # GET url -> 302 to /storage/<key>/nota.ogg?X-Amz-Signature=... -> 200 with the bytes

`data_url` is `{FRONTEND_URL}/rails/active_storage/blobs/redirect/<signed_id>/<filename>`, a public signed redirect
(shared PROTOCOL.md, "Attachment push_event_data"); an unknown signed id is a 404 there. Per file: the content
type, whether a Content-Length is sent, a status at the storage (403 for an expired signature, 500), a pause
before the headers (`hang`) or a body sent in slow pieces (`drip`). `redirect_to(location)` makes a URL that
redirects anywhere (a `file://` URL, itself). Every request is kept in `requests` with its headers.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

REDIRECT_PREFIX = "/rails/active_storage/blobs/redirect/"


@dataclass
class StoredFile:
    body: bytes
    content_type: str
    send_length: bool = True
    status: int = 200
    hang: float = 0.0  # seconds before the status line
    drip: float = 0.0  # seconds between 1 KiB pieces of the body
    headers: dict = field(default_factory=dict)


@dataclass
class Seen:
    path: str
    headers: dict


class FakeFileServer:
    def __init__(self):
        self.files: dict[str, StoredFile] = {}  # by signed id
        self.redirects: dict[str, str] = {}
        self.requests: list[Seen] = []
        self.stopping = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.fake = self
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def add(self, filename: str, body: bytes, content_type: str, **options) -> str:
        """Store a file; returns its Chatwoot `data_url`."""
        signed_id = "eyJfcmFpbHMiOnsiZGF0YSI6" + secrets.token_hex(8) + "--" + secrets.token_hex(20)
        self.files[signed_id] = StoredFile(body, content_type, **options)
        return f"{self.base_url}{REDIRECT_PREFIX}{signed_id}/{filename}"

    def missing_url(self, filename: str = "borrado.ogg") -> str:
        return f"{self.base_url}{REDIRECT_PREFIX}eyJfcmFpbHMiOnsiZGF0YSI6MDAw--deleted/{filename}"

    def redirect_to(self, location: str) -> str:
        path = f"/r/{secrets.token_hex(6)}"
        self.redirects[path] = location
        return self.base_url + path

    def start(self) -> FakeFileServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()


class _Handler(BaseHTTPRequestHandler):
    disable_nagle_algorithm = True  # see openai_server.py: the timings are measured

    def do_GET(self):  # noqa: N802 - http.server's naming
        self.server.fake.requests.append(Seen(self.path, dict(self.headers)))
        path = self.path.split("?", 1)[0]
        if path in self.server.fake.redirects:
            return self._redirect(self.server.fake.redirects[path])
        if path.startswith(REDIRECT_PREFIX):
            signed_id, _, filename = path.removeprefix(REDIRECT_PREFIX).partition("/")
            if signed_id not in self.server.fake.files:
                return self._plain(404, b"Not Found")
            # Rails answers with the storage service's short-lived signed URL
            return self._redirect(f"/storage/{signed_id}/{filename}?X-Amz-Expires=300&X-Amz-Signature=f00d")
        if path.startswith("/storage/"):
            stored = self.server.fake.files.get(path.split("/")[2])
            return self._serve(stored) if stored else self._plain(404, b"NoSuchKey")
        self._plain(404, b"Not Found")

    def _serve(self, stored: StoredFile) -> None:
        if stored.hang and self.server.fake.stopping.wait(stored.hang):
            return  # the server is stopping
        self.send_response(stored.status)
        self.send_header("Content-Type", stored.content_type)
        if stored.send_length:
            self.send_header("Content-Length", str(len(stored.body)))
        for name, value in stored.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self._write_body(stored)

    def _write_body(self, stored: StoredFile) -> None:
        piece = 1024 if stored.drip else 64 * 1024
        try:
            for start in range(0, len(stored.body), piece):
                self.wfile.write(stored.body[start:start + piece])
                if stored.drip and self.server.fake.stopping.wait(stored.drip):
                    return
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading (too big, too slow): the scenario under test

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _plain(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass



@pytest.fixture
def file_server(settings):
    """The fake runs on 127.0.0.1, which production refuses (SSRF): the fixture allows private networks."""
    settings.MEDIA_ALLOW_PRIVATE_NETWORKS = True
    fake = FakeFileServer().start()
    yield fake
    fake.stop()
