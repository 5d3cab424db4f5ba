"""Domain errors. Views map them to HTTP in one place (`core.api.exception_handler`)."""


class DomainError(Exception):
    """A rule of the domain was broken; the message is safe to show to a user or staff member."""

    status_code = 400
    code = "domain_error"

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class InvalidTransition(DomainError):
    status_code = 409
    code = "invalid_transition"


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class ExternalServiceError(Exception):
    """An external system failed. `transient` says whether retrying can help."""

    def __init__(self, message: str, *, transient: bool, status: int | None = None):
        super().__init__(message)
        self.transient = transient
        self.status = status
