"""Turn what each protocol raises into one `OdooError` (NOTES.md §1.3 and §7.3's fault table).

What reached Odoo but gave no readable answer (HTTP 5xx, a reset, a timeout, an answer that does not parse) is
`maybe_done`: Odoo may have committed. Connection refused is not: the request never left. Texts that mean "this
model/method does not exist here" become `OdooModelMissing` / `OdooMethodMissing`, so a caller can say which app
or version is missing instead of showing a bare fault.
"""

from __future__ import annotations

import http.client
import json
import re
import socket
import xml.parsers.expat
import xmlrpc.client

import httpx
from odoolib.tools import AuthenticationError, JsonRPCException

from integrations.odoo import errors

MARSHAL_NONE = "cannot marshal None"
_MISSING_TEXT = "does not exist or has been deleted"
# "Object sale.order doesn't exist" (RPC, 17-19 `odoo/service/model.py`); "the model 'sale.order' does not exist"
# (JSON-2, 19 `addons/rpc/controllers/json2.py`).
_NO_MODEL = re.compile(r"Object (?P<a>[\w.]+) doesn't exist|the model '(?P<b>[\w.]+)' does not exist")
_NO_METHOD = re.compile(r"The method '[\w.]+' does not exist")

# Exception class name (JSON-RPC `data.name`, JSON-2 `name`) → our error.
BY_NAME = {
    "MissingError": errors.OdooMissingError,
    "AccessError": errors.OdooAccessError,
    "AccessDenied": errors.OdooAuthError,
    "UserError": errors.OdooValidationError,
    "ValidationError": errors.OdooValidationError,
    "RedirectWarning": errors.OdooValidationError,
    "LockError": errors.OdooUnavailable,
    "SessionExpiredException": errors.OdooAuthError,
}
# /xmlrpc/2/ integer codes; 2 covers UserError, ValidationError and MissingError (told apart by the text).
BY_INT_CODE = {2: errors.OdooValidationError, 3: errors.OdooAuthError, 4: errors.OdooAccessError}
# /xmlrpc/ string codes (odoolib's default endpoint).
BY_PREFIX = [
    ("warning -- MissingError", errors.OdooMissingError),
    ("warning -- AccessError", errors.OdooAccessError),
    ("warning -- ", errors.OdooValidationError),
    ("AccessDenied", errors.OdooAuthError),
]


def is_none_result(exc: BaseException) -> bool:
    """The XML-RPC fault Odoo sends AFTER committing a method that returned None (NOTES §3.4)."""
    return isinstance(exc, xmlrpc.client.Fault) and MARSHAL_NONE in f"{exc.faultCode} {exc.faultString}"


def classify(exc: BaseException) -> errors.OdooError:
    for kinds, parser in _PARSERS:
        if isinstance(exc, kinds):
            return _refine(parser(exc))
    return errors.OdooServerError(f"{exc.__class__.__name__}: {exc}")


def _refine(error: errors.OdooError) -> errors.OdooError:
    """Name what does not exist (an app not installed, a method of another version)."""
    text = str(error)
    if isinstance(error, (errors.OdooValidationError, errors.OdooServerError, errors.OdooMissingError)):
        found = _NO_MODEL.search(text)
        if found:
            model = found.group("a") or found.group("b")
            return errors.OdooModelMissing(f"Odoo has no model {model} (the app that defines it is not installed)",
                                           model=model, status=error.status)
        if _NO_METHOD.search(text):
            return errors.OdooMethodMissing(_NO_METHOD.search(text).group(0), status=error.status)
    return error


def _xmlrpc_fault(exc: xmlrpc.client.Fault) -> errors.OdooError:
    code, text = exc.faultCode, str(exc.faultString or "")
    if isinstance(code, int):
        cls = BY_INT_CODE.get(code, errors.OdooServerError)
        if cls is errors.OdooValidationError and _MISSING_TEXT in text:
            cls = errors.OdooMissingError
        return cls(_first_line(text) if code == 1 else text)
    for prefix, cls in BY_PREFIX:
        if str(code).startswith(prefix):
            message = str(code).split("\n\n", 1)[-1] if "\n\n" in str(code) else (text or str(code))
            return cls(message)
    return errors.OdooServerError(str(code))


def _jsonrpc_error(exc: JsonRPCException) -> errors.OdooError:
    error = exc.error if isinstance(exc.error, dict) else {}
    data = error.get("data") or {}
    if error.get("code") == 100:
        return errors.OdooAuthError(data.get("message") or "Session expired")
    if error.get("code") == 404:
        return errors.OdooServerError(error.get("message") or "404: Not Found", status=404)
    return _by_name(data.get("name", ""), data.get("message") or error.get("message") or "Odoo Server Error")


def _json2_error(exc: ValueError) -> errors.OdooError:
    """odoolib's JSON-2 raises ValueError('Unexpected status code N: <body>') or ('Invalid request: <body> …')."""
    text = str(exc)
    match = re.match(r"Unexpected status code (\d+): (.*)", text, re.S)
    status = int(match.group(1)) if match else 422
    body = match.group(2) if match else text.removeprefix("Invalid request: ").split(" for data ")[0]
    try:
        data = json.loads(body)
    except ValueError:
        data = {}
    data = data if isinstance(data, dict) else {}
    if status >= 500 and not data.get("name") or status in (502, 503, 504):
        return errors.OdooUnavailable(f"HTTP {status}", status=status, maybe_done=True)
    if status == 404 and not data.get("name"):
        return errors.OdooConfigError("no JSON-2 API at this address (HTTP 404 on /json/2)", status=404)
    if not data.get("name"):
        cls = {401: errors.OdooAuthError, 403: errors.OdooAccessError, 409: errors.OdooUnavailable}.get(
            status, errors.OdooValidationError if status == 422 else errors.OdooServerError)
        return cls(body[:500] or f"HTTP {status}", status=status)
    return _by_name(data["name"], data.get("message", ""), status=status)


def _by_name(name: str, message: str, status: int | None = None) -> errors.OdooError:
    cls = BY_NAME.get(name.rsplit(".", 1)[-1], errors.OdooServerError)
    return cls(message, status=status)


def _protocol_error(exc: xmlrpc.client.ProtocolError) -> errors.OdooError:
    return _status_error(exc.errcode, f"HTTP {exc.errcode} {exc.errmsg}")


def _http_status(exc: httpx.HTTPStatusError) -> errors.OdooError:
    return _status_error(exc.response.status_code, f"HTTP {exc.response.status_code}")


def _status_error(status: int, message: str) -> errors.OdooError:
    if status == 429:
        return errors.OdooUnavailable(message, status=status)  # refused before any work
    if status >= 500:
        # A 5xx says nothing about whether Odoo committed (a proxy may time out after it did): maybe done.
        return errors.OdooUnavailable(message, status=status, maybe_done=True)
    return errors.OdooServerError(message, status=status)


def _refused(exc: BaseException) -> errors.OdooError:
    return errors.OdooUnavailable(f"connection refused: {exc}")


def _timeout(exc: BaseException) -> errors.OdooError:
    return errors.OdooTimeout(f"timed out: {exc}", maybe_done=True)


def _dropped(exc: BaseException) -> errors.OdooError:
    # The request may have reached Odoo before the connection dropped: the caller must look before re-doing.
    return errors.OdooUnavailable(f"connection lost: {exc.__class__.__name__}: {exc}", maybe_done=True)


def _bad_answer(exc: BaseException) -> errors.OdooError:
    return errors.OdooUnavailable(f"unreadable answer: {exc}", maybe_done=True)


def _first_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else text


_PARSERS = [
    (xmlrpc.client.Fault, _xmlrpc_fault),
    (JsonRPCException, _jsonrpc_error),
    (AuthenticationError, lambda exc: errors.OdooAuthError(str(exc))),
    (xmlrpc.client.ProtocolError, _protocol_error),
    (httpx.HTTPStatusError, _http_status),
    ((ConnectionRefusedError, httpx.ConnectError), _refused),
    ((socket.timeout, TimeoutError, httpx.TimeoutException), _timeout),
    ((http.client.HTTPException, ConnectionError, httpx.TransportError, OSError, xmlrpc.client.ResponseError), _dropped),
    ((json.JSONDecodeError, xml.parsers.expat.ExpatError), _bad_answer),
    (ValueError, _json2_error),
]
