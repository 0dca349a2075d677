"""Replicas with shared state (issue 16, item 3): two ``cityref serve`` instances over one store
and one Redis, validation workers started and killed by the tests.

Each test asks from its own loopback address, since the rate limit counts per client.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from tests.replicas.conftest import RATE_LIMIT, Replicas, kill_tree
from tests.security.conftest import LiveServer, Reply, process_tree
from tests.security.test_jobs import AED, big_aed_csv

#: Bound on the time a killed worker's job takes to be taken up again or failed: the lease
#: (6 s), a sweep (every 3 s) and a second worker's start-up, on a busy 2-core machine.
RECOVERY_SECONDS = 90.0


def _submit(server: LiveServer, data: bytes, source: str) -> str:
    sent = server.request(
        "POST",
        "/api/validate?profile=ods-aed&filename=aed.csv",
        body=data,
        headers={"Content-Type": "text/csv"},
        source=source,
    )
    assert sent.status == 202, sent.message()
    job: str = sent.json()["job"]
    return job


def _poll_until(
    server: LiveServer,
    job: str,
    done: Callable[[Reply], bool],
    source: str,
    seconds: float = RECOVERY_SECONDS,
) -> Reply:
    deadline = time.monotonic() + seconds
    while True:
        answer = server.request("GET", f"/api/jobs/{job}", source=source)
        if done(answer):
            return answer
        assert time.monotonic() < deadline, f"job {job} still {answer.status}: {answer.text}"
        time.sleep(0.7)  # well inside the rate limit


def _running(answer: Reply, attempt: int) -> bool:
    """Whether the job's ``attempt`` is running."""
    return _state(answer) == "running" and answer.json()["attempt"] == attempt


def _state(answer: Reply) -> str:
    if answer.status == 202:
        state: str = answer.json()["state"]
        return state
    return "ended"


def test_with_no_worker_running_an_upload_is_refused_saying_so(replicas: Replicas) -> None:
    """First in the module: a worker killed later stays registered for a while."""
    sent = replicas.a.request(
        "POST",
        "/api/validate?profile=ods-aed&filename=aed.csv",
        body=AED.read_bytes(),
        headers={"Content-Type": "text/csv"},
        source="127.0.0.10",
    )
    assert sent.status == 503 and int(sent.headers["retry-after"]) >= 1
    assert "no validation worker (cityref worker) is running" in sent.message()


def test_a_job_submitted_on_a_is_polled_and_downloaded_on_b(replicas: Replicas) -> None:
    source = "127.0.0.11"
    with replicas.worker("worker-1"):
        job = _submit(replicas.a, AED.read_bytes(), source)
        answer = _poll_until(replicas.b, job, lambda r: r.status != 202, source, 120)
    assert answer.status == 200, answer.message()
    report = answer.json()
    assert report["job"] == job
    document = report.get("outcome") or report
    assert "results" in json.dumps(document)
    for name in ("report.ttl", "report.en.csv"):
        download = replicas.b.request("GET", f"/api/jobs/{job}/{name}", source=source)
        assert download.status == 200, (name, download.message())
        assert download.body
    page = replicas.b.request("GET", f"/validate/{job}?lang=en", source=source)
    assert page.status == 200 and job in page.text
    again = replicas.a.request("GET", f"/api/jobs/{job}", source=source)  # and on A as well
    assert again.status == 200 and again.json()["job"] == job


def test_a_killed_workers_job_is_run_again_by_another(replicas: Replicas) -> None:
    source = "127.0.0.12"
    with replicas.worker("worker-2") as first:
        job = _submit(replicas.a, big_aed_csv(20_000), source)
        _poll_until(replicas.b, job, lambda r: _state(r) == "running", source, 60)
        confined = _until_confined(first.pid)
        assert not [fd for fd in _descriptors(confined) if fd.startswith("socket:")]
        kill_tree(first.pid)  # mid-job: the worker, its work horse and the confined process
    with replicas.worker("worker-3"):
        answer = _poll_until(replicas.b, job, lambda r: r.status != 202, source)
    assert answer.status == 200, answer.message()  # the second attempt finished the job
    assert answer.json()["job"] == job
    assert "attempt 2" in (replicas.folder / "worker-3" / "worker.log").read_text()


def _until_confined(worker: int) -> int:
    """The confined process below ``worker`` once seccomp is in force in it."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for pid in process_tree(worker)[1:]:
            with contextlib.suppress(OSError):
                if "Seccomp:\t2" in Path(f"/proc/{pid}/status").read_text():
                    return pid
        time.sleep(0.05)
    raise AssertionError("no confined process started below the worker")


def _descriptors(pid: int) -> list[str]:
    """What the process's open file descriptors point at."""
    found = []
    for entry in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            found.append(os.readlink(entry))
    return found


def test_a_job_whose_workers_die_twice_fails_saying_so(replicas: Replicas) -> None:
    source = "127.0.0.13"
    job = ""
    for attempt, name in enumerate(("worker-4", "worker-5"), start=1):
        with replicas.worker(name) as worker:
            if not job:
                job = _submit(replicas.b, big_aed_csv(20_000), source)
            _poll_until(replicas.a, job, lambda r, n=attempt: _running(r, n), source)
            kill_tree(worker.pid)
    answer = _poll_until(replicas.a, job, lambda r: r.status != 202, source)
    assert answer.status == 422, answer.text
    error = answer.json()["error"]
    assert "stopped answering (2 attempts" in error["en"] and "検証ワーカー" in error["ja"]


def test_the_rate_limit_is_one_count_across_instances(replicas: Replicas) -> None:
    source = "127.0.0.14"
    statuses = []
    for number in range(RATE_LIMIT + 20):
        server = replicas.a if number % 2 == 0 else replicas.b
        answer = server.request("GET", "/api/jobs/not-a-job", source=source)
        statuses.append(answer.status)
        if answer.status == 429:
            assert int(answer.headers["retry-after"]) >= 1
    allowed = statuses.count(404)
    # Each instance alone would allow RATE_LIMIT; together they allowed that many in all
    # (fewer when the minute turned meanwhile and the last one's count still weighs).
    assert RATE_LIMIT // 2 < allowed <= RATE_LIMIT, statuses
    assert statuses[allowed:] == [429] * (len(statuses) - allowed)


PROPOSAL: dict[str, Any] = {
    "kind": "change-term",
    "proposer": "replica test",
    "rationale": {"ja": "説明を補う", "en": "Complete the description"},
    "evidence": ["a meeting note"],
    "targets": ["https://example.org/toy#Facility"],
    "deletions": "",
}


def test_concurrent_registry_writes_on_a_and_b_are_all_kept(replicas: Replicas) -> None:
    source = "127.0.0.15"
    token = replicas.a.make_token("writer")
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    per_instance = 8

    def propose(number: int) -> Reply:
        server = replicas.a if number % 2 == 0 else replicas.b
        comment = f'"Note {number}"@en'
        body = PROPOSAL | {
            "additions": f"<https://example.org/toy#Facility> "
            f"<http://www.w3.org/2000/01/rdf-schema#comment> {comment} .",
            "proposer": f"writer {number}",
        }
        return server.request(
            "POST", "/api/registry/proposals", json.dumps(body).encode(), auth, source=source
        )

    with ThreadPoolExecutor(max_workers=2 * per_instance) as pool:
        made = list(pool.map(propose, range(2 * per_instance)))
    assert [m.status for m in made] == [201] * len(made), [m.message() for m in made]
    identifiers = {m.json()["id"] for m in made}
    assert len(identifiers) == 2 * per_instance  # no two writes took the same number
    for server in (replicas.a, replicas.b):
        listed = server.request("GET", "/api/registry/proposals", source=source).json()
        writers = {p["proposer"] for p in listed}
        assert {f"writer {n}" for n in range(2 * per_instance)} <= writers


def test_a_registry_write_waits_for_the_shared_lock(replicas: Replicas, redis_url: str) -> None:
    """The instances take the lock in Redis (not only the file lock, which orders the
    processes of one machine alone): a write waits while another holder has it."""
    import redis

    from cityref.services.shared_state import held_lock

    source = "127.0.0.16"
    token = replicas.b.make_token("writer-b")
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    body = PROPOSAL | {
        "additions": "<https://example.org/toy#Facility> "
        '<http://www.w3.org/2000/01/rdf-schema#label> "Facility"@en .'
    }
    with ThreadPoolExecutor(max_workers=1) as pool:
        with held_lock(redis.Redis.from_url(redis_url), "registry"):
            sent = pool.submit(
                replicas.b.request,
                "POST",
                "/api/registry/proposals",
                json.dumps(body).encode(),
                auth,
                source=source,
            )
            time.sleep(2.0)
            assert not sent.done()  # held up by the lock in Redis
        answer = sent.result(timeout=60)
    assert answer.status == 201, answer.message()


def test_tokens_made_at_once_from_two_instances_are_all_kept(replicas: Replicas) -> None:
    names = [f"concurrent-{n}" for n in range(6)]

    def create(name: str) -> str:
        server = replicas.a if name[-1] in "024" else replicas.b
        done = server.cli("token", "create", name)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    with ThreadPoolExecutor(max_workers=len(names)) as pool:
        tokens = list(pool.map(create, names))
    listed = replicas.b.cli("token", "list").stdout
    assert all(name in listed for name in names), listed
    auth = {"Authorization": f"Bearer {tokens[0]}", "Content-Type": "application/json"}
    body = json.dumps(PROPOSAL | {"additions": "", "deletions": ""}).encode()
    checked = replicas.b.request("POST", "/api/registry/proposals", body, auth, source="127.0.0.17")
    assert checked.status != 401, checked.message()  # the token is known to the other instance


def test_instances_over_one_store_each_have_their_control_socket(replicas: Replicas) -> None:
    runtime = Path(replicas.env["CITYREF_STORE"]) / "runtime"
    for server in (replicas.a, replicas.b):
        assert stat.S_ISSOCK((runtime / f"gunicorn-{server.port}.ctl").stat().st_mode)
