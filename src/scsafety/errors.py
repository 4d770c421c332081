"""The project's exceptions: a small hierarchy, each with a message fit for a user.

Everything a user can cause (bad files, unknown specs, missing keys, unreachable
servers) is a :class:`BadInput` and ends the CLI with exit code 2 and one line of text.
"""

from __future__ import annotations


class ScSafetyError(Exception):
    """Base class of every error raised on purpose by scsafety."""


class BadInput(ScSafetyError):
    """The user's input is wrong: a file, a spec, a flag, an environment variable.

    ``location`` is ``file:line`` (and a field) where one is known, so that the message
    names exactly what to fix.
    """

    def __init__(self, message: str, *, location: str | None = None, field: str | None = None):
        self.location = location
        self.field = field
        self.detail = message
        parts = []
        if location:
            parts.append(location)
        if field:
            parts.append(f"字段 field '{field}'")
        prefix = ": ".join(parts)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class UnknownSpec(BadInput):
    """A model, judge or attack spec names no registered provider."""


class MissingApiKey(BadInput):
    """The environment variable that should hold an API key is not set."""


class EndpointUnreachable(BadInput):
    """The model endpoint could not be reached at all before the run started."""


class ModelError(ScSafetyError):
    """A call to a model failed. ``transient`` errors are retried by the runner."""

    def __init__(self, message: str, *, transient: bool, retry_after: float | None = None,
                 status: int | None = None):
        super().__init__(message)
        self.transient = transient
        self.retry_after = retry_after
        self.status = status


class JudgeError(ScSafetyError):
    """A judge could not produce a verdict (e.g. unparsable output after a retry)."""


class StoreError(ScSafetyError):
    """The results store is missing, corrupt, or of a newer schema."""
