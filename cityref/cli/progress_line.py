"""The progress line of ``cityref validate`` on a terminal: one line on standard error,
rewritten in place as the work reports (:mod:`cityref.validation.progress`), cleared before
the report is printed. Never written to a pipe: scripts read standard error too."""

from __future__ import annotations

import os
import shutil
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from cityref.validation.progress import Progress, listening
from cityref.validation.progress_text import progress_words

#: Seconds between two redraws (a terminal need not be rewritten at every chunk).
REDRAW_SECONDS = 0.1
#: Work done sooner than this shows no line at all (no flicker for a small file).
QUIET_SECONDS = 0.3
MIN_COLUMNS, DEFAULT_COLUMNS = 20, 80
_CLEAR = "\r\x1b[K"  # back to the line's start, erase to its end


def display_width(text: str) -> int:
    """Columns a text takes on a terminal (a CJK character takes two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def fit(text: str, columns: int) -> str:
    """``text`` cut to ``columns`` terminal columns (a wrapped line could not be rewritten)."""
    if display_width(text) <= columns:
        return text
    out, used = [], 0
    for c in text:
        used += display_width(c)
        if used > columns - 1:
            break
        out.append(c)
    return "".join(out) + "…"


class TerminalLine:
    """A progress listener drawing one line on ``stream`` in ``lang`` (both languages when
    None, as the CLI's other messages on standard error)."""

    def __init__(self, stream: TextIO, lang: str | None) -> None:
        self.stream = stream
        self.lang = lang
        self.started = time.monotonic()
        self.drawn_at = 0.0

    def __call__(self, progress: Progress) -> None:
        now = time.monotonic()
        if now - self.started < QUIET_SECONDS or now - self.drawn_at < REDRAW_SECONDS:
            return
        words = progress_words(progress)
        text = words.in_language(self.lang) if self.lang else words.both()
        self.stream.write(_CLEAR + fit(text, self._columns() - 1))
        self.stream.flush()
        self.drawn_at = now

    def _columns(self) -> int:
        """The terminal's width (one that does not say, such as a bare pseudo-terminal, as 80)."""
        try:
            columns = os.get_terminal_size(self.stream.fileno()).columns
        except (OSError, ValueError):
            columns = shutil.get_terminal_size().columns
        return columns if columns >= MIN_COLUMNS else DEFAULT_COLUMNS

    def clear(self) -> None:
        """Erase the line so the report or an error starts clean: always, since a worker
        process forked for --time-limit may have drawn it with its own copy of this line."""
        self.stream.write(_CLEAR)
        self.stream.flush()


@contextmanager
def terminal_progress(stream: TextIO, lang: str | None, show: bool) -> Iterator[None]:
    """Show the work's progress on ``stream`` inside the block when ``show`` and the stream is
    a terminal; the line is cleared when the block ends, however it ends."""
    if not show or not stream.isatty():
        yield
        return
    line = TerminalLine(stream, lang)
    try:
        with listening(line):
            yield
    finally:
        line.clear()
