"""Content negotiation: the Accept header (or ``?format=``) to cityref's format names."""

from __future__ import annotations

from werkzeug.datastructures import MIMEAccept

from cityref.sparql.results import FormatChoice

BINDINGS_MEDIA_TYPES: dict[str, str] = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_MEDIA_TYPES: dict[str, str] = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/n-triples": "ntriples",
    "text/plain": "ntriples",
    "application/ld+json": "jsonld",
    "application/rdf+xml": "rdfxml",
}
#: ``?format=`` values, for each query form (``None``: no such format for that form). Names
#: such as ``xml`` and ``json`` mean the matching format of either form, as SPARQLWrapper
#: and other clients expect.
FORMAT_PARAMETERS: dict[str, tuple[str | None, str | None]] = {
    "json": ("json", "jsonld"),
    "xml": ("xml", "rdfxml"),
    "csv": ("csv", None),
    "tsv": ("tsv", None),
    "turtle": (None, "turtle"),
    "ttl": (None, "turtle"),
    "ntriples": (None, "ntriples"),
    "nt": (None, "ntriples"),
    "jsonld": (None, "jsonld"),
    "json-ld": (None, "jsonld"),
    "rdfxml": (None, "rdfxml"),
    "rdf": (None, "rdfxml"),
}


def _best(accept: MIMEAccept, table: dict[str, str], default: str) -> str:
    match = accept.best_match(list(table))
    return table[match] if match else default


def choose_formats(accept: MIMEAccept, format_param: str | None) -> FormatChoice:
    """The format of each query form: from ``?format=`` when given, else from Accept."""
    if format_param:
        choice = FORMAT_PARAMETERS.get(format_param.lower())
        if choice is None:
            known = ", ".join(sorted(FORMAT_PARAMETERS))
            raise ValueError(f"unknown format {format_param!r}; use one of {known}")
        return FormatChoice(bindings=choice[0], graph=choice[1])
    return FormatChoice(
        bindings=_best(accept, BINDINGS_MEDIA_TYPES, "json"),
        graph=_best(accept, GRAPH_MEDIA_TYPES, "turtle"),
    )
