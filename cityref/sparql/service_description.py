"""The SPARQL 1.1 Service Description of cityref's endpoint.

The endpoint's IRI (``sd:endpoint``) is ``<base>sparql``, made from the configured base IRI,
never from the request: a Host header is whatever the client wrote, and an answer that
echoed it could be cached and served to others with an address an attacker chose. The base
is the public name of the model (every IRI under it resolves on the server), so the endpoint
is named under it like everything else.
"""

from __future__ import annotations

import pyoxigraph as ox

from cityref.sparql.results import GRAPH_FORMATS

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
RESULT_FORMAT_IRIS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "JSON-LD",
    "RDF_XML",
)


def endpoint_iri(base_iri: str) -> str:
    """The endpoint's IRI under the configured base (see the module's note)."""
    return base_iri + "sparql"


def service_description(endpoint_url: str, graph_format: str) -> tuple[bytes, str]:
    """The description in ``graph_format`` (a :data:`GRAPH_FORMATS` name) and its media type.

    ``endpoint_url`` is :func:`endpoint_iri` of the configured base, not the request's URL."""
    if graph_format not in GRAPH_FORMATS:
        raise ValueError(f"a service description is a graph; use one of {', '.join(GRAPH_FORMATS)}")
    service = ox.BlankNode("service")
    dataset = ox.BlankNode("dataset")
    default_graph = ox.BlankNode("default")

    def sd(name: str) -> ox.NamedNode:
        return ox.NamedNode(SD + name)

    triples = [
        ox.Triple(service, RDF_TYPE, sd("Service")),
        ox.Triple(service, sd("endpoint"), ox.NamedNode(endpoint_url)),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), default_graph),
        ox.Triple(default_graph, RDF_TYPE, sd("Graph")),
        ox.Triple(
            default_graph,
            RDFS_LABEL,
            ox.Literal("the union of every named graph", language="en"),
        ),
        ox.Triple(
            default_graph, RDFS_LABEL, ox.Literal("すべての名前付きグラフの和", language="ja")
        ),
        ox.Triple(
            service, RDFS_LABEL, ox.Literal("cityref SPARQL endpoint (read-only)", language="en")
        ),
        ox.Triple(
            service,
            RDFS_LABEL,
            ox.Literal("cityref SPARQL エンドポイント（読み取り専用）", language="ja"),
        ),
    ]
    triples += [
        ox.Triple(service, sd("resultFormat"), ox.NamedNode(FORMATS + name))
        for name in RESULT_FORMAT_IRIS
    ]
    rdf_format = GRAPH_FORMATS[graph_format]
    prefixes = {"sd": SD} if rdf_format == ox.RdfFormat.TURTLE else None
    data = ox.serialize(triples, format=rdf_format, prefixes=prefixes) or b""
    return data, rdf_format.media_type
