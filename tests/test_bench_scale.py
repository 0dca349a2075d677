"""bench/scale.py: every architects' question is asked, each backend's rows are judged against
the limit's rates of the same run, and a missed target is written as missed; and
bench/remote_requests.py's report says what each way costs."""

from __future__ import annotations

import argparse

from bench.http_load import Run
from bench.scale import QUESTIONS, Server, questions, report, rows


def _run(name: str, rate: float) -> Run:
    return Run(name, int(rate), 0, 1.0, [1.0] * 4)


def test_every_question_is_asked_and_new_ones_differ() -> None:
    asked = questions()
    assert len(asked) == len(list(QUESTIONS.glob("*.rq"))) == 53
    server = Server("s", "127.0.0.1", 1, "/q")
    found = dict(rows(server, ["urn:x:c"], conditional=False))
    assert len(found["53 questions"]) == 53
    fresh = found["53 questions, new query each time"]
    assert len(set(fresh)) == len(fresh)


def test_the_report_judges_each_backend_against_the_limit() -> None:
    limit = Server("limit", "127.0.0.1", 1, "/q")
    good, slow = Server("good", "127.0.0.1", 2, "/q"), Server("slow", "127.0.0.1", 3, "/q")
    runs = [
        _run("limit: lookup", 1000),
        _run("limit: 53 questions", 100),
        _run("good: lookup", 300),
        _run("good: conditional lookup (304)", 600),
        _run("good: 53 questions", 50),
        _run("slow: lookup", 100),
        _run("slow: conditional lookup (304)", 400),
    ]
    args = argparse.Namespace(connections=4, seconds=1.0, rounds=1)
    text = report(runs, limit, [good, slow], args, (1.0, 2.0))
    assert "- good, lookup: 30.0% (target 20%): met" in text
    assert "- good, conditional lookup (304): 60.0% (target 50%): met" in text
    assert "- good, 53 questions: 50.0%: no target" in text
    assert "- slow, lookup: 10.0% (target 20%): **missed**" in text
    assert "- slow, conditional lookup (304): 40.0% (target 50%): **missed**" in text
    assert "load average 1.0 before the run, 2.0 after it" in text


def test_the_remote_requests_report_shows_what_each_way_costs() -> None:
    from bench.remote_requests import report as requests_report

    found = [("oxigraph-server", "question 01 (no GRAPH)", 20.0, 5.0)]
    text = requests_report(found, argparse.Namespace(queries=10))
    assert "| oxigraph-server | question 01 (no GRAPH) | 20.0 | 5.0 | 75% |" in text
