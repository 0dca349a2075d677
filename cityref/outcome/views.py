"""Readable views of the outcome document (:func:`cityref.outcome.data.outcome_data`):
plain text for the terminal, CSV for spreadsheets, a standalone HTML page. They read only
the document, so a job's stored document gives the same view as the command line."""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Mapping, Sequence
from typing import Any

from cityref.outcome.data import ENTRY_FIELDS
from cityref.outcome.summary import SEVERITY_RANK

Data = Mapping[str, Any]

_WORDS = {
    "title": ("Validation report", "検証レポート"),
    "conforms": ("The data conforms.", "適合しています。"),
    "violations": ("The data does not conform.", "適合していません。"),
    "warnings": (
        "The data has no violations, only warnings or infos.",
        "違反はありません（警告・情報のみ）。",
    ),
    "counts": (
        "{Violation} violation(s), {Warning} warning(s), {Info} info",
        "違反 {Violation} 件、警告 {Warning} 件、情報 {Info} 件",
    ),
    "truncated": ("Only the first {n} results are kept.", "最初の {n} 件のみ残しています。"),
    "fix": ("What to fix, constraint by constraint:", "直すこと（制約ごと）:"),
    "result": ("{n} result", "{n} 件"),
    "results": ("{n} results", "{n} 件"),
    "rows": (", rows {rows}", "、行 {rows}"),
    "focus": ("focus", "対象"),
    "path": ("path", "パス"),
    "value": ("value", "値"),
    "shape": ("Shape", "シェイプ"),
    "where": ("Where", "場所"),
    "severity": ("Severity", "重大度"),
    "message": ("Message", "内容"),
    "row": ("row", "行"),
    "column": ("column", "列"),
    "column_or_path": ("Column or path", "列・パス"),
    "count": ("Results", "件数"),
    "example": ("Example message", "メッセージの例"),
    "Violation": ("Violation", "違反"),
    "Warning": ("Warning", "警告"),
    "Info": ("Info", "情報"),
}


def word(key: str, lang: str) -> str:
    return _WORDS[key][lang == "ja"]


def _severity_word(severity: str, lang: str) -> str:
    return word(severity, lang) if severity in SEVERITY_RANK else severity


def verdict_lines(data: Data) -> list[str]:
    """The profile used, the verdict and the counts, one line each."""
    lang = data["language"]
    lines = [data["profile_note"]] if data["profile_note"] else []
    lines.append(word(data["verdict"], lang))
    lines.append(word("counts", lang).format(**data["counts"]))
    if data["truncated"]:
        lines.append(word("truncated", lang).format(n=len(data["results"])))
    return lines


def local_name(iri: str) -> str:
    return iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def finding_where(finding: Data) -> str:
    """A summary line's column, or the local name of its path or shape."""
    column = finding["column"]
    if column and "://" not in column:
        return str(column)
    return local_name(column or finding["shape"] or "")


def place(entry: Data) -> str:
    """``file:row:column``, ``file#pointer`` or the file alone (RDF input)."""
    if entry["pointer"] is not None:
        return f"{entry['file']}#{entry['pointer']}"
    if entry["row"] is not None:
        return f"{entry['file']}:{entry['row']}:{entry['column']}"
    return str(entry["file"])


def _about(entry: Data, lang: str) -> str:
    """Focus node, path and value of a result that has no row or pointer."""
    if entry["row"] is not None or entry["pointer"] is not None:
        return ""
    parts = [f"{word(k, lang)}: {entry[k]}" for k in ("focus", "path", "value") if entry[k]]
    return f" ({'; '.join(parts)})" if parts else ""


def outcome_text(data: Data) -> str:
    """Verdict, what to fix, then ``place: Severity: message`` per result in file order."""
    lang = data["language"]
    lines = verdict_lines(data)
    if data["summary"]:
        lines += ["", word("fix", lang)]
        for f in data["summary"]:
            count = word("result" if f["count"] == 1 else "results", lang).format(n=f["count"])
            rows = word("rows", lang).format(rows=f["rows"]) if f["rows"] else ""
            lines.append(f"  {f['severity']}: {finding_where(f)}: {count}{rows}: {f['example']}")
    if data["results"]:
        lines.append("")
        for e in data["results"]:
            lines.append(f"{place(e)}: {e['severity']}: {e['message']}{_about(e, lang)}")
    return "\n".join(lines) + "\n"


def outcome_csv(data: Data) -> str:
    """One row per result; cells a spreadsheet would run as formulas are defused."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(ENTRY_FIELDS)
    for entry in data["results"]:
        writer.writerow([_defuse(entry[k]) for k in ENTRY_FIELDS])
    return out.getvalue()


def _defuse(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def grouped(entries: Sequence[Data]) -> dict[str, dict[str, list[Data]]]:
    """Entries by shape, then focus node: the most severe first, rows in order within."""
    ordered = sorted(entries, key=lambda e: SEVERITY_RANK.get(e["severity"], 3))
    groups: dict[str, dict[str, list[Data]]] = {}
    for entry in ordered:
        by_focus = groups.setdefault(entry["shape"] or "", {})
        by_focus.setdefault(entry["focus"] or "", []).append(entry)
    return groups


_STYLE = (
    "body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem}"
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .4rem}"
    ".violation{color:#a40000}.warning{color:#8a5a00}.info{color:#0b5394}"
)


def outcome_html(data: Data) -> str:
    """A standalone page (no scripts, no remote resources): verdict, what to fix, results by
    shape with their place in the input."""
    e = html.escape
    lang = data["language"]
    title = f"{word('title', lang)}: {data['file']}"
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{e(lang)}"><head><meta charset="utf-8">',
        f"<title>{e(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{e(title)}</h1>",
        *(f"<p>{e(line)}</p>" for line in verdict_lines(data)),
    ]
    head = ("severity", "column_or_path", "count", "rows", "example")
    if data["summary"]:
        parts.append(f"<h2>{e(word('fix', lang).rstrip(':：'))}</h2><table><tr>")
        parts += [f"<th>{e(word(k, lang))}</th>" for k in head] + ["</tr>"]
        for f in data["summary"]:
            cells = (
                _severity_word(f["severity"], lang),
                finding_where(f),
                f["count"],
                f["rows"],
                f["example"],
            )
            row = "".join(f"<td>{e(str(c))}</td>" for c in cells)
            parts.append(f'<tr class="{e(f["severity"].lower())}">{row}</tr>')
        parts.append("</table>")
    for shape, by_focus in grouped(data["results"]).items():
        parts.append(f"<h2>{e(word('shape', lang))}: <code>{e(shape)}</code></h2><table><tr>")
        parts += [f"<th>{e(word(k, lang))}</th>" for k in ("where", "severity", "message")]
        parts.append(f"<th>{e(word('value', lang))}</th></tr>")
        for focus, entries in by_focus.items():
            for entry in entries:
                where = place(entry) if entry["row"] or entry["pointer"] is not None else focus
                shown = (where, _severity_word(entry["severity"], lang), entry["message"])
                row = "".join(f"<td>{e(str(c))}</td>" for c in shown)
                value = f"<code>{e(entry['value'])}</code>" if entry["value"] else ""
                sev = e(entry["severity"].lower())
                parts.append(f'<tr class="{sev}">{row}<td>{value}</td></tr>')
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
