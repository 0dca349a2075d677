"""A table read through its profile, written as linked data in the Reference Model's
vocabulary: each row a node of the table's ``common:termClass``, each cell the value of its
column's ``common:term``, so that files of two layouts (or two cities) are queried together.

Where the core model puts a term decides where its value goes. A term whose ``rdfs:domain``
the row class is (or has none) is said of the row; a term of another class (the address's
``core:fullAddress``, the contact point's ``core:telephone``, the coordinates'
``core:latitude``, the installed equipment's ``core:installationPosition``) is said of a node
of that class, linked from the row by the one object property that leads there (the one whose
``rdfs:range`` is that class, or else a superclass of it, and whose domain the row class
meets): ``core:address``, ``core:contactPoint``, ``core:geographicCoordinates``,
``core:equipment``. A term for which no single such link exists stays on the row (the
local government's code and name, the corporate number: ``core:owner`` and ``core:manager``
would both lead there, and each says more than the column does). The value of an object
property term (``core:identifier``) is a node of its range holding the cell as ``rdf:value``.

Rows are named ``<base>data/<全国地方公共団体コード>/<profile>/<ID or NO>`` (``row-N``, the
spreadsheet row, when the file has no identifier), the nodes of their parts
``<row>/<link>``. Cells are typed by the column's datatype as validation reads them
(:func:`cityref.inputs.csv_input.cell_literal`); an ``xsd:anyURI`` term's text is an
``xsd:anyURI``. A column without a term keeps the profile's column IRI, and is listed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote

import pyoxigraph as ox

from cityref.errors import CityrefError
from cityref.inputs.csv_header import Column, TableSchema, match_header
from cityref.inputs.csv_input import cell_literal, read_rows
from cityref.profiles.registry import Profile
from cityref.store.sources import ModelFiles, discover_sources
from cityref.text import Bilingual

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = ox.NamedNode(RDF + "type")
RDF_VALUE = ox.NamedNode(RDF + "value")
#: One statement of the output: subject, predicate, object (an IRI or a literal).
Statement = tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal]
#: The output syntaxes of ``cityref convert --to``.
LINKED_DATA_FORMATS = ("turtle", "jsonld")


class NotConvertible(CityrefError):
    """The profile or file cannot be written as linked data."""


@dataclass(frozen=True)
class Term:
    """What the converter needs of one property of the vocabulary."""

    iri: str
    is_object: bool
    domains: frozenset[str]
    ranges: frozenset[str]


@dataclass(frozen=True)
class Vocabulary:
    """The properties and class hierarchy of ``ontology/`` (the working tree's)."""

    terms: dict[str, Term]
    supers: dict[str, frozenset[str]]  # class -> itself and every superclass
    prefixes: dict[str, str]  # namespace -> prefix, for Turtle and the JSON-LD context

    def classes_of(self, iri: str) -> frozenset[str]:
        return self.supers.get(iri, frozenset({iri}))

    def link(self, row_class: str, term: Term) -> tuple[str, str] | None:
        """(linking property, node class) when ``term`` belongs on a part of the row; None
        when it is said of the row itself."""
        row = self.classes_of(row_class)
        if not term.domains or term.domains & row:
            return None
        domain = sorted(term.domains)[0]
        reachable = [
            t
            for t in self.terms.values()
            if t.is_object and (not t.domains or t.domains & row) and t.iri != term.iri
        ]
        # A link to exactly that class first, else one to a class it is a kind of.
        for targets in ({domain}, self.classes_of(domain)):
            found = [t for t in reachable if t.ranges & targets]
            if len(found) == 1:
                return found[0].iri, domain
        return None


def _prefixes(data: bytes) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in data.decode("utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[0] == "@prefix" and parts[2].startswith("<"):
            found.setdefault(parts[2].strip("<>"), parts[1].rstrip(":"))
    return found


def read_vocabulary(model: ModelFiles) -> Vocabulary:
    """The properties (with domains and ranges) and classes of the model's ``ontology/``."""
    store = ox.Store()
    prefixes: dict[str, str] = {}
    for source in discover_sources(model.root):
        if source.folder != "ontology":
            continue
        data = model.read(source.absolute_path)
        store.load(data, format=ox.RdfFormat.TURTLE)
        for namespace, prefix in _prefixes(data).items():
            prefixes.setdefault(namespace, prefix)
    kinds: dict[str, bool] = {}
    for kind in (OWL + "DatatypeProperty", RDF + "Property", OWL + "ObjectProperty"):
        for quad in store.quads_for_pattern(None, RDF_TYPE, ox.NamedNode(kind)):
            if isinstance(quad.subject, ox.NamedNode):
                kinds[quad.subject.value] = kind == OWL + "ObjectProperty"

    def objects(predicate: str) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for quad in store.quads_for_pattern(None, ox.NamedNode(predicate), None):
            if isinstance(quad.subject, ox.NamedNode) and isinstance(quad.object, ox.NamedNode):
                found.setdefault(quad.subject.value, set()).add(quad.object.value)
        return found

    domains, ranges = objects(RDFS + "domain"), objects(RDFS + "range")
    parents = objects(RDFS + "subClassOf")
    supers: dict[str, frozenset[str]] = {}
    for start in parents:
        seen, todo = {start}, [start]
        while todo:
            for parent in parents.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        supers[start] = frozenset(seen)
    terms = {
        iri: Term(iri, is_object, frozenset(domains.get(iri, ())), frozenset(ranges.get(iri, ())))
        for iri, is_object in kinds.items()
    }
    return Vocabulary(terms, supers, prefixes)


@dataclass
class LinkedTable:
    """The triples of one table, and what could not be said in the vocabulary."""

    triples: list[Statement]
    row_class: str
    rows: int = 0
    without_term: list[str] = field(default_factory=list)  # columns kept under their own IRI
    unread: list[str] = field(default_factory=list)  # header cells the profile does not have


def _segment(text: str) -> str:
    return quote(text.strip(), safe="")


def _term_column(columns: Iterable[Column | None], term: str) -> int | None:
    return next((i for i, c in enumerate(columns) if c is not None and c.term == term), None)


def _literal(text: str, column: Column, term: Term | None) -> ox.Literal:
    if term is not None and XSD + "anyURI" in term.ranges and column.datatype == "string":
        return ox.Literal(text, datatype=ox.NamedNode(XSD + "anyURI"))
    return cell_literal(text, column.datatype)


def link_table(data: bytes, name: str, profile: Profile, vocabulary: Vocabulary) -> LinkedTable:
    """The rows of a CSV file of ``profile`` as triples in the Reference Model's terms."""
    schema = profile.table_schema()
    if schema is None:
        raise NotConvertible(
            Bilingual(
                f"プロファイル {profile.id} は表が一つの CSV ではないため、リンクトデータに"
                "変換できません",
                f"profile {profile.id} does not read one CSV table; only such files can be "
                "written as linked data",
            )
        )
    rows, _encoding = read_rows(data, name)
    match = match_header(rows[0], schema)
    return _link_rows(rows, match.columns, schema, profile, vocabulary)


def _link_rows(
    rows: list[list[str]],
    columns: Sequence[Column | None],
    schema: TableSchema,
    profile: Profile,
    vocabulary: Vocabulary,
) -> LinkedTable:
    base = profile.model.base_iri
    row_class = schema.term_class or schema.row_class or ""
    code = _term_column(columns, base + "def/core#localGovernmentCode")
    ident = _term_column(columns, base + "def/core#identifier")
    out = LinkedTable([], row_class)
    out.unread = [rows[0][i] for i, c in enumerate(columns) if c is None and rows[0][i].strip()]
    out.without_term = [c.title for c in columns if c is not None and not c.term]
    for number, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        lg = cells[code].strip() if code is not None and code < len(cells) else ""
        key = cells[ident].strip() if ident is not None and ident < len(cells) else ""
        row = ox.NamedNode(
            f"{base}data/{_segment(lg) or 'unknown'}/{profile.id}/"
            + (_segment(key) if key else f"row-{number}")
        )
        out.rows += 1
        out.triples.append((row, RDF_TYPE, ox.NamedNode(row_class)))
        parts: dict[str, ox.NamedNode] = {}
        for index, column in enumerate(columns):
            text = cells[index].strip() if index < len(cells) else ""
            if column is None or not text:
                continue
            term = vocabulary.terms.get(column.term or "")
            subject = row
            link = vocabulary.link(row_class, term) if term else None
            if link is not None:
                prop, node_class = link
                subject = parts.get(prop) or ox.NamedNode(f"{row.value}/{_local(prop)}")
                if prop not in parts:
                    parts[prop] = subject
                    out.triples.append((row, ox.NamedNode(prop), subject))
                out.triples.append((subject, RDF_TYPE, ox.NamedNode(node_class)))
            predicate = ox.NamedNode(column.term or column.property_url)
            if term is not None and term.is_object:
                node = ox.NamedNode(f"{row.value}/{_local(term.iri)}")
                out.triples.append((subject, predicate, node))
                for kind in sorted(term.ranges):
                    out.triples.append((node, RDF_TYPE, ox.NamedNode(kind)))
                out.triples.append((node, RDF_VALUE, cell_literal(text, "string")))
            else:
                out.triples.append((subject, predicate, _literal(text, column, term)))
    # Each node's statements together, its type first; a part's type once.
    out.triples = sorted(
        dict.fromkeys(out.triples),
        key=lambda t: (t[0].value, t[1] != RDF_TYPE, t[1].value),
    )
    return out


def _local(iri: str) -> str:
    return iri.rstrip("/#").rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _namespace(iri: str) -> str:
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[: cut + 1]


def to_turtle(table: LinkedTable, vocabulary: Vocabulary) -> bytes:
    """Turtle, with the vocabulary's prefixes for the namespaces the triples use."""
    used = {_namespace(t.value) for _s, p, o in table.triples for t in (p, o)
            if isinstance(t, ox.NamedNode)} | {XSD}  # fmt: skip
    prefixes = {p: ns for ns, p in vocabulary.prefixes.items() if ns in used}
    prefixes.setdefault("xsd", XSD)
    prefixes.setdefault("rdf", RDF)
    triples = [ox.Triple(s, p, o) for s, p, o in table.triples]
    return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes) or b""


def to_jsonld(table: LinkedTable) -> bytes:
    """JSON-LD whose ``@context`` names each term used by its local name (``name``,
    ``address``, ``latitude``; ``module_name`` when two share one): rows with their parts
    embedded, typed values as ``{"@value", "@type"}``."""
    context: dict[str, str] = {"xsd": XSD}
    names: dict[str, str] = {}
    for _subject, predicate, obj in table.triples:
        used = (obj.value,) if predicate == RDF_TYPE else (predicate.value,)
        for iri in used:
            if iri not in names:
                local = _local(iri)
                name = local if local not in context else f"{_local(_namespace(iri))}_{local}"
                context[name] = iri
                names[iri] = name
    nodes: dict[str, dict[str, object]] = {}
    children: set[str] = set()
    for subject, predicate, obj in table.triples:
        node = nodes.setdefault(subject.value, {"@id": subject.value})
        if predicate == RDF_TYPE:
            types = node.setdefault("@type", [])
            assert isinstance(types, list)
            types.append(names[obj.value])
            continue
        value: object
        if isinstance(obj, ox.NamedNode):
            value = nodes.setdefault(obj.value, {"@id": obj.value})
            children.add(obj.value)
        elif obj.datatype.value != XSD + "string":
            value = {"@value": obj.value, "@type": obj.datatype.value}
        else:
            value = obj.value
        key = names[predicate.value]
        previous = node.get(key)
        if previous is None:
            node[key] = value
        else:
            node[key] = [*(previous if isinstance(previous, list) else [previous]), value]
    graph = [node for iri, node in nodes.items() if iri not in children]
    document = {"@context": context, "@graph": graph}
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def write_linked_data(table: LinkedTable, vocabulary: Vocabulary, to: str) -> bytes:
    """The table in ``to``, one of :data:`LINKED_DATA_FORMATS`."""
    if to == "turtle":
        return to_turtle(table, vocabulary)
    if to == "jsonld":
        return to_jsonld(table)
    raise NotConvertible(
        Bilingual(
            f"出力形式 {to} には対応していません（{', '.join(LINKED_DATA_FORMATS)}）",
            f"no output format {to!r} (one of {', '.join(LINKED_DATA_FORMATS)})",
        )
    )
