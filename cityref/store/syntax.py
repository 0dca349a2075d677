"""Turn pyoxigraph's syntax errors into cityref errors that name line and column."""

from __future__ import annotations

import re

from cityref.errors import QuerySyntaxError, SourceLocation, SourceSyntaxError
from cityref.text import Bilingual

# pyoxigraph reports SPARQL errors as "error at LINE:COLUMN: message".
_QUERY_POSITION = re.compile(r"^error at (\d+):(\d+): (.*)$", re.DOTALL)
# ... and RDF errors as "Parser error at line L between columns A and B: message"
# (or "at line L column C" at the end of the input).
_RDF_PREFIX = re.compile(
    r"^Parser error at line \d+ (?:between columns \d+ and \d+|column \d+): ", re.DOTALL
)


def query_syntax_error(exc: SyntaxError) -> QuerySyntaxError:
    """A :class:`QuerySyntaxError` with the position pyoxigraph found."""
    text = str(exc)
    match = _QUERY_POSITION.match(text)
    if match:
        detail = match.group(3)
        return QuerySyntaxError(Bilingual(detail, detail), int(match.group(1)), int(match.group(2)))
    return QuerySyntaxError(Bilingual(text, text))


def source_syntax_error(exc: SyntaxError, display_path: str) -> SourceSyntaxError:
    """A :class:`SourceSyntaxError` for a file pyoxigraph could not parse."""
    message = _RDF_PREFIX.sub("", exc.msg or str(exc))
    where = SourceLocation(display_path, exc.lineno, exc.offset)
    return SourceSyntaxError(where, Bilingual(f"構文エラー: {message}", message))
