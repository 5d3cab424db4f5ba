"""Typed Odoo errors, parsed from the faults of all three protocols (NOTES.md §1.3, §7.2-7.4).

`transient` says whether trying again later can help: only `OdooUnavailable` (network, timeout, 5xx, lock
conflicts, breaker open) is transient. `maybe_done` marks failures after which Odoo may already have done the work
(a timeout or a dropped connection after the request was sent), so a caller must look before it re-creates.
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


class OdooUnavailable(OdooError):
    transient = True


class OdooTimeout(OdooUnavailable):
    pass


class OdooCircuitOpen(OdooUnavailable):
    pass
