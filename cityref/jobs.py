"""Validation jobs: an upload checked against a profile, kept on disk with its reports.

Every validation the server runs is a job folder under ``<store>/jobs/<id>/``: the input,
``job.json`` (state, profile, counts, times) and, when done, the reports (cityref JSON, W3C
Turtle and JSON-LD, located results). Small uploads are validated in the request; large ones
(over ``async_validation_bytes``) in a separate process, while the client polls the job.
Folders are written to a temporary name and renamed, so a reader never sees half a job.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from cityref.errors import CityrefError
from cityref.profiles import InputCheck
from cityref.validation import Language, ValidationOptions, messages

#: Jobs kept; older ones are removed when a new one starts.
MAX_JOBS = 500
JOB_ID_LENGTH = 32


@dataclass
class Job:
    """The record of one validation job (``job.json``)."""

    id: str
    state: str  # queued, running, done, failed
    filename: str
    profile: str | None
    created: float
    finished: float | None = None
    conforms: bool | None = None
    counts: dict[str, int] = field(default_factory=dict)
    profile_used: str | None = None
    profile_note: dict[str, str] = field(default_factory=dict)
    error: dict[str, str] | None = None
    engine: str = ""


class JobNotFound(CityrefError):
    pass


def jobs_root(store_path: Path) -> Path:
    return store_path / "jobs"


def _job_dir(store_path: Path, job_id: str) -> Path:
    if len(job_id) != JOB_ID_LENGTH or not all(c in "0123456789abcdef" for c in job_id):
        raise JobNotFound(f"no job {job_id!r}")
    return jobs_root(store_path) / job_id


def _write_json(path: Path, data: Any) -> None:
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}")
    temporary.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(temporary, path)


def read_job(store_path: Path, job_id: str) -> Job:
    path = _job_dir(store_path, job_id) / "job.json"
    if not path.is_file():
        raise JobNotFound(f"no job {job_id!r}")
    return Job(**json.loads(path.read_text(encoding="utf-8")))


def job_file(store_path: Path, job_id: str, name: str) -> Path:
    """A report file of a finished job (``report.json``, ``report.ttl`` …)."""
    path = _job_dir(store_path, job_id) / name
    if name not in REPORT_FILES or not path.is_file():
        raise JobNotFound(f"job {job_id} has no {name}")
    return path


def create_job(store_path: Path, data: bytes, filename: str, profile: str | None) -> Job:
    """Store the input and a queued record; the folder appears whole or not at all."""
    root = jobs_root(store_path)
    root.mkdir(parents=True, exist_ok=True)
    _prune(root)
    job = Job(uuid.uuid4().hex, "queued", _safe_name(filename), profile, time.time())
    staging = root / f".new-{job.id}"
    staging.mkdir()
    (staging / "input").write_bytes(data)
    _write_json(staging / "job.json", asdict(job))
    os.replace(staging, root / job.id)
    return job


def _safe_name(filename: str) -> str:
    """The upload's base name only: never a path (``../../etc/passwd`` → ``passwd``)."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1].strip() or "upload"
    return "".join(c for c in base if c.isprintable())[:200] or "upload"


def _prune(root: Path) -> None:
    jobs = sorted(
        (p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.stat().st_mtime,
    )
    for old in jobs[: max(0, len(jobs) - MAX_JOBS + 1)]:
        shutil.rmtree(old, ignore_errors=True)


REPORT_FILES = (
    "report.en.json",
    "report.ja.json",
    "report.ttl",
    "report.jsonld",
    "results.csv",
    "locations.json",
)


def _term_text(term: object) -> str | None:
    if term is None:
        return None
    value = getattr(term, "value", None)
    return value if isinstance(value, str) else str(term)


def result_entries(check: InputCheck, lang: str) -> list[dict[str, Any]]:
    """Every result with where it is (file, row, column or pointer) and what it is about
    (focus node, shape, path, value), messages in ``lang``."""
    pairs = [(item.result, item.location) for item in check.located] or [
        (result, None) for result in check.report.results
    ]
    entries = []
    for result, location in pairs:
        message = messages.message(result, check.report.labels, Language(lang))
        entries.append(
            {
                "file": location.file if location else check_name(check),
                "row": location.row if location else None,
                "column": location.column if location else None,
                "pointer": location.pointer if location else None,
                "severity": _term_text(result.severity).rsplit("#", 1)[-1],  # type: ignore[union-attr]
                "component": result.component_name,
                "message": message,
                "focus": _term_text(result.focus),
                "shape": _term_text(result.source_shape),
                "path": _path_text(result.path),
                "value": _term_text(result.value),
            }
        )
    entries.sort(key=lambda e: (str(e["file"]), e["row"] or 0, str(e["column"] or "")))
    return entries


def _path_text(path: object) -> str | None:
    """A predicate path as its IRI; other path forms as their SPARQL-like text."""
    if path is None:
        return None
    iri = getattr(path, "iri", None)
    return _term_text(iri) if iri is not None else str(path)


def check_name(check: InputCheck) -> str | None:
    return check.converted.name if check.converted else None


def run_job(store_path: Path, job_id: str, options: ValidationOptions) -> Job:
    """Validate the job's input now and store the outcome (called in the request, or by
    the job process for large uploads)."""
    from cityref.profiles import check_input

    folder = _job_dir(store_path, job_id)
    job = read_job(store_path, job_id)
    job.state = "running"
    _write_json(folder / "job.json", asdict(job))
    try:
        check = check_input((folder / "input").read_bytes(), job.filename, job.profile, options)
    except CityrefError as exc:
        job.state, job.finished = "failed", time.time()
        job.error = {"en": str(exc), "ja": str(exc)}
        _write_json(folder / "job.json", asdict(job))
        return job
    report = check.report
    (folder / "report.en.json").write_text(report.to_json(Language.EN), encoding="utf-8")
    (folder / "report.ja.json").write_text(report.to_json(Language.JA), encoding="utf-8")
    (folder / "report.ttl").write_text(report.to_turtle(), encoding="utf-8")
    (folder / "report.jsonld").write_text(report.to_jsonld(), encoding="utf-8")
    located = {lang: result_entries(check, lang) for lang in ("ja", "en")}
    _write_json(folder / "locations.json", located)
    (folder / "results.csv").write_text(_results_csv(located["en"]), encoding="utf-8")
    counts: dict[str, int] = {}
    for entry in located["en"]:
        counts[str(entry["severity"])] = counts.get(str(entry["severity"]), 0) + 1
    job.state, job.finished = "done", time.time()
    job.conforms = report.conforms
    job.counts = counts
    job.engine = getattr(report, "engine", "")
    job.profile_used = f"{check.profile.id}@{check.profile.version}"
    job.profile_note = {lang: check.profile_note(lang) for lang in ("ja", "en")}
    _write_json(folder / "job.json", asdict(job))
    return job


def _results_csv(entries: list[dict[str, Any]]) -> str:
    """The located results as CSV; cells a spreadsheet would run as formulas are defused."""
    out = io.StringIO()
    columns = ["file", "row", "column", "pointer", "severity", "component", "message"]
    writer = csv.DictWriter(out, columns, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for entry in entries:
        writer.writerow({k: _defuse(entry.get(k)) for k in columns})
    return out.getvalue()


def _defuse(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def start_job_process(store_path: Path, job_id: str, time_limit: float) -> None:
    """Run a job in its own process, detached from the request that created it."""
    subprocess.Popen(
        [sys.executable, "-m", "cityref.jobs", str(store_path), job_id, str(time_limit)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _main(argv: list[str]) -> None:
    store_path, job_id, time_limit = Path(argv[0]), argv[1], float(argv[2])
    try:
        run_job(store_path, job_id, ValidationOptions(time_limit=time_limit))
    except Exception as exc:  # the job must end in a state the client can read
        job = read_job(store_path, job_id)
        job.state, job.finished = "failed", time.time()
        job.error = {"en": f"{type(exc).__name__}: {exc}", "ja": f"{type(exc).__name__}: {exc}"}
        _write_json(_job_dir(store_path, job_id) / "job.json", asdict(job))


if __name__ == "__main__":
    _main(sys.argv[1:])
