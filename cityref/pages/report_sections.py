"""A long validation report made readable: sections titled in words, folded, filtered.

The results go in sections, one per line of "what to fix" (shape, severity, file, column),
each titled by the column or property and the rule in words, with the first few results
shown and the rest folded away; narrowed by severity and column when the reader asks.

A city's file often breaks one rule on every row; listed result by result that is a page tens
of thousands of pixels tall with headings like ``名称_カナ-full-width``. The words come from
the model (:func:`shape_words`, computed once per build in the query worker); the sections
read only the outcome document, so a job's stored document gives the same page."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cityref.outcome.summary import SEVERITY_RANK, FindingKey, finding_key, row_ranges
from cityref.outcome.views import local_name
from cityref.pages.browse import Select, with_literal
from cityref.pages.shape_words import constraint_words
from cityref.text import Bilingual

Entry = Mapping[str, Any]
#: Results a section shows before the rest is folded behind "show N more".
SHOWN_PER_SECTION = 5


@dataclass(frozen=True)
class ShapeWords:
    """What a shape checks, in words: what it is about (the column's or property's label, or
    the shape's own name) and its rule (its message, description, else its constraints)."""

    subject: Bilingual
    rule: Bilingual


def shape_words(select: Select) -> dict[str, ShapeWords]:
    """The words of every shape of the model that has an IRI, by shape IRI."""
    rows = select(
        "PREFIX sh: <http://www.w3.org/ns/shacl#>\n"
        + select.prefixes
        + """SELECT ?shape ?kind ?text WHERE {
  { ?shape sh:path ?path . ?path rdfs:label ?text BIND("path" AS ?kind) }
  UNION { ?shape sh:name ?text BIND("name" AS ?kind) }
  UNION { ?shape rdfs:label ?text . ?shape a sh:NodeShape BIND("label" AS ?kind) }
  UNION { ?shape sh:message ?text BIND("message" AS ?kind) }
  UNION { ?shape sh:description ?text BIND("description" AS ?kind) }
  UNION { ?shape sh:path ?path BIND(?path AS ?text) BIND("path-iri" AS ?kind) }
  FILTER(isIRI(?shape))
}"""
    )
    texts: dict[tuple[str, str], Bilingual] = {}
    for row in rows:
        key = (row["shape"].value, row["kind"].value)
        if key[1] == "path-iri":
            texts[key] = Bilingual(en=local_name(row["text"].value))
        else:
            texts[key] = with_literal(texts.get(key, Bilingual()), row["text"])
    shapes = {shape for shape, _kind in texts}
    unexplained = [s for s in shapes if not {(s, "message"), (s, "description")} & texts.keys()]
    for shape, words in _constraints_in_words(select, unexplained).items():
        texts[(shape, "constraints")] = words

    def first(shape: str, *kinds: str) -> Bilingual:
        found = (texts.get((shape, kind)) for kind in kinds)
        return next((text for text in found if text is not None), Bilingual())

    return {
        shape: ShapeWords(
            subject=first(shape, "path", "name", "label", "path-iri"),
            rule=first(shape, "message", "description", "constraints"),
        )
        for shape in shapes
    }


def _said(text: Bilingual) -> bool:
    """Whether the text has anything to say in either language."""
    return bool(text.ja or text.en)


def _constraints_in_words(select: Select, shapes: Sequence[str]) -> dict[str, Bilingual]:
    """The constraints of shapes that say nothing of their own, in words ("at least 1 value")."""
    if not shapes:
        return {}
    values = " ".join(f"<{s}>" for s in sorted(shapes))
    rows = select(
        f"""SELECT ?shape ?param ?value WHERE {{ VALUES ?shape {{ {values} }}
  ?shape ?param ?value
  FILTER(STRSTARTS(STR(?param), "http://www.w3.org/ns/shacl#") && !isBlank(?value)
         && ?param != <http://www.w3.org/ns/shacl#path>)
}}"""
    )
    params: dict[str, dict[str, list[str]]] = {}
    for row in rows:
        name = row["param"].value.rsplit("#", 1)[-1]
        params.setdefault(row["shape"].value, {}).setdefault(name, []).append(row["value"].value)
    joined = {}
    for shape, found in params.items():
        words = [w.text for w in constraint_words(found)]
        if words:
            ja, en = "、".join(w.ja for w in words), "; ".join(w.en for w in words)
            joined[shape] = Bilingual(ja, en)
    return joined


@dataclass(frozen=True)
class Section:
    """The results of one shape, severity and column, titled in words."""

    anchor: str
    shape: str
    severity: str
    column: str  # the column name, or the path's IRI (what the column filter names)
    subject: Bilingual  # the column's or property's label (Japanese and English)
    rule: str  # in the page's language
    entries: list[Entry]
    messages_vary: bool  # False when every message is the rule itself: no message column

    @property
    def shape_name(self) -> str:
        """The shape's id as the small link under the heading shows it."""
        return local_name(self.shape)

    @property
    def shown(self) -> list[Entry]:
        return self.entries[:SHOWN_PER_SECTION]

    @property
    def folded(self) -> list[Entry]:
        return self.entries[SHOWN_PER_SECTION:]

    @property
    def rows(self) -> str:
        """The section's rows as ranges ("2–192"), "" when the input is not tabular."""
        return row_ranges(int(e["row"]) for e in self.entries if e.get("row"))


@dataclass(frozen=True)
class Choice:
    """One option of a filter: its value, label and how many results it has."""

    value: str
    label: str
    count: int


@dataclass(frozen=True)
class ReportView:
    """The report's sections after the reader's filters, and the filters' choices."""

    sections: list[Section]  # those the filters keep, most severe and frequent first
    anchors: dict[FindingKey, str]  # every section's anchor by finding key
    severities: list[Choice]
    columns: list[Choice]
    severity: str  # the severity asked for, "" for all
    column: str  # the column asked for, "" for all
    total: int  # results in the report
    shown: int  # results in the sections kept

    @property
    def filtered(self) -> bool:
        return bool(self.severity or self.column)

    def href(self, finding: Entry) -> str:
        """The link from a line of "what to fix" to its section: on this page while the
        section is shown, else on the unfiltered page."""
        anchor = self.anchors.get(finding_key(finding), "")
        if any(s.anchor == anchor for s in self.sections):
            return f"#{anchor}"
        return f"?#{anchor}"


def report_view(
    entries: Sequence[Entry],
    words: Mapping[str, ShapeWords],
    lang: str,
    severity: str = "",
    column: str = "",
) -> ReportView:
    """The entries of an outcome document (in ``lang``) in sections titled by ``words``,
    keeping only ``severity`` and ``column`` when given (an empty string keeps all)."""
    groups: dict[FindingKey, list[Entry]] = {}
    for entry in entries:
        groups.setdefault(finding_key(entry), []).append(entry)
    ordered = sorted(
        groups.items(),
        key=lambda kv: (
            SEVERITY_RANK.get(kv[0][1], 3),
            -len(kv[1]),
            tuple(part or "" for part in kv[0]),
        ),
    )
    sections = [
        _section(f"shape-{i}", key, members, words, lang)
        for i, (key, members) in enumerate(ordered, start=1)
    ]
    kept = [
        s
        for s in sections
        if (not severity or s.severity == severity) and (not column or s.column == column)
    ]
    return ReportView(
        sections=kept,
        anchors={key: s.anchor for (key, _members), s in zip(ordered, sections, strict=True)},
        severities=_choices(sections, lambda s: s.severity, lambda s: s.severity),
        # A node's own constraint (sh:or, sh:closed) has no column: it shows under "all".
        columns=_choices(
            [s for s in sections if s.column], lambda s: s.column, lambda s: s.subject.both()
        ),
        severity=severity,
        column=column,
        total=len(entries),
        shown=sum(len(s.entries) for s in kept),
    )


def _section(
    anchor: str,
    key: FindingKey,
    members: list[Entry],
    words: Mapping[str, ShapeWords],
    lang: str,
) -> Section:
    shape, severity, _file, column = key
    column = column or ""
    known = words.get(shape)
    first_message = str(members[0].get("message") or "")
    subject = _subject(members[0], known)
    rule = known.rule.in_language(lang) if known and _said(known.rule) else first_message
    return Section(
        anchor=anchor,
        shape=shape,
        severity=severity,
        column=column,
        subject=subject,
        rule=rule,
        entries=members,
        messages_vary=any(str(e.get("message") or "") != rule for e in members),
    )


def _subject(entry: Entry, known: ShapeWords | None) -> Bilingual:
    """A CSV column by its name (and the model's English label for it when the shape is about
    that column); otherwise the label of the shape's property, else the path's local name."""
    name = entry.get("column")
    if name and "://" not in str(name):
        same = known is not None and known.subject.ja == name
        return Bilingual(str(name), known.subject.en if same and known else "")
    if known and _said(known.subject):
        return known.subject
    return Bilingual(en=local_name(str(entry.get("path") or entry.get("shape") or "")))


def _choices(
    sections: list[Section], value: Callable[[Section], str], label: Callable[[Section], str]
) -> list[Choice]:
    """One choice per distinct value, with its results counted, in the sections' order."""
    counts: dict[str, int] = {}
    labels: dict[str, str] = {}
    for s in sections:
        counts[value(s)] = counts.get(value(s), 0) + len(s.entries)
        labels.setdefault(value(s), label(s))
    return [Choice(v, labels[v], n) for v, n in counts.items()]
