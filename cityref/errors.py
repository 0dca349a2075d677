"""The errors cityref reports to people: each says what went wrong and where, in Japanese and
English kept apart (:class:`cityref.text.Bilingual`); ``str(error)`` shows both for the
terminal, the API answers in the language asked."""

from __future__ import annotations

from dataclasses import dataclass

from cityref.text import Bilingual


class CityrefError(Exception):
    """Base of every error cityref raises on purpose (never a bug); ``text`` is the whole
    message in both languages."""

    def __init__(self, text: Bilingual) -> None:
        super().__init__(text)
        self.text = text

    def __str__(self) -> str:
        return self.text.both()


class SettingsError(CityrefError):
    """A setting's value is malformed."""


@dataclass
class SourceLocation:
    """Where in a file something is; line and column are 1-based, ``None`` when unknown."""

    path: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        parts = [self.path]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)


class SourceSyntaxError(CityrefError):
    """A source file does not parse; formatted as ``path:line:column: message``."""

    def __init__(self, location: SourceLocation, message: Bilingual) -> None:
        super().__init__(message.prefixed(f"{location}: "))
        self.location = location
        self.message = message


class QuerySyntaxError(CityrefError):
    """A SPARQL query does not parse."""

    def __init__(
        self, message: Bilingual, line: int | None = None, column: int | None = None
    ) -> None:
        where = Bilingual(f"{line} 行 {column} 列: ", f"line {line}, column {column}: ")
        super().__init__(
            Bilingual(
                "SPARQL の構文エラー: {where}{message}", "SPARQL syntax error: {where}{message}"
            ).format(where=where if line is not None else "", message=message)
        )
        self.line = line
        self.column = column
        self.message = message


class QueryTimeout(CityrefError):
    """A query ran past its time limit and its worker was stopped."""

    def __init__(self, seconds: float) -> None:
        super().__init__(
            Bilingual(
                f"クエリは制限時間 {seconds:g} 秒を過ぎたため停止しました",
                f"query stopped after the time limit of {seconds:g} s",
            )
        )
        self.seconds = seconds


class QueryRefused(CityrefError):
    """A query or update is not allowed (e.g. an update on a read-only store)."""


class StoreMissing(CityrefError):
    """No built store at the configured path."""


class QueryResourceLimit(CityrefError):
    """A query needed more memory than its worker may use, and the worker was stopped."""

    def __init__(self, megabytes: int) -> None:
        super().__init__(
            Bilingual(
                f"クエリがメモリ上限（{megabytes} MiB）を超えたため停止しました",
                f"the query was stopped: it needed more than the memory limit of {megabytes} MiB",
            )
        )
        self.megabytes = megabytes


class QueryWorkerCrashed(CityrefError):
    """The query worker process ended without an answer (a crash, not a refusal)."""

    def __init__(self, detail: Bilingual) -> None:
        super().__init__(
            Bilingual(
                "クエリを評価できませんでした: {detail}",
                "the query could not be evaluated: {detail}",
            ).format(detail=detail)
        )
        self.detail = detail


class Busy(CityrefError):
    """A client already runs as much expensive work as it may; it should retry later."""

    def __init__(self, message: Bilingual, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after
