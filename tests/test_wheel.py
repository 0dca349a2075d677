"""A wheel built from the repo carries the model: in a fresh venv it builds and queries."""

from __future__ import annotations

import json
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.mark.slow
def test_installed_wheel_builds_and_queries_without_the_checkout(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    _run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(REPO)], REPO)
    (wheel,) = dist.glob("cityref-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    sources = sorted(p for p in REPO.glob("ontology/**/*.ttl"))
    assert sources, "the repository has no ontology to ship"
    for path in sources[:5]:
        assert f"cityref/_sources/{path.relative_to(REPO).as_posix()}" in names
    # The query page's examples come from the model's sources, so the wheel carries them.
    assert "cityref/_sources/tests/queries/01-domains.rq" in names

    env_dir = tmp_path / "venv"
    # This venv's pip installs into the new one (--python), which spares ensurepip setting up
    # a pip of its own there (some 10 s); --no-compile leaves bytecode to the imports that
    # need it instead of compiling every dependency's modules (half of the install's time).
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    install = [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet"]
    _run([*install, "--no-compile", str(wheel)], tmp_path)

    elsewhere = tmp_path / "elsewhere"  # no checkout in sight
    elsewhere.mkdir()
    env = {"PATH": f"{env_dir / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path)}
    settings = _run([str(env_dir / "bin" / "cityref"), "settings"], elsewhere, env)
    assert "cityref/_sources" in settings
    _run([str(env_dir / "bin" / "cityref"), "build"], elsewhere, env)
    assert (elsewhere / ".cityref" / "store" / "current").exists()
    answer = _run(
        [
            str(env_dir / "bin" / "cityref"),
            "query",
            "--format",
            "json",
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
        ],
        elsewhere,
        env,
    )
    count = int(json.loads(answer)["results"]["bindings"][0]["n"]["value"])
    assert count > 0
