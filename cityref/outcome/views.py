"""Readable views of the outcome document (:func:`cityref.outcome.data.outcome_data`):
plain text for the terminal, CSV for spreadsheets, a standalone HTML page. They read only
the document, so a job's stored document gives the same view as the command line."""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

from cityref.outcome.data import ENTRY_FIELDS
from cityref.outcome.summary import SEVERITY_RANK

Data = Mapping[str, Any]

_WORDS = {
    "title": ("Validation report", "検証レポート"),
    "conforms": ("The data conforms.", "適合しています。"),
    "violations": (
        "The data does not conform: it has violations.",
        "適合していません（違反があります）。",
    ),
    "warnings": (
        "No violations: the data passes, with warnings or infos to review.",
        "違反はありません。警告・情報を確認してください。",
    ),
    "checked_rows": ("Checked {n} rows.", "{n} 行を検査しました。"),
    "checked_row": ("Checked 1 row.", "1 行を検査しました。"),
    "checked_entities": ("Checked {n} entities.", "{n} 件のエンティティを検査しました。"),
    "checked_entity": ("Checked 1 entity.", "1 件のエンティティを検査しました。"),
    "checked_nodes": ("Checked {n} focus nodes.", "検査対象のノード {n} 個を検査しました。"),
    "checked_node": ("Checked 1 focus node.", "検査対象のノード 1 個を検査しました。"),
    "value_found": (' — value "{value}"', " — 値「{value}」"),
    "suggest": ('; suggest "{value}"', "。「{value}」に直す"),
    "suggest_html": ("suggest {value}", "→ {value} に直す"),
    "mark_at": ("character {n}: {name} ({code})", "{n} 文字目: {name} ({code})"),
    "marks_at": ("characters {n}–{m}: {name} ({code})", "{n}–{m} 文字目: {name} ({code})"),
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


#: The style of each verdict: ``ok`` (conforms), ``warn`` (warnings only), ``bad``.
VERDICT_CLASS = {"conforms": "ok", "warnings": "warn", "violations": "bad"}


def verdict_class(verdict: str) -> str:
    return VERDICT_CLASS.get(verdict, "bad")


_CHECKED_UNITS = {"rows": "row", "entities": "entity", "nodes": "node"}


def checked_words(data: Data, lang: str) -> str | None:
    """ "31 行を検査しました。" / "Checked 31 rows.", with the count per file when there are
    several (GTFS); None for a document stored before it said (no ``checked``)."""
    checked = data.get("checked")
    if not checked or checked.get("unit") not in _CHECKED_UNITS:
        return None
    n, unit = checked["count"], checked["unit"]
    line = word(f"checked_{_CHECKED_UNITS[unit] if n == 1 else unit}", lang).format(n=n)
    files = checked.get("files") or {}
    if len(files) > 1:
        prefix = f"{data['file']}/"
        each = (f"{f.removeprefix(prefix)}: {k}" for f, k in files.items())
        line += ("（" + "、".join(each) + "）") if lang == "ja" else " (" + ", ".join(each) + ")"
    return line


def verdict_lines(data: Data) -> list[str]:
    """The profile used, the verdict, what was checked and the counts, one line each."""
    lang = data["language"]
    lines = [data["profile_note"]] if data["profile_note"] else []
    lines.append(word(data["verdict"], lang))
    checked = checked_words(data, lang)
    lines += [checked] if checked else []
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
    """Focus node and path of a result that has no row or pointer."""
    if entry["row"] is not None or entry["pointer"] is not None:
        return ""
    parts = [f"{word(k, lang)}: {entry[k]}" for k in ("focus", "path") if entry[k]]
    return f" ({'; '.join(parts)})" if parts else ""


def marks_words(marks: Sequence[Data], lang: str) -> str:
    """A value's marks in words: "14 文字目: 末尾の空白 (U+0020)"."""
    return "; ".join(
        word("mark_at" if m["end"] - m["start"] == 1 else "marks_at", lang).format(
            n=m["start"] + 1, m=m["end"], name=m["name"][lang], code=m["code"]
        )
        for m in marks
    )


def value_words(entry: Data, lang: str) -> str:
    """' — 値「(054)629-3520␣」 (14 文字目: 末尾の空白 (U+0020))。「(054)629-3520」に直す'; ""
    when the result has no value. Documents stored before ``value_shown`` give the value."""
    if not entry.get("value"):
        return ""
    text = word("value_found", lang).format(value=entry.get("value_shown") or entry["value"])
    marks = entry.get("value_marks") or []
    if marks:
        text += f" ({marks_words(marks, lang)})"
    if entry.get("suggestion"):
        text += word("suggest", lang).format(value=entry["suggestion"])
    return text


def write_text(data: Data, out: TextIO) -> None:
    """Verdict, what to fix, then ``place: Severity: message`` per result in file order, one
    line at a time."""
    lang = data["language"]
    lines = verdict_lines(data)
    if data["summary"]:
        lines += ["", word("fix", lang)]
        for f in data["summary"]:
            count = word("result" if f["count"] == 1 else "results", lang).format(n=f["count"])
            rows = word("rows", lang).format(rows=f["rows"]) if f["rows"] else ""
            example = f"{f['example']}{value_words(f, lang)}"
            severity = _severity_word(f["severity"], lang)
            lines.append(f"  {severity}: {finding_where(f)}: {count}{rows}: {example}")
    out.write("\n".join(lines) + "\n")
    if data["results"]:
        out.write("\n")
        for e in data["results"]:
            about = f"{_about(e, lang)}{value_words(e, lang)}"
            out.write(f"{place(e)}: {_severity_word(e['severity'], lang)}: {e['message']}{about}\n")


def outcome_text(data: Data) -> str:
    """:func:`write_text` as one string."""
    out = io.StringIO()
    write_text(data, out)
    return out.getvalue()


def write_csv(data: Data, out: TextIO) -> None:
    """The outcome's own row (component ``outcome``: verdict, what was checked, counts), then
    one row per result with its value's marks in words; cells a spreadsheet would run as
    formulas are defused."""
    lang = data["language"]
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(ENTRY_FIELDS)
    head = dict.fromkeys(ENTRY_FIELDS, "")
    head.update(file=data["file"], component="outcome", message=" ".join(verdict_lines(data)))
    writer.writerow([_defuse(head[k]) for k in ENTRY_FIELDS])
    for entry in data["results"]:
        cells = {k: entry.get(k) for k in ENTRY_FIELDS}
        cells["value_marks"] = marks_words(entry.get("value_marks") or [], lang)
        writer.writerow([_defuse(cells[k]) for k in ENTRY_FIELDS])


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
    ".ok{color:#1d6b2a;font-weight:700}.warn{color:#7a4b00;font-weight:700}"
    ".bad{color:#a00000;font-weight:700}"
    "mark{background:#ffe08a;color:#000;outline:1px dotted #7a4b00}"
)


def value_html(entry: Data, lang: str) -> str:
    """A result's value as HTML: invisible and look-alike characters in ``<mark>`` (named in
    its title), then the suggestion; the report page's macro (_report_value.html) does the
    same in Jinja."""
    e = html.escape
    value = entry.get("value")
    if not value:
        return ""
    shown_text = entry.get("value_shown") or value
    parts, at = ["<code>"], 0
    for m in entry.get("value_marks") or []:
        start, end = m["start"], m["end"]
        kind = "invisible" if shown_text[start:end] != value[start:end] else "lookalike"
        title = f"{m['name'][lang]} ({m['code']})"
        parts.append(e(shown_text[at:start]))
        parts.append(f'<mark class="{kind}" title="{e(title)}">{e(shown_text[start:end])}</mark>')
        at = end
    parts.append(e(shown_text[at:]) + "</code>")
    if entry.get("suggestion"):
        words = word("suggest_html", lang).format(value=f"<code>{e(entry['suggestion'])}</code>")
        parts.append(f' <span class="suggestion">{words}</span>')
    return "".join(parts)


def write_html(data: Data, out: TextIO) -> None:
    """:func:`outcome_html` written to ``out``."""
    out.write(outcome_html(data))


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
        *(
            f'<p class="{verdict_class(data["verdict"])}">{e(line)}</p>'
            if line == word(data["verdict"], lang)
            else f"<p>{e(line)}</p>"
            for line in verdict_lines(data)
        ),
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
            )
            row = "".join(f"<td>{e(str(c))}</td>" for c in cells)
            example = f"<td>{e(f['example'])} {value_html(f, lang)}</td>"
            parts.append(f'<tr class="{e(f["severity"].lower())}">{row}{example}</tr>')
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
                sev = e(entry["severity"].lower())
                parts.append(f'<tr class="{sev}">{row}<td>{value_html(entry, lang)}</td></tr>')
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
