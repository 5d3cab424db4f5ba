"""The Odoo exceptions the stand-in raises, with how each protocol renders them (NOTES.md §1.3, §7.2-7.4)."""

from __future__ import annotations


class StandinError(Exception):
    name = "odoo.exceptions.UserError"
    xmlrpc_code = 2  # /xmlrpc/2/ integer faultCode
    legacy_prefix = "warning -- UserError"  # /xmlrpc/ string faultCode prefix
    http_status = 422  # JSON-2

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def legacy_fault(self) -> tuple[str, str]:
        return f"{self.legacy_prefix}\n\n{self.message}", ""

    def int_fault(self) -> tuple[int, str]:
        return self.xmlrpc_code, self.message


class UserError(StandinError):
    pass


class ValidationError(UserError):
    name = "odoo.exceptions.ValidationError"


class MissingError(UserError):
    name = "odoo.exceptions.MissingError"
    legacy_prefix = "warning -- MissingError"
    http_status = 404


class AccessError(StandinError):
    name = "odoo.exceptions.AccessError"
    xmlrpc_code = 4
    legacy_prefix = "warning -- AccessError"
    http_status = 403


class AccessDenied(StandinError):
    name = "odoo.exceptions.AccessDenied"
    xmlrpc_code = 3
    http_status = 401

    def __init__(self, message: str = "Access Denied"):
        super().__init__(message)

    def legacy_fault(self) -> tuple[str, str]:
        return "AccessDenied", "Access Denied"


class ServerFault(StandinError):
    """Anything else: code 1 with a traceback (e.g. the `cannot marshal None` TypeError)."""

    name = "builtins.TypeError"
    xmlrpc_code = 1
    http_status = 500

    def legacy_fault(self) -> tuple[str, str]:
        return self.message, f"Traceback (most recent call last):\n  ...\n{self.message}"

    def int_fault(self) -> tuple[int, str]:
        return 1, f"Traceback (most recent call last):\n  ...\n{self.message}"


MARSHAL_NONE = "cannot marshal None unless allow_none is enabled"
