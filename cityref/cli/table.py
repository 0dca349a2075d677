"""A plain-text table of SELECT results for people at a terminal."""

from __future__ import annotations

import json
import unicodedata


def _width(text: str) -> int:
    """Columns a string takes on a terminal: wide East Asian characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _cell(binding: dict[str, str] | None) -> str:
    if binding is None:
        return ""
    value = binding["value"]
    if binding["type"] == "uri":
        return f"<{value}>"
    if binding["type"] == "bnode":
        return f"_:{value}"
    if "xml:lang" in binding:
        return f"{value}@{binding['xml:lang']}"
    return value


def render_table(results_json: bytes, *, truncated: bool = False) -> str:
    """Render SPARQL JSON results (bindings or boolean) as an aligned text table."""
    doc = json.loads(results_json)
    if "boolean" in doc:
        return "true" if doc["boolean"] else "false"
    names: list[str] = doc["head"]["vars"]
    rows = [[_cell(b.get(n)) for n in names] for b in doc["results"]["bindings"]]
    widths = [max([_width(n)] + [_width(r[i]) for r in rows]) for i, n in enumerate(names)]
    line = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    out = [line, "| " + " | ".join(_pad(n, w) for n, w in zip(names, widths, strict=True)) + " |"]
    out.append(line)
    out += [
        "| " + " | ".join(_pad(c, w) for c, w in zip(r, widths, strict=True)) + " |" for r in rows
    ]
    out.append(line)
    count = f"{len(rows)} row" + ("" if len(rows) == 1 else "s")
    out.append(count + (" (cut at the row limit)" if truncated else ""))
    return "\n".join(out)
