"""Nothing in the code names a path outside the repository, so a fresh clone with nothing
beside it runs: no absolute path of one machine, no path that climbs out of the checkout."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO

FOLDERS = ("tests", "cityref", "app", "scripts", "bench")
THIS = Path(__file__).resolve().relative_to(REPO).as_posix()

# A path inside a home, workspace or temporary folder of one machine, written as a path (at the
# start of a string, a word or a file: URL), not as part of a URL's path or a longer path:
# "https://example.org/home/" and "/usr/lib" do not match.
_MACHINE_FOLDERS = r"(?:work|home|root|tmp|Users|mnt|media)"
MACHINE_PATH = re.compile(rf"(?:(?<![\w.:/~$-])|file://)/{_MACHINE_FOLDERS}/")
# Joining ".." onto a path: Path(...) / "..", or "../x" joined with /.
JOINED_PARENT = re.compile(r"/\s*[\"']\.\.(?:[/\"'])")
# The parent of the repository root itself (named REPO or ROOT in the tests).
ROOT_PARENT = re.compile(r"\b(?:REPO|ROOT|REPO_ROOT)\.parent\b")
# In scripts and docs: "$repo/..", and two levels up (scripts/ is one level deep).
SHELL_PARENT = re.compile(r"\$\{?(?:repo|REPO|root|ROOT)\}?/\.\.|/\.\./\.\.")
# Path(__file__).resolve().parents[N] / .parent.parent...: out of the repository when N is as
# large as the number of parts of the file's path in the repository.
FILE_PARENTS = re.compile(r"__file__\)(?:\.resolve\(\))?\.parents\[(\d+)\]")
FILE_PARENT_CHAIN = re.compile(r"__file__\)(?:\.resolve\(\))?((?:\.parent\b)+)")


def problems(relative: str, text: str) -> Iterator[str]:
    """Where ``text``, the content of the file ``relative`` (to the repository root), names a
    path outside the repository: "file:line: what"."""
    depth = len(Path(relative).parts)  # parents[depth - 1] is the repository root
    shell = not relative.endswith(".py")  # scripts, and docs that show commands
    for number, line in enumerate(text.splitlines(), 1):
        where = f"{relative}:{number}"
        if MACHINE_PATH.search(line):
            yield f"{where}: an absolute path of one machine: {line.strip()}"
        if JOINED_PARENT.search(line) or ROOT_PARENT.search(line):
            yield f"{where}: climbs out of the repository: {line.strip()}"
        if shell and SHELL_PARENT.search(line):
            yield f"{where}: climbs out of the repository: {line.strip()}"
        for match in FILE_PARENTS.finditer(line):
            if int(match.group(1)) >= depth:
                yield f"{where}: parents[{match.group(1)}] is above the repository"
        for match in FILE_PARENT_CHAIN.finditer(line):
            if match.group(1).count(".parent") > depth:
                yield f"{where}: {match.group(1)} is above the repository"


def repository_files() -> list[str]:
    """The files of FOLDERS that git tracks, or, outside a git checkout, those on disk."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--", *FOLDERS],
            cwd=REPO,
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return sorted(
            p.relative_to(REPO).as_posix()
            for folder in FOLDERS
            for p in (REPO / folder).rglob("*")
            if p.is_file() and "__pycache__" not in p.parts
        )
    return sorted(name for name in listed.decode().split("\0") if name)


def test_no_file_names_a_path_outside_the_repository() -> None:
    files = repository_files()
    assert "cityref/__init__.py" in files
    found = []
    for relative in files:
        if relative == THIS:  # its samples below are bad paths on purpose
            continue
        path = REPO / relative
        if not path.is_file():  # deleted in the work tree, not yet in the index
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:  # zip files, pictures, CP932 data: no code in them
            continue
        found += problems(relative, text)
    assert not found, "\n".join(found)


# The rules bite where they should and nowhere else. The machine paths are built from pieces
# so that a search of the repository for them finds none here either.
HOME = "/" + "home"
WORK = "/" + "work"
TMP = "/" + "tmp"


@pytest.mark.parametrize(
    ("relative", "line"),
    [
        ("tests/test_x.py", f'SUITE = Path("{WORK}/shared/suite")'),
        ("tests/test_x.py", f'"CITYREF_STORE": "{TMP}/x",'),
        ("bench/x.py", f"store = '{HOME}/me/store'"),
        ("cityref/x.py", f'iri = "file://{HOME}/me/data.ttl"'),
        ("tests/test_x.py", 'REAL = REPO.parent / "shared" / "data"'),
        ("tests/test_x.py", 'SEED = Path(__file__).resolve().parents[2] / "seed"'),
        ("tests/web/test_x.py", "SUITE = Path(__file__).resolve().parents[3]"),
        ("tests/test_x.py", "ROOT = Path(__file__).parent.parent.parent"),
        ("app/x.py", 'other = REPO / ".." / "shared"'),
        ("app/x.py", 'other = REPO / "../shared"'),
        ("scripts/x", 'data="$repo/../shared"'),
        ("scripts/x", 'cd "$(dirname "$0")/../.."'),
    ],
)
def test_a_path_outside_is_found(relative: str, line: str) -> None:
    assert list(problems(relative, line + "\n")), line


@pytest.mark.parametrize(
    ("relative", "line"),
    [
        ("tests/test_x.py", "REPO = Path(__file__).resolve().parents[1]"),
        ("tests/web/test_x.py", "REPO = Path(__file__).resolve().parents[2]"),
        ("cityref/profiles/x.py", "package = Path(__file__).resolve().parent.parent"),
        ("tests/test_x.py", 'target = tmp_path / "store"'),
        ("tests/test_x.py", 'store = root.parent / "store"  # root: a copy in tmp_path'),
        ("app/x.py", 'url = "https://example.org/home/index.html"'),
        ("app/x.py", 'url = server + "/def/home/x"'),
        ("app/x.py", '@bp.route("/sparql")'),
        ("cityref/x.py", '("/usr/lib", "/lib64", "/etc/ld.so.cache")'),
        ("tests/web/test_x.py", 'create_job(store, b"x", "../../../etc/passwd", None)'),
        ("scripts/x", 'repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"'),
        ("tests/test_x.py", "parents[iri] = row['parent'].value"),
    ],
)
def test_a_path_inside_or_not_a_path_is_not_found(relative: str, line: str) -> None:
    assert not list(problems(relative, line + "\n")), line
