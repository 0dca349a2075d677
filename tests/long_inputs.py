"""Inputs long enough for work that takes a while (progress shows), made from real files."""

from __future__ import annotations

from tests.conftest import REAL_DATA

AED = REAL_DATA / "yaizu-222127" / "222127_aed.csv"


def aed_rows(rows: int) -> bytes:
    """The AED layout of a real file (UTF-8) with its rows repeated to ``rows``, each with
    its own NO, so that the data still conforms."""
    header, *lines = AED.read_text(encoding="utf-8").splitlines()
    out = [header]
    for i in range(rows):
        cells = lines[i % len(lines)].split(",")
        cells[1] = f"{i + 1:010d}"
        out.append(",".join(cells))
    return ("\n".join(out) + "\n").encode("utf-8")
