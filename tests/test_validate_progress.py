"""`cityref validate` shows its progress on a terminal, and only there: the real command on a
pseudo-terminal, then with standard error on a pipe as scripts and tests read it."""

from __future__ import annotations

import fcntl
import os
import select
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.long_inputs import aed_rows

#: Enough rows for the work to take seconds (a line is drawn after 0.3 s), few for a test.
ROWS = 8_000


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("progress") / "aed.csv"
    path.write_bytes(aed_rows(ROWS))
    return path


def _command(csv_file: Path) -> list[str]:
    # The compiled engine: what is shown here is the terminal line, for any engine.
    return [sys.executable, "-m", "cityref", "validate", str(csv_file), "--engine", "compiled"]


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "CITYREF_SOURCES": str(REPO),
        "CITYREF_STORE": str(tmp_path / "store"),
    }


def _on_terminal(command: list[str], env: dict[str, str], stdout: Path) -> tuple[int, str]:
    """Run ``command`` with standard error on a pseudo-terminal 200 columns wide; its exit
    status and everything written to the terminal."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))
    with stdout.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=slave, env=env)
    os.close(slave)
    seen = bytearray()
    while True:
        ready, _, _ = select.select([master], [], [], 120)
        if not ready:
            process.kill()
            break
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the command has ended and closed the terminal
            break
        if not chunk:
            break
        seen.extend(chunk)
    os.close(master)
    return process.wait(60), seen.decode("utf-8", errors="replace")


@pytest.mark.parametrize(
    ("lang", "words"),
    [("en", ("checking: ", " checks/s", " left")), ("ja", ("検査中: ", " 検査項目/秒", "残り"))],
)
def test_a_terminal_shows_progress_and_it_is_cleared_before_the_report(
    big_csv: Path, tmp_path: Path, lang: str, words: tuple[str, ...]
) -> None:
    stdout = tmp_path / "report.txt"
    command = [*_command(big_csv), "--lang", lang]
    status, terminal = _on_terminal(command, _env(tmp_path), stdout)
    assert status == 0, terminal
    lines = [line for line in terminal.split("\r\x1b[K") if line.strip()]
    assert any(all(w in line for w in words) for line in lines), terminal
    assert any("%" in line for line in lines), terminal
    assert terminal.endswith("\r\x1b[K"), "the line is cleared at the end"
    report = stdout.read_text(encoding="utf-8")
    assert f"Checked {ROWS} rows." in report or f"{ROWS} 行" in report, report
    assert "\x1b" not in report and "checking" not in report


def test_a_pipe_gets_no_progress(big_csv: Path, tmp_path: Path) -> None:
    done = subprocess.run(
        [*_command(big_csv), "--lang", "en"],
        capture_output=True,
        env=_env(tmp_path),
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == b""
    assert b"checking" not in done.stdout and b"\x1b" not in done.stdout


def test_quiet_and_a_json_report_to_a_pipe_show_none_on_the_terminal(
    big_csv: Path, tmp_path: Path
) -> None:
    for options in (["--quiet"], ["--format", "json"]):
        status, terminal = _on_terminal(
            [*_command(big_csv), *options], _env(tmp_path), tmp_path / "report"
        )
        assert status == 0, terminal
        assert terminal == "", options
