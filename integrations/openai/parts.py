"""Media as the OpenAI API takes them: the transcription upload and the chat content parts for photos and PDFs.

Formats and limits are the API's own (https://platform.openai.com/docs/guides/speech-to-text,
/docs/guides/images-vision, /docs/guides/pdf-files); anything else is refused here, before any HTTP, with
`MediaNotSupported`, because the API would answer a 400 we could do nothing about.
"""

from __future__ import annotations

import base64
import posixpath

from integrations.openai.errors import MediaNotSupported

# The transcription endpoint picks the decoder from the file name's extension, so the upload must carry one that
# matches the bytes: flac, mp3, mp4, mpeg, mpga, m4a, ogg, wav or webm. WhatsApp voice notes are Opus in Ogg.
AUDIO_EXTENSIONS = {
    "audio/ogg": "ogg", "audio/opus": "ogg", "application/ogg": "ogg",
    "audio/mpeg": "mp3", "audio/mp3": "mp3", "audio/mpga": "mpga",
    "audio/mp4": "m4a", "audio/m4a": "m4a", "audio/x-m4a": "m4a", "video/mp4": "mp4",
    "audio/wav": "wav", "audio/x-wav": "wav", "audio/wave": "wav", "audio/vnd.wave": "wav",
    "audio/webm": "webm", "video/webm": "webm",
    "audio/flac": "flac", "audio/x-flac": "flac",
}
TRANSCRIPTION_MAX_BYTES = 25 * 1024 * 1024

IMAGE_TYPES = {"image/png": "image/png", "image/jpeg": "image/jpeg", "image/jpg": "image/jpeg",
               "image/pjpeg": "image/jpeg", "image/webp": "image/webp", "image/gif": "image/gif"}
IMAGE_MAX_BYTES = 20 * 1024 * 1024
PDF_TYPE = "application/pdf"
PDF_MAX_BYTES = 32 * 1024 * 1024


def base_type(content_type: str) -> str:
    """"Audio/OGG; codecs=opus" -> "audio/ogg"."""
    return content_type.split(";", 1)[0].strip().lower()


def audio_file(audio: bytes, content_type: str, filename: str = "") -> tuple[str, bytes, str]:
    """(name, bytes, content type) for the multipart `file` field."""
    kind = base_type(content_type)
    extension = AUDIO_EXTENSIONS.get(kind)
    if extension is None:
        raise MediaNotSupported(f"audio type {kind!r} cannot be transcribed (flac, mp3, mp4, m4a, ogg, wav, webm)")
    _check_size(audio, TRANSCRIPTION_MAX_BYTES, "audio")
    stem = posixpath.splitext(posixpath.basename(filename or ""))[0] or "voice-note"
    return f"{stem}.{extension}", audio, kind


def content_part(media: bytes, content_type: str, filename: str = "") -> dict:
    """A user-message content part carrying a photo (`image_url`) or a PDF (`file`), inline as base64."""
    kind = base_type(content_type)
    if kind in IMAGE_TYPES:
        _check_size(media, IMAGE_MAX_BYTES, "image")
        # "high": lists are small handwriting or print; "low" reads them at 512 px and misses quantities.
        url = f"data:{IMAGE_TYPES[kind]};base64,{_b64(media)}"
        return {"type": "image_url", "image_url": {"url": url, "detail": "high"}}
    if kind == PDF_TYPE:
        _check_size(media, PDF_MAX_BYTES, "PDF")
        stem = posixpath.splitext(posixpath.basename(filename or ""))[0] or "lista"
        data = f"data:{PDF_TYPE};base64,{_b64(media)}"
        return {"type": "file", "file": {"filename": f"{stem}.pdf", "file_data": data}}
    raise MediaNotSupported(f"{kind!r} is not a photo (png, jpeg, webp, gif) or a PDF")


def _check_size(data: bytes, limit: int, what: str) -> None:
    if not data:
        raise MediaNotSupported(f"the {what} is empty")
    if len(data) > limit:
        raise MediaNotSupported(f"the {what} has {len(data)} bytes; the API takes at most {limit}")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
