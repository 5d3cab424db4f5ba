"""Typed Odoo errors, parsed from the faults of all three protocols (NOTES.md §1.3, §7.2-7.4).

`transient` says whether trying again later can help: only `OdooUnavailable` (network, timeout, 5xx, lock
conflicts, breaker open) is transient. `maybe_done` marks failures after which Odoo may already have done the work
(a timeout, a reset, an HTTP 5xx, an unreadable answer, or a server fault on a write: Odoo may have committed before
it failed), so a caller must look (by its key, or re-read the state) before it repeats the write.
`OdooConfigError` is a setup that cannot work (a protocol the server does not speak, an app that is not
installed); its message says in one sentence what to change.
"""

from __future__ import annotations

from core.errors import ExternalServiceError


class OdooError(ExternalServiceError):
    transient = False

    def __init__(self, message: str, *, status: int | None = None, maybe_done: bool = False):
        super().__init__(message, transient=type(self).transient, status=status)
        self.maybe_done = maybe_done


class OdooAuthError(OdooError):
    """Bad login, password or API key (AccessDenied)."""


OdooAccessDenied = OdooAuthError


class OdooAccessError(OdooError):
    """The integration user lacks a right (ACL, record rule, private method)."""


class OdooValidationError(OdooError):
    """Odoo refused the data (UserError / ValidationError): the message is Odoo's, fit for staff."""


class OdooMissingError(OdooError):
    """The record does not exist or was deleted."""


class OdooServerError(OdooError):
    """Any other server-side exception (a bug, an unknown method): retrying will not help."""


class OdooConfigError(OdooError):
    """The configuration cannot work against this server (protocol, version, installed apps)."""


class OdooModelMissing(OdooConfigError):
    """The model does not exist in this database: the app that defines it is not installed."""

    def __init__(self, message: str, *, model: str = "", status: int | None = None):
        super().__init__(message, status=status)
        self.model = model


class OdooMethodMissing(OdooConfigError):
    """The method does not exist on this version (e.g. `button_done` on 19)."""


class OdooUnavailable(OdooError):
    transient = True


class OdooTimeout(OdooUnavailable):
    pass


class OdooCircuitOpen(OdooUnavailable):
    pass
