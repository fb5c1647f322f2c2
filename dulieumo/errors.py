"""One small exception hierarchy.

Every error says whether a retry can help (``TransientError``) or not (``TerminalError``),
carries a message a data officer can act on, and optionally the next command to run.
Messages never contain secrets: callers pass tokens nowhere near these classes.

Where the problem is travels as fields, not inside the sentence: ``dataset``, ``file``,
``row``, ``field`` (and ``code``, stable for programs). Code that needs to know which dataset
an error is about reads ``exc.dataset``; nobody parses ``exc.message``. A raiser whose
message already names the dataset sets ``dataset=`` too, so nobody names it a second time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


class DulieumoError(Exception):
    """Root of every error the product raises on purpose."""

    #: short stable code for programs (``--json`` output) and tests
    code: str = "error"

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        dataset: str | None = None,
        file: str | None = None,
        row: int | None = None,
        field: str | None = None,
        code: str | None = None,
    ) -> None:
        from dulieumo.redact import mask_text  # a URL quoted in a message loses its secret

        message = mask_text(message)
        super().__init__(message)
        self.message = message
        self.hint = mask_text(hint) if hint else hint
        self.dataset = dataset  # the dataset the error is about
        self.file = file  # the file at fault (a spec, a schema, the source), as shown to users
        self.row = row  # 1-based row of that file
        self.field = field  # a field name, or a path inside a spec ("source.url")
        if code is not None:
            self.code = code

    def about(self, dataset: str) -> DulieumoError:
        """Say which dataset this error is about, once: a message that does not name it
        yet gets the prefix ``Dataset '<name>': ``. Returns the error, to re-raise."""
        if self.dataset is None:
            self.dataset = dataset
            self.message = f"Dataset '{dataset}': {self.message}"
        return self

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}\n  → {self.hint}"
        return self.message

    def to_dict(self) -> dict[str, object]:
        located: dict[str, object] = {
            key: value
            for key, value in (
                ("dataset", self.dataset),
                ("file", self.file),
                ("row", self.row),
                ("field", self.field),
            )
            if value is not None
        }
        return {
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
            "transient": isinstance(self, TransientError),
        } | located


class TerminalError(DulieumoError):
    """Retrying will not help: the input, the configuration or a permission is wrong."""

    code = "terminal"


class TransientError(DulieumoError):
    """A retry may help: a network failure, a timeout, a 5xx from a server."""

    code = "transient"


@dataclass(frozen=True)
class SpecProblem:
    """One thing wrong in one spec file (a dataset spec, the portal file, a schema, a suite):
    ``file: path: message``. `path` is "" for the file as a whole; `file` is "" when the
    code that found it does not know the file (the caller knows it)."""

    file: str
    path: str
    message: str

    def __str__(self) -> str:
        return ": ".join(part for part in (self.file, self.path, self.message) if part)


class SpecError(TerminalError):
    """A dataset spec, the portal file, a schema or a suite is invalid. `problems` holds what
    is wrong one by one, as values (`catalog check` lists them; nobody parses the message)."""

    code = "spec-error"

    def __init__(
        self, message: str, *, problems: Sequence[SpecProblem] = (), **fields: Any
    ) -> None:
        super().__init__(message, **fields)
        self.problems: list[SpecProblem] = list(problems)

    @classmethod
    def of(cls, problems: Sequence[SpecProblem], *, hint: str | None = None) -> SpecError:
        """The error of `problems`, one per line, located at the first one's file and path."""
        first = problems[0]
        return cls(
            "\n".join(str(p) for p in problems),
            problems=problems,
            hint=hint,
            file=first.file or None,
            field=first.path or None,
        )


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
