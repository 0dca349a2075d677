"""The 法人番号 check digit (法人番号の指定等に関する省令 第2条) as the shared SPARQL constraint
computes it, against the ordinance's formula written out here, on many numbers at once: in an
RDF file (gif-corporation) and in a CSV column with the check 'corp' (ods-aed)."""

from __future__ import annotations

import random

from cityref.profiles import check_input
from cityref.profiles.registry import load_profile
from tests.conftest import REPO_MODEL

#: Published numbers: 国税庁 (National Tax Agency) and 道南バス株式会社.
KNOWN = ("7000012050002", "1430001056880")


def check_digit(base: str) -> int:
    """9 − (Σ Pn × Qn mod 9): Pn the n-th of the 12 digits from the right, Qn 1 or 2."""
    total = sum(int(d) * (1 if n % 2 else 2) for n, d in enumerate(reversed(base), 1))
    return 9 - total % 9


def _numbers() -> tuple[list[str], list[str]]:
    """Numbers with the right check digit, and the same bases with every wrong one."""
    rng = random.Random(14)
    bases = [f"{rng.randrange(10**12):012d}" for _ in range(40)]
    right = [f"{check_digit(b)}{b}" for b in bases]
    wrong = [f"{(check_digit(b) + shift) % 10}{b}" for b in bases[:10] for shift in range(1, 10)]
    return right, wrong


def test_the_formula_gives_the_published_numbers() -> None:
    assert all(int(n[0]) == check_digit(n[1:]) for n in KNOWN)


def test_rdf_corporate_numbers() -> None:
    right, wrong = _numbers()
    lines = ["@prefix core: <https://w3id.org/cityref/def/core#> ."]
    for i, number in enumerate([*KNOWN, *right, *wrong]):
        lines.append(
            f'<https://example.jp/c/{i}> a core:Corporation ; core:name "法人{i}" ; '
            f'core:nameKana "ホウジン" ; core:corporateNumber "{number}" ; '
            'core:contactPoint [ core:email "info@example.jp" ] .'
        )
    outcome = check_input(
        "\n".join(lines).encode(), "corp.ttl", "gif-corporation", model=REPO_MODEL
    )
    flagged = {
        str(x.result.value.value)  # type: ignore[union-attr]
        for x in outcome.located
        if x.result.component_name == "CorporateNumberCheckDigit"
    }
    assert flagged == set(wrong)
    # Nothing else is wrong with them but a leading 0, which the digits pattern reports too.
    others = {
        (x.result.component_name, str(x.result.value.value))  # type: ignore[union-attr]
        for x in outcome.located
        if x.result.component_name != "CorporateNumberCheckDigit"
    }
    assert others == {("Pattern", n) for n in wrong if n.startswith("0")}


def test_csv_corporate_numbers() -> None:
    aed = load_profile("ods-aed", REPO_MODEL)
    columns = aed.table_schema().columns  # type: ignore[union-attr]
    right, wrong = _numbers()
    numbers = [*KNOWN, *right[:5], *wrong[:9]]
    rows = [",".join(c.title for c in columns)]
    rows += [",".join(n if c.title == "法人番号" else "" for c in columns) for n in numbers]
    outcome = check_input("\r\n".join(rows).encode(), "aed.csv", "ods-aed", model=REPO_MODEL)
    flagged = {
        x.location.row  # type: ignore[union-attr]
        for x in outcome.located
        if x.result.component_name == "CorporateNumberCheckDigit"
    }
    first_wrong = 2 + len(KNOWN) + 5  # the header is row 1
    assert flagged == set(range(first_wrong, first_wrong + 9))
