"""The errors validation raises on purpose; each says what went wrong and, when known, where."""

from __future__ import annotations

from cityref.errors import CityrefError, SourceLocation
from cityref.text import Bilingual


class ValidationError(CityrefError):
    """Base of every validation error (bad input, bad shapes, limits). Never a bug."""


class InputError(ValidationError):
    """The data or shapes could not be read; ``location`` is file:line:column when known."""

    def __init__(self, message: Bilingual, location: SourceLocation | None = None) -> None:
        super().__init__(message.prefixed(f"{location}: ") if location else message)
        self.location = location
        self.message = message

    def __reduce__(self) -> tuple[type[InputError], tuple[Bilingual, SourceLocation | None]]:
        # Errors cross the worker-process pipe; keep the structured fields.
        return (type(self), (self.message, self.location))


class RdfSyntaxError(InputError):
    """An RDF document does not parse."""

    @classmethod
    def from_parser(cls, detail: str, location: SourceLocation) -> RdfSyntaxError:
        """The error for a parser's own (English) ``detail``."""
        return cls(Bilingual(f"RDF の構文エラー: {detail}", detail), location)


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
        super().__init__(
            Bilingual(
                f"検証は制限時間 {seconds:g} 秒を過ぎたため停止しました",
                f"validation stopped after the time limit of {seconds:g} s",
            )
        )
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
