"""Chatwoot REST errors that say whether retrying can help."""

from __future__ import annotations

from core.errors import ExternalServiceError


class ChatwootError(ExternalServiceError):
    """A Chatwoot REST call failed.

    `transient` is True for timeouts, connection errors, 5xx and 429 (then `retry_after` holds the seconds Chatwoot
    asked us to wait, when it said); False for every other 4xx (bad token, unknown conversation, validation), which
    no retry can fix.
    """

    def __init__(
        self, message: str, *, transient: bool, status: int | None = None, retry_after: float | None = None,
        ambiguous: bool = False,
    ):
        super().__init__(message, transient=transient, status=status)
        self.retry_after = retry_after
        # The request may have reached Chatwoot and been carried out (read timeout, connection dropped mid-answer):
        # a write must be looked up before it is repeated.
        self.ambiguous = ambiguous

    @property
    def reason(self) -> str:
        """A short, stable reason for the Message.error column and the admin."""
        if self.status:
            return f"chatwoot_http_{self.status}: {self}"[:500]
        return f"chatwoot_unreachable: {self}"[:500]
