"""The one error type routes answer with: an HTTP status, a message and the fields concerned."""

from __future__ import annotations

from typing import Any

__all__ = ["ApiError"]


class ApiError(Exception):
    """``status`` 401/404/409/413/422...; ``fields`` ``[{field, message}]`` for a form."""

    def __init__(self, status: int, message: str, fields: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.fields = fields or []

    def body(self) -> dict[str, Any]:
        return {"error": self.message, "fields": self.fields}
