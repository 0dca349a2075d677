"""The tests' own rules: known failures are declared in one table, and test modules change no
library's global state when they are imported (fixtures do that, and undo it)."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import KNOWN_FAILURES

TESTS = Path(__file__).resolve().parent
MODULES = sorted(p for p in TESTS.rglob("*.py") if "data" not in p.relative_to(TESTS).parts)
# Marking a failure as expected anywhere but in the table hides it from the table's checks.
KNOWN_FAILURE_CALLS = {"xfail", "importorskip"}


def test_known_failures_are_only_in_the_table() -> None:
    found = []
    for path in MODULES:
        if path == TESTS / "conftest.py":  # the one place that applies the table
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in KNOWN_FAILURE_CALLS:
                found.append(f"{path.relative_to(TESTS)}:{node.lineno}: {ast.unparse(node)}")
    where = "\n".join(found)
    assert not found, f"declare these in tests/{KNOWN_FAILURES.name} instead:\n{where}"


def test_test_modules_switch_nothing_when_imported() -> None:
    """At module level, no assignment to an attribute or item and no call whose result is
    thrown away (``rdflib.X = ...``, ``os.environ[...] = ...``, ``logging.basicConfig()``)."""
    found = []
    for path in MODULES:
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            targets: list[ast.expr] = []
            if isinstance(node, ast.Assign):
                targets = node.targets
            elif isinstance(node, ast.AugAssign | ast.AnnAssign):
                targets = [node.target]
            switched = any(isinstance(t, ast.Attribute | ast.Subscript) for t in targets)
            called = isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
            if switched or called:
                found.append(f"{path.relative_to(TESTS)}:{node.lineno}: {ast.unparse(node)[:80]}")
    assert not found, "set these in a fixture (monkeypatch):\n" + "\n".join(found)
