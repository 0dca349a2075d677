"""SPARQL answers serialised in the W3C formats, with a row cap that is reported, not hidden.

SELECT/ASK: SPARQL 1.1 Query Results JSON, XML, CSV and TSV. CONSTRUCT/DESCRIBE: Turtle,
N-Triples, JSON-LD and RDF/XML. The result formats are written here rather than by
pyoxigraph because a capped answer has to be serialised from a prefix of the solutions.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal as TypingLiteral
from typing import TypeVar
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from cityref.errors import QueryRefused
from cityref.text import Bilingual

AnswerKind = TypingLiteral["bindings", "boolean", "graph"]

#: Result formats for SELECT and ASK: name -> media type.
RESULT_FORMATS: dict[str, str] = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
#: Graph formats for CONSTRUCT and DESCRIBE: name -> pyoxigraph format.
GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
T = TypeVar("T")


@dataclass(frozen=True)
class QueryAnswer:
    """A serialised answer: its kind, bytes, media type, how many rows and whether it was cut."""

    kind: AnswerKind
    result_format: str
    media_type: str
    data: bytes
    rows: int
    truncated: bool


@dataclass(frozen=True)
class FormatChoice:
    """The format to use for each query form, when the form is not known in advance."""

    bindings: str | None = "json"
    graph: str | None = "turtle"


def answer_from_oxigraph(
    answer: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples,
    result_format: str | FormatChoice,
    max_rows: int,
) -> QueryAnswer:
    """Serialise a pyoxigraph answer; a format name must suit the query form.

    ``"auto"`` picks SPARQL JSON for SELECT and ASK, Turtle for CONSTRUCT and DESCRIBE.
    """
    if isinstance(answer, ox.QueryBoolean):
        return answer_from_boolean(bool(answer), result_format)
    if isinstance(answer, ox.QuerySolutions):
        variables = [v.value for v in answer.variables]
        rows = ([s[v] for v in variables] for s in answer)
        return answer_from_bindings(variables, rows, result_format, max_rows)
    return answer_from_triples(iter(answer), result_format, max_rows)


def answer_from_boolean(value: bool, result_format: str | FormatChoice) -> QueryAnswer:
    """Serialise an ASK answer."""
    chosen = _chosen_format(result_format, is_graph=False)
    _check_format(chosen, RESULT_FORMATS, "ASK")
    data = serialize_boolean(value, chosen)
    return QueryAnswer("boolean", chosen, RESULT_FORMATS[chosen], data, 1, truncated=False)


def answer_from_bindings(
    variables: Sequence[str],
    rows: Iterable[Sequence[Term | None]],
    result_format: str | FormatChoice,
    max_rows: int,
) -> QueryAnswer:
    """Serialise the first ``max_rows`` solutions of a SELECT."""
    chosen = _chosen_format(result_format, is_graph=False)
    _check_format(chosen, RESULT_FORMATS, "SELECT")
    taken, truncated = _take(rows, max_rows)
    data = serialize_bindings(variables, taken, chosen)
    return QueryAnswer("bindings", chosen, RESULT_FORMATS[chosen], data, len(taken), truncated)


def answer_from_triples(
    triples: Iterable[ox.Triple], result_format: str | FormatChoice, max_rows: int
) -> QueryAnswer:
    """Serialise the first ``max_rows`` triples of a CONSTRUCT or DESCRIBE."""
    chosen = _chosen_format(result_format, is_graph=True)
    _check_format(chosen, GRAPH_FORMATS, "CONSTRUCT/DESCRIBE")
    taken, truncated = _take(triples, max_rows)
    rdf_format = GRAPH_FORMATS[chosen]
    data = ox.serialize(taken, format=rdf_format) or b""
    return QueryAnswer("graph", chosen, rdf_format.media_type, data, len(taken), truncated)


def _chosen_format(result_format: str | FormatChoice, *, is_graph: bool) -> str:
    """The format name for this query form (``"auto"`` and :class:`FormatChoice` resolved)."""
    if result_format == "auto":
        result_format = FormatChoice()
    if not isinstance(result_format, FormatChoice):
        return result_format
    chosen = result_format.graph if is_graph else result_format.bindings
    if chosen is None:
        form = "CONSTRUCT/DESCRIBE" if is_graph else "SELECT/ASK"
        raise QueryRefused(
            Bilingual(
                f"指定された形式は {form} クエリに使えません",
                f"the format asked for does not fit a {form} query",
            )
        )
    return chosen


def _check_format(name: str, allowed: Mapping[str, object], form: str) -> None:
    if name not in allowed:
        choices = ", ".join(allowed)
        raise QueryRefused(
            Bilingual(
                f"形式 {name!r} は {form} クエリに使えません。"
                f"次のいずれかにしてください: {choices}",
                f"format {name!r} does not fit a {form} query; use one of {choices}",
            )
        )


def _take(items: Iterable[T], limit: int) -> tuple[list[T], bool]:
    """The first ``limit`` items and whether there were more."""
    taken: list[T] = []
    for item in items:
        if len(taken) == limit:
            return taken, True
        taken.append(item)
    return taken, False


# -- SELECT / ASK ---------------------------------------------------------------------------
def serialize_boolean(value: bool, result_format: str) -> bytes:
    if result_format == "json":
        return json.dumps({"head": {}, "boolean": value}).encode()
    if result_format == "xml":
        text = "true" if value else "false"
        return (
            '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head/><boolean>{text}</boolean></sparql>\n"
        ).encode()
    # CSV and TSV have no boolean form in the W3C note; a one-cell table is the convention.
    return ("_askResult\n" + ("true" if value else "false") + "\n").encode()


def serialize_bindings(
    variables: Sequence[str], rows: Sequence[Sequence[Term | None]], result_format: str
) -> bytes:
    if result_format == "json":
        return _bindings_json(variables, rows)
    if result_format == "xml":
        return _bindings_xml(variables, rows)
    if result_format == "csv":
        return _bindings_csv(variables, rows)
    return _bindings_tsv(variables, rows)


def _term_json(term: Term) -> dict[str, object]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, object] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {
        "type": "triple",
        "value": {
            "subject": _term_json(term.subject),
            "predicate": _term_json(term.predicate),
            "object": _term_json(term.object),
        },
    }


def _bindings_json(variables: Sequence[str], rows: Sequence[Sequence[Term | None]]) -> bytes:
    bindings = [
        {v: _term_json(t) for v, t in zip(variables, row, strict=True) if t is not None}
        for row in rows
    ]
    doc = {"head": {"vars": list(variables)}, "results": {"bindings": bindings}}
    return json.dumps(doc, ensure_ascii=False).encode()


def _term_xml(term: Term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            dt = quoteattr(term.datatype.value)
            return f"<literal datatype={dt}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    return (
        f"<triple><subject>{_term_xml(term.subject)}</subject>"
        f"<predicate>{_term_xml(term.predicate)}</predicate>"
        f"<object>{_term_xml(term.object)}</object></triple>"
    )


def _bindings_xml(variables: Sequence[str], rows: Sequence[Sequence[Term | None]]) -> bytes:
    out = io.StringIO()
    out.write('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n')
    out.write("<head>" + "".join(f"<variable name={quoteattr(v)}/>" for v in variables))
    out.write("</head>\n<results>\n")
    for row in rows:
        out.write("<result>")
        for name, term in zip(variables, row, strict=True):
            if term is not None:
                out.write(f"<binding name={quoteattr(name)}>{_term_xml(term)}</binding>")
        out.write("</result>\n")
    out.write("</results>\n</sparql>\n")
    return out.getvalue().encode()


def _term_csv(term: Term | None) -> str:
    """CSV keeps only the lexical form (W3C note, section 3.2)."""
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Triple):
        return str(term)
    return term.value


def _bindings_csv(variables: Sequence[str], rows: Sequence[Sequence[Term | None]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(variables)
    for row in rows:
        writer.writerow([_term_csv(t) for t in row])
    return out.getvalue().encode()


def _bindings_tsv(variables: Sequence[str], rows: Sequence[Sequence[Term | None]]) -> bytes:
    """TSV writes terms in their Turtle / N-Triples form (W3C note, section 4)."""
    lines = ["\t".join(f"?{v}" for v in variables)]
    for row in rows:
        lines.append("\t".join("" if t is None else str(t) for t in row))
    return ("\n".join(lines) + "\n").encode()
