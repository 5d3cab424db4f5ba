"""The Odoo exceptions the stand-in raises, with how each protocol renders them (NOTES.md §1.3, §7.2-7.4)."""

from __future__ import annotations


class StandinError(Exception):
    name = "odoo.exceptions.UserError"
    xmlrpc_code = 2  # /xmlrpc/2/ integer faultCode
    legacy_prefix = "warning -- UserError"  # /xmlrpc/ string faultCode prefix
    http_status = 422  # JSON-2
    json2_name = ""  # when JSON-2 names it differently (a werkzeug NotFound)
    json2_message = ""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def json2_body(self) -> dict:
        """JSON-2's error body (19.0 `odoo/http.py`): the exception's dotted name and its message."""
        name, message = self.json2_name or self.name, self.json2_message or self.message
        return {"name": name, "message": message, "arguments": [message], "context": {},
                "debug": f"Traceback (most recent call last):\n{name}: {message}"}

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


class ModelNotFound(UserError):
    """An unknown model (its app is not installed): a UserError over RPC, a 404 NotFound over JSON-2."""

    json2_name = "werkzeug.exceptions.NotFound"

    def __init__(self, model: str):
        super().__init__(f"Object {model} doesn't exist")
        self.json2_message = f"the model {model!r} does not exist"
        self.http_status = 404


class MethodNotFound(ServerFault):
    """An unknown public method: an AttributeError (code 1) over RPC, a 404 NotFound over JSON-2."""

    name = "builtins.AttributeError"
    json2_name = "werkzeug.exceptions.NotFound"

    def __init__(self, model: str, method: str):
        super().__init__(f"AttributeError: The method '{model}.{method}' does not exist")
        self.json2_message = f"The method '{model}.{method}' does not exist"
        self.http_status = 404


MARSHAL_NONE = "cannot marshal None unless allow_none is enabled"
