"""The errors a use case reports to people. Each carries a Chinese ``message`` and, for input errors,
``fields`` (field path -> Chinese messages); the web maps them to 404 / 409 / 422 pages and the API to
its error envelope."""

from __future__ import annotations


class ServiceError(Exception):
    """Base of the errors a use case reports to people; ``message`` is Chinese."""

    status_code = 400
    code = "error"

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class NotFound(ServiceError):
    """Missing or out of scope (the two are indistinguishable on purpose)."""

    status_code = 404
    code = "not_found"


class Conflict(ServiceError):
    """The case moved on (task no longer ready, or a concurrent change won)."""

    status_code = 409
    code = "conflict"


class ValidationFailed(ServiceError):
    """Input breaks a rule; ``fields`` maps field paths to Chinese messages."""

    status_code = 422
    code = "validation_error"


class Forbidden(ServiceError):
    """In scope, but the actor's role may not do this (e.g. reveal full ID numbers); says why in Chinese."""

    status_code = 403
    code = "forbidden"
