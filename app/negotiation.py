"""Content negotiation: the Accept header (or ``?format=``) to cityref's format names."""

from __future__ import annotations

from werkzeug.datastructures import MIMEAccept

from cityref.results import FormatChoice

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
#: ``?format=`` values: the names cityref uses, and a few common aliases.
FORMAT_ALIASES: dict[str, str] = {
    "json": "json",
    "xml": "xml",
    "csv": "csv",
    "tsv": "tsv",
    "turtle": "turtle",
    "ttl": "turtle",
    "ntriples": "ntriples",
    "nt": "ntriples",
    "jsonld": "jsonld",
    "json-ld": "jsonld",
    "rdfxml": "rdfxml",
    "rdf": "rdfxml",
    "xml-rdf": "rdfxml",
}


def _best(accept: MIMEAccept, table: dict[str, str], default: str) -> str:
    match = accept.best_match(list(table))
    return table[match] if match else default


def choose_formats(accept: MIMEAccept, format_param: str | None) -> FormatChoice | str:
    """A fixed format when ``?format=`` names one; else the best per query form."""
    if format_param:
        name = FORMAT_ALIASES.get(format_param.lower())
        if name is None:
            raise ValueError(
                f"unknown format {format_param!r}; use one of {', '.join(sorted(FORMAT_ALIASES))}"
            )
        return name
    return FormatChoice(
        bindings=_best(accept, BINDINGS_MEDIA_TYPES, "json"),
        graph=_best(accept, GRAPH_MEDIA_TYPES, "turtle"),
    )
