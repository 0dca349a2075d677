"""The errors validation raises on purpose; each says what went wrong and, when known, where."""

from __future__ import annotations

from cityref.errors import CityrefError, SourceLocation


class ValidationError(CityrefError):
    """Base of every validation error (bad input, bad shapes, limits). Never a bug."""


class InputError(ValidationError):
    """The data or shapes could not be read; ``location`` is file:line:column when known."""

    def __init__(self, message: str, location: SourceLocation | None = None) -> None:
        super().__init__(f"{location}: {message}" if location else message)
        self.location = location
        self.message = message

    def __reduce__(self) -> tuple[type[InputError], tuple[str, SourceLocation | None]]:
        # Errors cross the worker-process pipe; keep the structured fields.
        return (type(self), (self.message, self.location))


class RdfSyntaxError(InputError):
    """An RDF document does not parse."""


class UnsupportedFormat(InputError):
    """The media type or file extension names no RDF syntax we read."""


class DoctypeRefused(InputError):
    """RDF/XML with a DOCTYPE (entity expansion risk) is never parsed."""


class InputTooLarge(InputError):
    """An input is above the configured size cap."""


class ShapesError(ValidationError):
    """The shapes graph is not well-formed SHACL (e.g. a malformed path or list)."""


class ValidationTimeout(ValidationError):
    """Validation ran past its time limit and its worker process was stopped."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"validation stopped after the time limit of {seconds:g} s")
        self.seconds = seconds

    def __reduce__(self) -> tuple[type[ValidationTimeout], tuple[float]]:
        return (type(self), (self.seconds,))


__all__ = [
    "DoctypeRefused",
    "InputError",
    "InputTooLarge",
    "RdfSyntaxError",
    "ShapesError",
    "SourceLocation",
    "UnsupportedFormat",
    "ValidationError",
    "ValidationTimeout",
]
