"""The one exception the OData engine raises; the Graph routes turn it into a Graph error response."""

from __future__ import annotations

__all__ = ["ODataError"]


class ODataError(Exception):
    """A query-option error with the HTTP status, Graph error code and message Graph would send."""

    status: int
    code: str
    message: str

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def __repr__(self) -> str:
        return f"ODataError({self.status!r}, {self.code!r}, {self.message!r})"
