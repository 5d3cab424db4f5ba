"""Downloading a Chatwoot attachment: the `data_url` of a voice note, photo or PDF.

`data_url` is a public signed redirect (`{FRONTEND_URL}/rails/active_storage/blobs/redirect/<signed_id>/<name>`)
to the storage service, so the GET carries no auth header and follows redirects. The URL comes from a webhook
body, so it is treated as hostile:
- only http(s); no credentials in the URL; at most `MEDIA_MAX_REDIRECTS` hops, each checked like the first;
- unless `MEDIA_ALLOW_PRIVATE_NETWORKS`, every address the host resolves to must be public, and the address the
  socket actually connected to is checked again before the body is read (a DNS answer that changed in between,
  "rebinding", is caught there);
- proxies from the environment are ignored (`trust_env=False`): the address checked must be the one connected;
- the size limit per kind is enforced on Content-Length before reading and again while streaming; the content
  type must fit the kind (`audio/*`, `image/*`, `application/pdf`); a generic `application/octet-stream` is
  sniffed from the first bytes;
- connect and read timeouts per request, and `MEDIA_DOWNLOAD_TIMEOUT` for the whole download.

One `ExternalCall` row per download (system "chatwoot"), with the signed part of the URL left out.
"""

from __future__ import annotations

import contextlib
import functools
import ipaddress
import posixpath
import socket
import ssl
import time
from dataclasses import dataclass
from email.message import Message
from typing import Literal
from urllib.parse import unquote

import certifi
import filetype
import httpx
from django.conf import settings

from integrations.calls import logged_call

MediaKind = Literal["audio", "image", "pdf"]

ACCEPTS = {
    "audio": lambda content_type: content_type.startswith("audio/") or content_type == "application/ogg",
    "image": lambda content_type: content_type.startswith("image/"),
    "pdf": lambda content_type: content_type == "application/pdf",
}
GENERIC_TYPES = {"", "application/octet-stream", "binary/octet-stream", "application/binary"}


# --- errors -------------------------------------------------------------------------------------------------
class AttachmentError(Exception):
    """The attachment could not be fetched. `transient`: the same URL may work later (retry); else give up."""

    transient = False


class AttachmentRefused(AttachmentError):
    """Not fetched: a scheme other than http(s), credentials in the URL, a private address, too many redirects."""


class AttachmentNotFound(AttachmentError):
    """404 or 410: deleted, or the signed id is unknown."""


class AttachmentHTTPError(AttachmentError):
    def __init__(self, message: str, *, status: int):
        super().__init__(message)
        self.status = status
        self.transient = status >= 500 or status in (408, 429)


class AttachmentTooLarge(AttachmentError):
    def __init__(self, message: str, *, limit: int):
        super().__init__(message)
        self.limit = limit


class AttachmentWrongType(AttachmentError):
    def __init__(self, message: str, *, content_type: str):
        super().__init__(message)
        self.content_type = content_type


class AttachmentTimeout(AttachmentError):
    transient = True


class AttachmentUnreachable(AttachmentError):
    """DNS failure, connection refused or reset."""

    transient = True


@dataclass(frozen=True)
class DownloadedMedia:
    content: bytes
    content_type: str  # lower-case, no parameters ("audio/ogg"); sniffed when the server said octet-stream
    filename: str
    kind: MediaKind

    @property
    def size(self) -> int:
        return len(self.content)


# --- the one entry point ------------------------------------------------------------------------------------
def download_attachment(url: str, *, kind: MediaKind) -> DownloadedMedia:
    """GET `url` (following redirects) as a `kind` attachment. Raises an AttachmentError subclass."""
    if kind not in ACCEPTS:
        raise ValueError(f"kind must be one of {sorted(ACCEPTS)}, not {kind!r}")
    with logged_call("chatwoot", f"attachment.download:{kind}", _redacted(url)) as record:
        media = _download(url, kind)
        record.response_summary = f"{media.content_type} {media.size} bytes {media.filename}"
    return media


def _download(url: str, kind: MediaKind) -> DownloadedMedia:
    deadline = time.monotonic() + settings.MEDIA_DOWNLOAD_TIMEOUT
    timeout = httpx.Timeout(settings.MEDIA_READ_TIMEOUT, connect=settings.MEDIA_CONNECT_TIMEOUT)
    with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False, verify=_tls_context(),
                      headers={"User-Agent": "chatops-attachments/1"}) as client:
        for _hop in range(settings.MEDIA_MAX_REDIRECTS + 1):
            _check_url(url)
            _check_time_left(deadline, url)
            with _transport_errors(url), client.stream("GET", url) as response:
                _check_peer(response, url)
                if not response.is_redirect:
                    return _body(response, kind, deadline)
                url = str(response.url.join(response.headers["location"]))
    raise AttachmentRefused(f"more than {settings.MEDIA_MAX_REDIRECTS} redirects: {_redacted(url)}")


def _body(response: httpx.Response, kind: MediaKind, deadline: float) -> DownloadedMedia:
    url = str(response.url)
    _check_status(response, url)
    declared = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if declared not in GENERIC_TYPES and not ACCEPTS[kind](declared):
        raise AttachmentWrongType(f"{_redacted(url)} is {declared!r}, not {kind}", content_type=declared)
    limit = _limit(kind)
    _check_declared_length(response, limit, url)
    content = _read_limited(response, limit, deadline, url)
    content_type = declared if declared not in GENERIC_TYPES else _sniffed(content, kind, url)
    return DownloadedMedia(content, content_type, _filename(response, content_type), kind)


# --- checks -------------------------------------------------------------------------------------------------
def _check_url(url: str) -> None:
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise AttachmentRefused(f"not a URL: {url[:200]!r}") from exc
    if parsed.scheme not in ("http", "https"):
        raise AttachmentRefused(f"only http(s) URLs are fetched, not {parsed.scheme or 'none'!r}")
    if parsed.userinfo:
        raise AttachmentRefused("URLs with credentials are not fetched")
    if not parsed.host:
        raise AttachmentRefused(f"URL without a host: {url[:200]!r}")
    if not settings.MEDIA_ALLOW_PRIVATE_NETWORKS:
        for address in _resolve(parsed.host, parsed.port or (443 if parsed.scheme == "https" else 80)):
            if not _is_public(address):
                raise AttachmentRefused(f"{parsed.host} resolves to a non-public address ({address})")


def _resolve(host: str, port: int) -> set[str]:
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise AttachmentUnreachable(f"cannot resolve {host}: {exc}") from exc
    return {answer[4][0] for answer in answers}


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 scope ("fe80::1%eth0") is not part of it
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _check_peer(response: httpx.Response, url: str) -> None:
    """The address actually connected to, as the socket reports it (httpcore's `network_stream`)."""
    if settings.MEDIA_ALLOW_PRIVATE_NETWORKS:
        return
    stream = response.extensions.get("network_stream")
    peer = stream.get_extra_info("server_addr") if stream is not None else None
    if peer and not _is_public(str(peer[0])):
        raise AttachmentRefused(f"{_redacted(url)} connected to a non-public address ({peer[0]})")


def _check_time_left(deadline: float, url: str) -> None:
    if time.monotonic() > deadline:
        raise AttachmentTimeout(f"{_redacted(url)}: over {settings.MEDIA_DOWNLOAD_TIMEOUT} s in total")


def _check_status(response: httpx.Response, url: str) -> None:
    if response.status_code in (404, 410):
        raise AttachmentNotFound(f"{_redacted(url)}: HTTP {response.status_code}")
    if not response.is_success:
        raise AttachmentHTTPError(f"{_redacted(url)}: HTTP {response.status_code}", status=response.status_code)


def _check_declared_length(response: httpx.Response, limit: int, url: str) -> None:
    try:
        declared = int(response.headers.get("content-length", ""))
    except ValueError:
        return  # absent (chunked) or junk: the streaming limit still holds
    if declared > limit:
        raise AttachmentTooLarge(f"{_redacted(url)}: {declared} bytes, the limit is {limit}", limit=limit)


def _read_limited(response: httpx.Response, limit: int, deadline: float, url: str) -> bytes:
    chunks, total = [], 0
    for chunk in response.iter_bytes():  # no chunk_size: with one, httpx buffers that much before yielding
        total += len(chunk)
        if total > limit:
            raise AttachmentTooLarge(f"{_redacted(url)}: over {limit} bytes", limit=limit)
        _check_time_left(deadline, url)
        chunks.append(chunk)
    return b"".join(chunks)


def _sniffed(content: bytes, kind: MediaKind, url: str) -> str:
    guessed = (filetype.guess_mime(content[:8192]) or "") if content else ""
    if not ACCEPTS[kind](guessed):
        raise AttachmentWrongType(f"{_redacted(url)}: octet-stream whose bytes are {guessed or 'unknown'!r}, "
                                  f"not {kind}", content_type=guessed or "application/octet-stream")
    return guessed


@contextlib.contextmanager
def _transport_errors(url: str):
    try:
        yield
    except httpx.TimeoutException as exc:
        raise AttachmentTimeout(f"{_redacted(url)}: {exc.__class__.__name__}") from exc
    except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
        raise AttachmentRefused(f"{_redacted(url)}: {exc}") from exc
    except httpx.TransportError as exc:
        raise AttachmentUnreachable(f"{_redacted(url)}: {exc.__class__.__name__}: {exc}") from exc


# --- small helpers ------------------------------------------------------------------------------------------
@functools.cache
def _tls_context() -> ssl.SSLContext:
    """Built once per process: loading the CA bundle costs more than a small download."""
    return ssl.create_default_context(cafile=certifi.where())


def _limit(kind: MediaKind) -> int:
    return {"audio": settings.MEDIA_MAX_AUDIO_BYTES, "image": settings.MEDIA_MAX_IMAGE_BYTES,
            "pdf": settings.MEDIA_MAX_PDF_BYTES}[kind]


def _filename(response: httpx.Response, content_type: str) -> str:
    header = Message()
    header["content-disposition"] = response.headers.get("content-disposition", "")
    name = header.get_filename() or unquote(posixpath.basename(response.url.path))
    name = posixpath.basename(name.replace("\\", "/")).strip()
    return name or f"attachment.{content_type.rsplit('/', 1)[-1]}"


def _redacted(url: str) -> str:
    """scheme://host/.../<file name>: the signed id and the query (storage signatures) are credentials."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        return "<invalid URL>"
    return f"{parsed.scheme}://{parsed.host}/…/{posixpath.basename(parsed.path)}"[:300]
