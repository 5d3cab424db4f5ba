"""The one Odoo client: every `ODOO_PROTOCOL` through odoolib, with timeouts, retries, a circuit breaker, typed
errors, a metric and an `ExternalCall` row per attempt.

Upstream docs: https://www.odoo.com/documentation/19.0/developer/reference/external_api.html (JSON-2) and
external_rpc_api.html (XML-RPC / JSON-RPC). Protocol facts and traps: shared NOTES.md.

- Reads are retried (tenacity) on transient failures. A write is retried only when the request certainly did not
  reach Odoo (connection refused, 429). Any unknown outcome of a write -- HTTP 5xx, a reset, a timeout, an answer
  that does not parse, a server fault (Odoo may fail after it committed, as with "cannot marshal None") -- is
  `OdooUnavailable(maybe_done=True)`: the caller looks the effect up (its key, a state re-read) before repeating.
  "Write" is anything not on the read list (`READ_METHODS`), so an unknown method is never repeated blindly.
- Circuit breaker (pybreaker), one per process: transient failures count, business errors (validation, access,
  missing) do not. While open, calls fail at once with `OdooCircuitOpen`; the orders app leaves work pending and
  a scheduled task pushes it later. Opening is also published in the cache (until the reset time), so the web
  process and the worker agree; a cache outage only loses that sharing.
- A method that returns None (e.g. `button_cancel`) is a success: over XML-RPC Odoo commits and then faults with
  "cannot marshal None"; over JSON-RPC the `result` key is missing; over JSON-2 the body is `null`.
- `settings.DRY_RUN`: writes are not sent; the call row (outcome `dry_run`) and the log say what would have been.
- JSON-2 against a server without it (Odoo 17/18 answer 404): the server's version is probed and the error says
  which protocol to use instead (`OdooConfigError`).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any
from urllib.parse import urlsplit

import pybreaker
from django.conf import settings
from django.core.cache import cache
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from core.metrics import odoo_calls_total
from integrations.calls import logged_call
from integrations.odoo import errors, fields
from integrations.odoo.faults import classify, is_none_result
from integrations.odoo.transport import connection, server_version

log = logging.getLogger(__name__)

# Methods that change nothing in Odoo; every other method is treated as a write.
READ_METHODS = frozenset({
    "search", "search_read", "search_count", "read", "fields_get", "name_search", "name_get", "context_get",
    "default_get", "read_group", "web_read", "web_search_read", "exists", "check_access_rights", "has_access",
})


def _is_business_error(exc: BaseException) -> bool:
    return isinstance(exc, errors.OdooError) and not exc.transient


SHARED_OPEN_KEY = "odoo:circuit-open-until"


class _ShareState(pybreaker.CircuitBreakerListener):
    """Publish this process's breaker opening in the cache, so the web and the worker stop calling together."""

    def state_change(self, cb, old_state, new_state):
        if new_state.name == pybreaker.STATE_OPEN:
            cache.set(SHARED_OPEN_KEY, time.time() + cb.reset_timeout, timeout=int(cb.reset_timeout) + 1)
        elif new_state.name == pybreaker.STATE_CLOSED:
            cache.delete(SHARED_OPEN_KEY)


_BREAKER = pybreaker.CircuitBreaker(fail_max=5, reset_timeout=30, name="odoo", exclude=[_is_business_error],
                                    throw_new_error_on_trip=False, listeners=[_ShareState()])


def _shared_open() -> bool:
    try:
        return float(cache.get(SHARED_OPEN_KEY) or 0) > time.time()
    except Exception:  # noqa: BLE001 - the cache is an optimisation; Odoo calls must not depend on it
        return False


def breaker() -> pybreaker.CircuitBreaker:
    _BREAKER.fail_max = int(settings.ODOO_BREAKER_FAIL_MAX)
    _BREAKER.reset_timeout = float(settings.ODOO_BREAKER_RESET_SECONDS)
    return _BREAKER


def is_write(method: str) -> bool:
    return method not in READ_METHODS


class OdooClient:
    def __init__(self, *, url: str, database: str, login: str, password: str, protocol: str, timeout: float):
        if protocol not in ("xmlrpc", "xmlrpcs", "jsonrpc", "jsonrpcs", "json2", "json2s"):
            raise ValueError(f"ODOO_PROTOCOL {protocol!r} is not one of xmlrpc(s), jsonrpc(s), json2(s)")
        parts = urlsplit(url)
        default_port = 443 if parts.scheme == "https" else 8069
        self.url, self.protocol, self.timeout = url, protocol, timeout
        self.json2 = protocol.startswith("json2")
        self.hostname, self.port = parts.hostname or "127.0.0.1", int(parts.port or default_port)
        self.secure = protocol.endswith("s")
        self.conn = connection(protocol=protocol, hostname=self.hostname, port=self.port, database=database,
                               login=login, password=password, timeout=timeout)

    # --- the generic call ------------------------------------------------------------------------------------
    def call(self, model: str, method: str, *, ids: list[int] | None = None, **params) -> Any:
        """`model.method` with the recordset `ids` and named parameters, whatever the protocol."""
        summary = _summary(model, method, ids, params)
        if is_write(method) and settings.DRY_RUN:
            return self._dry_run(model, method, summary)
        retrying = Retrying(
            retry=retry_if_exception(lambda exc: _retryable(exc, method)),
            stop=stop_after_attempt(int(settings.ODOO_RETRY_ATTEMPTS)),
            wait=wait_exponential(multiplier=float(settings.ODOO_RETRY_WAIT), max=2),
            reraise=True,
        )
        return retrying(self._attempt, model, method, ids, params, summary)

    def _attempt(self, model, method, ids, params, summary):
        label = f"{model}.{method}"
        try:
            with logged_call("odoo", label, summary) as record:
                result = self._through_breaker(model, method, ids, params)
                record.response_summary = _short(result)
        except errors.OdooError as exc:
            odoo_calls_total.labels(method=label, outcome=_outcome(exc)).inc()
            raise
        odoo_calls_total.labels(method=label, outcome="ok").inc()
        return result

    def _through_breaker(self, model, method, ids, params):
        if breaker().current_state == pybreaker.STATE_CLOSED and _shared_open():
            raise errors.OdooCircuitOpen("Odoo circuit open (opened by another process)")
        try:
            return breaker().call(self._invoke, model, method, ids, params)
        except pybreaker.CircuitBreakerError as exc:
            raise errors.OdooCircuitOpen("Odoo circuit open: not calling until it resets") from exc

    def _invoke(self, model, method, ids, params):
        params = dict(params)  # _rpc_args pops from it; a retry must see the original
        try:
            proxy = self.conn.get_model(model)
            if self.json2:
                return self._json2(proxy, method, ids, params)
            args = _rpc_args(method, ids, params)
            return type(proxy).__getattr__(proxy, method)(*args, **params)
        except errors.OdooError:
            raise
        except Exception as exc:  # noqa: BLE001 - every protocol failure becomes one typed error
            if is_none_result(exc):
                return None
            raise self._explain(classify(exc), method) from exc

    def _explain(self, error: errors.OdooError, method: str) -> errors.OdooError:
        if is_write(method) and type(error) is errors.OdooServerError and (error.status or 500) >= 500:
            # A fault from inside Odoo (not an HTTP 4xx refusal at the door): Odoo may have committed before failing
            # (the XML-RPC "cannot marshal None" fault is one such case), so the caller must look before repeating.
            return errors.OdooUnavailable(f"{error} (Odoo may have saved the change)", status=error.status,
                                          maybe_done=True)
        if self.json2 and type(error) is errors.OdooConfigError and error.status == 404:
            return self._json2_unsupported()
        return error

    def _json2_unsupported(self) -> errors.OdooConfigError:
        version = server_version(self.hostname, self.port, secure=self.secure, timeout=self.timeout)
        if version and version[0] < 19:
            return errors.OdooConfigError(
                f"ODOO_PROTOCOL={self.protocol} needs Odoo 19 or later, but {self.url} runs Odoo {version[1]}: set "
                f"ODOO_PROTOCOL={'xmlrpcs' if self.secure else 'xmlrpc'} (or jsonrpc) with the user's password or "
                "API key.", status=404)
        return errors.OdooConfigError(
            f"ODOO_PROTOCOL={self.protocol} found no JSON-2 API at {self.url} (HTTP 404): JSON-2 needs Odoo 19 or "
            "later; check ODOO_URL, or use ODOO_PROTOCOL=xmlrpc for Odoo 17/18.", status=404)

    def server_version(self) -> tuple[int, str] | None:
        """(major, "17.0") from `common.version` (no login needed), or None when the server does not say."""
        return server_version(self.hostname, self.port, secure=self.secure, timeout=self.timeout)

    @staticmethod
    def _json2(proxy, method, ids, params):
        body = dict(params)
        if method == "create":
            body = {"vals_list": [params["vals"]]}
        elif ids is not None:
            body["ids"] = ids
        result = type(proxy).__getattr__(proxy, method)(**body)
        return result[0] if method == "create" and isinstance(result, list) else result

    def _dry_run(self, model: str, method: str, summary: str):
        with logged_call("odoo", f"{model}.{method}", summary, dry_run=True) as record:
            record.response_summary = "DRY_RUN: not sent"
        odoo_calls_total.labels(method=f"{model}.{method}", outcome="dry_run").inc()
        log.warning("DRY_RUN: would call Odoo %s", summary)
        return None

    # --- typed helpers (named parameters work on every protocol) ---------------------------------------------
    def search_read(self, model: str, domain: list, fields: list[str], *, limit: int | None = None,
                    order: str | None = None) -> list[dict]:
        params: dict = {"domain": domain, "fields": fields}
        if limit:
            params["limit"] = limit
        if order:
            params["order"] = order
        return self.call(model, "search_read", **params) or []

    def read(self, model: str, ids: list[int], fields: list[str]) -> list[dict]:
        rows = self.call(model, "read", ids=list(ids), fields=fields) or []
        return [rows] if isinstance(rows, dict) else list(rows)

    def search(self, model: str, domain: list, *, limit: int | None = None) -> list[int]:
        return self.call(model, "search", domain=domain, **({"limit": limit} if limit else {})) or []

    def search_count(self, model: str, domain: list) -> int:
        return int(self.call(model, "search_count", domain=domain) or 0)

    def create(self, model: str, vals: dict) -> int | None:
        return self.call(model, "create", vals=vals)

    def write(self, model: str, ids: list[int], vals: dict) -> Any:
        return self.call(model, "write", ids=list(ids), vals=vals)

    def button(self, model: str, method: str, ids: list[int]) -> Any:
        """A `button_*` action. Its return value proves nothing (NOTES §0.4): callers re-read the state."""
        return self.call(model, method, ids=list(ids))

    def fields_get(self, model: str) -> dict[str, dict]:
        # Always pass `attributes`: without it some models fault on None attributes (NOTES §3.4).
        return self.call(model, "fields_get", attributes=["string", "type", "relation", "selection"]) or {}


def _rpc_args(method: str, ids, params: dict) -> list:
    """XML-RPC/JSON-RPC `execute_kw` positional args; create(dict) must be positional to return an int."""
    if method == "create":
        return [params.pop("vals")]
    if method == "write":
        return [ids, params.pop("vals")]
    return [ids] if ids is not None else []


def _retryable(exc: BaseException, method: str) -> bool:
    if not isinstance(exc, errors.OdooUnavailable) or isinstance(exc, errors.OdooCircuitOpen):
        return False
    return not (is_write(method) and exc.maybe_done)


def _outcome(exc: errors.OdooError) -> str:
    return {errors.OdooCircuitOpen: "circuit_open", errors.OdooTimeout: "timeout"}.get(
        type(exc), type(exc).__name__.removeprefix("Odoo").lower())


def _summary(model, method, ids, params) -> str:
    return json.dumps({"model": model, "method": method, "ids": ids, **params}, default=str, ensure_ascii=False)[:4000]


def _short(result) -> str:
    return json.dumps(result, default=str, ensure_ascii=False)[:1000]


_CLIENTS: dict[tuple, OdooClient] = {}
_CLIENTS_LOCK = threading.Lock()


def get_client() -> OdooClient:
    """One client per settings combination per process (tests point ODOO_URL at a fresh stand-in)."""
    key = (settings.ODOO_URL, settings.ODOO_DB, settings.ODOO_USERNAME, settings.ODOO_PASSWORD,
           settings.ODOO_PROTOCOL, float(settings.ODOO_TIMEOUT))
    with _CLIENTS_LOCK:
        if key not in _CLIENTS:
            _CLIENTS[key] = OdooClient(url=key[0], database=key[1], login=key[2], password=key[3],
                                       protocol=key[4], timeout=key[5])
        return _CLIENTS[key]


def reset() -> None:
    """Forget clients, detected fields and breaker state (tests; after changing settings at runtime)."""
    with _CLIENTS_LOCK:
        _CLIENTS.clear()
    fields.clear_cache()
    _BREAKER.close()
    cache.delete(SHARED_OPEN_KEY)
