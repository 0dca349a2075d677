"""Readable reports (text and HTML), grouped by shape and focus node, in Japanese or English."""

from __future__ import annotations

import html
from collections import defaultdict
from typing import TYPE_CHECKING

from pyoxigraph import BlankNode, NamedNode

from cityref.validation.messages import label, message
from cityref.validation.model import Result, show
from cityref.validation.options import Language
from cityref.validation.paths import path_text
from cityref.validation.terms import Term

if TYPE_CHECKING:
    from cityref.validation.report import Report

_WORDS = {
    "title": ("Validation report", "検証レポート"),
    "engine": ("engine", "エンジン"),
    "conforms": ("The data conforms to the shapes.", "データはシェイプに適合しています。"),
    "fails": ("The data does not conform to the shapes.", "データはシェイプに適合していません。"),
    "summary": (
        "{n} result(s): {v} violation(s), {w} warning(s), {i} info",
        "結果 {n} 件（違反 {v} 件、警告 {w} 件、情報 {i} 件）",
    ),
    "truncated": ("Only the first {n} results are shown.", "最初の {n} 件のみ表示しています。"),
    "shape": ("Shape", "シェイプ"),
    "focus": ("Focus node", "対象ノード"),
    "path": ("path", "パス"),
    "value": ("value", "値"),
    "Violation": ("Violation", "違反"),
    "Warning": ("Warning", "警告"),
    "Info": ("Info", "情報"),
}


def _w(key: str, language: Language) -> str:
    return _WORDS[key][language == Language.JA]


def _severity(r: Result) -> str:
    return r.severity.value.rsplit("#", 1)[-1] if isinstance(r.severity, NamedNode) else "Violation"


def grouped(report: Report) -> dict[Term, dict[Term, list[Result]]]:
    """Results grouped by source shape, then focus node, in first-seen order."""
    groups: dict[Term, dict[Term, list[Result]]] = defaultdict(lambda: defaultdict(list))
    for r in report.results:
        groups[r.source_shape][r.focus].append(r)
    return groups


def _counts(report: Report) -> dict[str, int]:
    counts = {"Violation": 0, "Warning": 0, "Info": 0}
    for r in report.results:
        counts[_severity(r)] = counts.get(_severity(r), 0) + 1
    return counts


def _named(term: Term, report: Report, language: Language) -> str:
    name = label(term, report.labels, language)
    shown = show(term) if not isinstance(term, BlankNode) else "_:" + term.value
    return name if shown.strip("<>") == name else f"{name} {shown}"


def _shape_name(shape: Term, results: list[Result], report: Report, language: Language) -> str:
    """A shape by its label; an anonymous property shape by the property it constrains."""
    if isinstance(shape, BlankNode) and shape not in report.labels and results:
        from cityref.validation.messages import property_label

        prop = property_label(results[0], report.labels, language)
        return (
            f"{prop} のプロパティシェイプ"
            if language == Language.JA
            else f"property shape of {prop}"
        )
    return _named(shape, report, language)


def _summary(report: Report, language: Language) -> list[str]:
    c = _counts(report)
    lines = [
        f"{_w('title', language)} ({_w('engine', language)}: {report.engine})",
        _w("conforms" if report.conforms else "fails", language),
        _w("summary", language).format(
            n=len(report.results), v=c["Violation"], w=c["Warning"], i=c["Info"]
        ),
    ]
    if report.truncated:
        lines.append(_w("truncated", language).format(n=len(report.results)))
    return lines


def report_text(report: Report, language: Language = Language.EN) -> str:
    """Plain text, one block per shape and focus node."""
    lines = _summary(report, language)
    for shape, by_focus in grouped(report).items():
        lines.append("")
        first = next(iter(by_focus.values()))
        lines.append(f"{_w('shape', language)}: {_shape_name(shape, first, report, language)}")
        for focus, results in by_focus.items():
            lines.append(f"  {_w('focus', language)}: {_named(focus, report, language)}")
            for r in results:
                where = []
                if r.path is not None:
                    where.append(f"{_w('path', language)}: {path_text(r.path)}")
                if r.value is not None:
                    where.append(f"{_w('value', language)}: {show(r.value)}")
                extra = f"  ({'; '.join(where)})" if where else ""
                sev = _w(_severity(r), language) if _severity(r) in _WORDS else _severity(r)
                lines.append(f"    [{sev}] {message(r, report.labels, language)}{extra}")
    return "\n".join(lines) + "\n"


def _link(term: Term, report: Report, language: Language) -> str:
    """A term as HTML: IRIs link to themselves (pages under the base IRI resolve on the server)."""
    text = html.escape(_named(term, report, language))
    if isinstance(term, NamedNode) and term.value.startswith(("http://", "https://")):
        return f'<a href="{html.escape(term.value, quote=True)}">{text}</a>'
    return text


_STYLE = (
    "body{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem}"
    ".Violation{color:#a40000}.Warning{color:#8a5a00}.Info{color:#0b5394}"
    "section{border-top:1px solid #ccc;margin-top:1rem}ul{padding-left:1.2rem}"
)


def report_html(report: Report, language: Language = Language.EN) -> str:
    """A standalone HTML page (no scripts, no remote resources)."""
    e = html.escape
    summary = _summary(report, language)
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{language.value}"><head><meta charset="utf-8">',
        f"<title>{e(summary[0])}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{e(summary[0])}</h1>",
        *(f"<p>{e(line)}</p>" for line in summary[1:]),
    ]
    for shape, by_focus in grouped(report).items():
        first = next(iter(by_focus.values()))
        name = (
            e(_shape_name(shape, first, report, language))
            if isinstance(shape, BlankNode)
            else _link(shape, report, language)
        )
        parts.append(f"<section><h2>{e(_w('shape', language))}: {name}</h2>")
        for focus, results in by_focus.items():
            parts.append(
                f"<h3>{e(_w('focus', language))}: {_link(focus, report, language)}</h3><ul>"
            )
            for r in results:
                sev = _severity(r)
                word = _w(sev, language) if sev in _WORDS else sev
                text = e(message(r, report.labels, language))
                bits = [f'<strong class="{e(sev)}">{e(word)}</strong> {text}']
                if r.path is not None:
                    bits.append(
                        f"<br><small>{e(_w('path', language))}: <code>{e(path_text(r.path))}</code>"
                    )
                    if r.value is not None:
                        bits.append(
                            f"; {e(_w('value', language))}: <code>{e(show(r.value))}</code>"
                        )
                    bits.append("</small>")
                elif r.value is not None:
                    value = f"{e(_w('value', language))}: <code>{e(show(r.value))}</code>"
                    bits.append(f"<br><small>{value}</small>")
                parts.append("<li>" + "".join(bits) + "</li>")
            parts.append("</ul>")
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
