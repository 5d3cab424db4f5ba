"""Downloading Chatwoot attachments (`integrations.media.download_attachment`) from a file server on 127.0.0.1
that plays Chatwoot's signed redirect and the storage behind it."""

from __future__ import annotations

import socket
import time

import pytest

from integrations.media import (
    AttachmentHTTPError,
    AttachmentNotFound,
    AttachmentRefused,
    AttachmentTimeout,
    AttachmentTooLarge,
    AttachmentUnreachable,
    AttachmentWrongType,
    download_attachment,
)
from integrations.models import ExternalCall
from integrations.openai.client import transcribe_audio
from tests.fakes.file_server import file_server  # noqa: F401 - fixture
from tests.fakes.openai_server import fake_openai  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

VOICE_NOTE = b"OggS\x00\x02" + bytes(range(256)) * 64
PDF = b"%PDF-1.7\n" + b"0" * 4000 + b"\n%%EOF\n"


def test_a_voice_note_follows_the_signed_redirect_without_credentials(file_server):
    url = file_server.add("nota de voz.ogg", VOICE_NOTE, "audio/ogg; codecs=opus")
    media = download_attachment(url, kind="audio")

    assert (media.content, media.content_type, media.filename, media.size) == (VOICE_NOTE, "audio/ogg",
                                                                               "nota de voz.ogg", len(VOICE_NOTE))
    redirect, storage = file_server.requests
    assert redirect.path.startswith("/rails/active_storage/blobs/redirect/") and storage.path.startswith("/storage/")
    assert not any("Authorization" in seen.headers or "Cookie" in seen.headers for seen in file_server.requests)
    row = ExternalCall.objects.get()
    assert (row.system, row.method, row.outcome) == ("chatwoot", "attachment.download:audio", "ok")
    signed_id = url.split("/")[-2]
    assert signed_id not in row.request_summary and row.request_summary.endswith("/nota de voz.ogg")
    assert "audio/ogg" in row.response_summary


def test_the_downloaded_note_transcribes_end_to_end(file_server, fake_openai):
    url = file_server.add("AUD-20260301.opus", VOICE_NOTE, "audio/ogg")
    fake_openai.transcript("tres kilos de merkén")
    media = download_attachment(url, kind="audio")
    text = transcribe_audio(audio=media.content, content_type=media.content_type, filename=media.filename).text
    assert text == "tres kilos de merkén"
    assert fake_openai.requests_to("transcriptions")[0]["file"]["data"] == VOICE_NOTE


def test_the_content_disposition_filename_wins(file_server):
    url = file_server.add("blob", PDF, "application/pdf",
                          headers={"Content-Disposition": "inline; filename*=UTF-8''pedido%20mar%C3%ADa.pdf"})
    assert download_attachment(url, kind="pdf").filename == "pedido maría.pdf"


def test_a_deleted_attachment_is_not_found_and_says_so(file_server):
    with pytest.raises(AttachmentNotFound, match="HTTP 404") as caught:
        download_attachment(file_server.missing_url(), kind="audio")
    assert not caught.value.transient
    assert ExternalCall.objects.get().outcome == "error"


@pytest.mark.parametrize("status, transient", [(500, True), (503, True), (403, False)])
def test_storage_errors_say_their_status_and_whether_to_retry(file_server, status, transient):
    url = file_server.add("foto.jpg", b"\xff\xd8\xff", "image/jpeg", status=status)
    with pytest.raises(AttachmentHTTPError, match=f"HTTP {status}") as caught:
        download_attachment(url, kind="image")
    assert (caught.value.status, caught.value.transient) == (status, transient)


def test_a_declared_size_over_the_limit_is_refused_before_reading(file_server, settings):
    url = file_server.add("larga.ogg", VOICE_NOTE + b"\x00" * (16 * 1024 * 1024), "audio/ogg")
    started = time.monotonic()
    with pytest.raises(AttachmentTooLarge, match="the limit is 16777216") as caught:
        download_attachment(url, kind="audio")  # the shipped 16 MiB limit
    assert caught.value.limit == settings.MEDIA_MAX_AUDIO_BYTES and time.monotonic() - started < 1.0


def test_an_undeclared_size_is_cut_off_while_streaming(file_server, settings):
    settings.MEDIA_MAX_PDF_BYTES = 1000
    url = file_server.add("catalogo.pdf", PDF * 50, "application/pdf", send_length=False)
    with pytest.raises(AttachmentTooLarge, match="over 1000 bytes"):
        download_attachment(url, kind="pdf")


def test_the_limit_is_per_kind(file_server, settings):
    settings.MEDIA_MAX_AUDIO_BYTES = 10
    url = file_server.add("pedido.pdf", PDF, "application/pdf")
    assert download_attachment(url, kind="pdf").size == len(PDF)


@pytest.mark.parametrize("kind, served", [("image", "text/html; charset=utf-8"), ("audio", "image/jpeg"),
                                          ("pdf", "application/zip")])
def test_a_content_type_that_does_not_fit_the_use_is_refused_unread(file_server, kind, served):
    url = file_server.add("x", b"<html>login</html>", served)
    with pytest.raises(AttachmentWrongType, match=f"not {kind}") as caught:
        download_attachment(url, kind=kind)
    assert caught.value.content_type == served.split(";")[0]


def test_an_octet_stream_is_judged_by_its_bytes(file_server):
    good = file_server.add("lista", PDF, "application/octet-stream")
    assert download_attachment(good, kind="pdf").content_type == "application/pdf"
    bad = file_server.add("lista", b"<html>not a pdf</html>", "application/octet-stream")
    with pytest.raises(AttachmentWrongType, match="octet-stream"):
        download_attachment(bad, kind="pdf")


def test_a_server_that_never_answers_times_out_at_the_read_timeout(file_server, settings):
    settings.MEDIA_READ_TIMEOUT = 0.3
    url = file_server.add("foto.jpg", b"\xff\xd8\xff", "image/jpeg", hang=5)
    started = time.monotonic()
    with pytest.raises(AttachmentTimeout) as caught:
        download_attachment(url, kind="image")
    assert caught.value.transient and 0.25 <= time.monotonic() - started < 1.0


def test_a_server_dripping_bytes_is_stopped_by_the_total_timeout(file_server, settings):
    settings.MEDIA_READ_TIMEOUT = 1.0
    settings.MEDIA_DOWNLOAD_TIMEOUT = 0.5
    url = file_server.add("nota.ogg", VOICE_NOTE, "audio/ogg", drip=0.1)  # 16 KiB in 1 KiB pieces: 1.6 s
    started = time.monotonic()
    with pytest.raises(AttachmentTimeout, match="in total"):
        download_attachment(url, kind="audio")
    assert time.monotonic() - started < 1.2  # the whole body would take 1.6 s


@pytest.mark.parametrize("url", ["ftp://chat.acme.com/x.ogg", "file:///etc/passwd", "javascript:alert(1)",
                                 "//chat.acme.com/x.ogg", "http:///x.ogg", "not a url"])
def test_only_http_urls_are_fetched(file_server, url):
    with pytest.raises(AttachmentRefused):
        download_attachment(url, kind="audio")


def test_a_redirect_to_another_scheme_is_refused(file_server):
    with pytest.raises(AttachmentRefused, match="only http"):
        download_attachment(file_server.redirect_to("file:///etc/passwd"), kind="audio")
    assert len(file_server.requests) == 1


def test_a_redirect_loop_stops_after_the_limit(file_server, settings):
    settings.MEDIA_MAX_REDIRECTS = 3
    url = file_server.redirect_to("placeholder")
    file_server.redirects[url.removeprefix(file_server.base_url)] = url
    with pytest.raises(AttachmentRefused, match="more than 3 redirects"):
        download_attachment(url, kind="audio")
    assert len(file_server.requests) == 4


def test_credentials_in_the_url_are_refused(file_server):
    url = file_server.add("nota.ogg", VOICE_NOTE, "audio/ogg").replace("http://", "http://admin:secret@")
    with pytest.raises(AttachmentRefused, match="credentials"):
        download_attachment(url, kind="audio")
    assert file_server.requests == []


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "169.254.169.254", "10.1.2.3", "192.168.0.10",
                                  "100.64.0.1", "[::1]", "[::ffff:127.0.0.1]", "0.0.0.0", "[fe80::1]"])
def test_private_addresses_are_refused_unless_allowed(file_server, settings, host):
    settings.MEDIA_ALLOW_PRIVATE_NETWORKS = False
    port = file_server.server.server_address[1]
    url = file_server.add("nota.ogg", VOICE_NOTE, "audio/ogg").replace(f"127.0.0.1:{port}", f"{host}:{port}")
    with pytest.raises(AttachmentRefused, match="non-public address"):
        download_attachment(url, kind="audio")
    assert file_server.requests == []


def test_the_same_url_is_fetched_when_private_networks_are_allowed(file_server, settings):
    settings.MEDIA_ALLOW_PRIVATE_NETWORKS = True
    url = file_server.add("nota.ogg", VOICE_NOTE, "audio/ogg").replace("127.0.0.1", "localhost")
    assert download_attachment(url, kind="audio").content == VOICE_NOTE


def test_an_unknown_host_is_unreachable_and_transient(file_server, settings):
    settings.MEDIA_ALLOW_PRIVATE_NETWORKS = False
    with pytest.raises(AttachmentUnreachable, match="cannot resolve") as caught:
        download_attachment("https://attachments.invalid/nota.ogg", kind="audio")
    assert caught.value.transient


def test_a_closed_port_is_unreachable(file_server):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(AttachmentUnreachable):
        download_attachment(f"http://127.0.0.1:{port}/nota.ogg", kind="audio")


def test_an_unknown_kind_is_a_programming_error(file_server):
    with pytest.raises(ValueError, match="kind must be one of"):
        download_attachment("http://127.0.0.1/x", kind="video")


def test_a_dns_answer_that_changes_to_a_private_address_is_caught_after_connecting(file_server, settings,
                                                                                     monkeypatch):
    """DNS rebinding: the name resolves to a public address when checked, then to 127.0.0.1 when connecting.
    The resolver is the boundary faked here (a hostile DNS server), not our code."""
    settings.MEDIA_ALLOW_PRIVATE_NETWORKS = False
    real_getaddrinfo, answers = socket.getaddrinfo, iter(["93.184.216.34"])

    def rebinding_dns(host, port, *args, **kwargs):
        if host != "rebind.example":
            return real_getaddrinfo(host, port, *args, **kwargs)
        return real_getaddrinfo(next(answers, "127.0.0.1"), port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_dns)
    port = file_server.server.server_address[1]
    url = file_server.add("nota.ogg", VOICE_NOTE, "audio/ogg").replace(f"127.0.0.1:{port}", f"rebind.example:{port}")
    with pytest.raises(AttachmentRefused, match=r"connected to a non-public address \(127.0.0.1\)"):
        download_attachment(url, kind="audio")
    assert len(file_server.requests) == 1  # the GET went out, but its answer was never read
