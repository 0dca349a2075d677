"""Where ``cityref validate`` writes its reports: written as they are made (a million-row
file's report is never one string), to the --output file or to standard output."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

import click

from cityref.outcome import Outcome, Renderer

# Writes gathered before they go to standard output: click.echo flushes at every call.
_CHUNK_CHARS = 1 << 16


class ReportOutput:
    """The --output file (opened at the first write: an input that fails leaves no file) or
    standard output through click.echo (which drops terminal escapes on a pipe). Several
    reports are separated by an empty line, each ending in exactly one line break."""

    def __init__(self, output: Path | None) -> None:
        self._path = output
        self._file: TextIO | None = None
        self._gathered: list[str] = []
        self._gathered_chars = 0
        self._newlines = ""  # line breaks at the end of what was written, held back
        self._reports = 0

    def write(self, text: str) -> int:
        """Write ``text`` (one writer's call, never split: click drops escapes per call)."""
        body = text.rstrip("\n")
        if body:
            self._put(self._newlines + body)
            self._newlines = ""
        self._newlines += text[len(body) :]
        return len(text)

    def report(self, found: Renderer, outcome: Outcome, language: str | None) -> None:
        """One report, its line breaks at the end made one."""
        if self._reports:
            self._put("\n")
        self._reports += 1
        found.write(outcome, language, self)  # type: ignore[arg-type]  # a TextIO's write
        self._newlines = ""
        self._put("\n")

    def write_whole(self, found: Renderer, outcome: Outcome, language: str | None) -> None:
        """One report as the renderer writes it, line breaks and all."""
        found.write(outcome, language, self)  # type: ignore[arg-type]
        self._put(self._newlines)
        self._newlines = ""

    def _put(self, text: str) -> None:
        if self._path is not None:
            if self._file is None:
                self._file = self._path.open("w", encoding="utf-8")
            self._file.write(text)
            return
        self._gathered.append(text)
        self._gathered_chars += len(text)
        if self._gathered_chars >= _CHUNK_CHARS:
            self.flush()

    @property
    def name(self) -> str:
        """The file written, as errors name it."""
        return str(self._path) if self._path is not None else "<stdout>"

    def flush(self) -> None:
        """Write out what is gathered."""
        if self._file is not None:
            self._file.flush()
        # Joined: text and CSV are written a whole line at a time and JSON escapes control
        # characters, so no terminal escape runs across two writes.
        if self._gathered:
            click.echo("".join(self._gathered), nl=False)
        self._gathered, self._gathered_chars = [], 0

    def close(self) -> None:
        """Write what is gathered and close the file."""
        self.flush()
        if self._file is not None:
            self._file.close()
            self._file = None
