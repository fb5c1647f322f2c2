"""One small exception hierarchy.

Every error says whether a retry can help (``TransientError``) or not (``TerminalError``),
carries a message a data officer can act on, and optionally the next command to run.
Messages never contain secrets: callers pass tokens nowhere near these classes.
"""

from __future__ import annotations


class DulieumoError(Exception):
    """Root of every error the product raises on purpose."""

    #: short stable code for programs (``--json`` output) and tests
    code: str = "error"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        from dulieumo.redact import mask_text  # a URL quoted in a message loses its secret

        message = mask_text(message)
        super().__init__(message)
        self.message = message
        self.hint = mask_text(hint) if hint else hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}\n  → {self.hint}"
        return self.message

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
            "transient": isinstance(self, TransientError),
        }


class TerminalError(DulieumoError):
    """Retrying will not help: the input, the configuration or a permission is wrong."""

    code = "terminal"


class TransientError(DulieumoError):
    """A retry may help: a network failure, a timeout, a 5xx from a server."""

    code = "transient"


class SpecError(TerminalError):
    """A dataset spec, the portal file, a schema or a suite is invalid."""

    code = "spec-error"


class SourceError(TerminalError):
    """The source could not be read (missing file, 404, undecodable bytes...)."""

    code = "source-error"


class SourceUnavailable(TransientError):
    """The source server failed in a way that may pass (5xx, timeout, connection reset)."""

    code = "source-unavailable"


class ValidationFailed(TerminalError):
    """Validation produced error-level findings; nothing is published."""

    code = "validation-failed"


class PortalError(TerminalError):
    """The portal refused the request (permission, validation, not found)."""

    code = "portal-error"


class PortalUnavailable(TransientError):
    """The portal could not be reached or answered 5xx."""

    code = "portal-unavailable"


class LocalPortalError(TerminalError):
    """The local portal could not be installed, started or stopped."""

    code = "local-portal-error"
