"""What the server says about an IRI under the base: the SPARQL that describes it.

A slash IRI (``<base>def/domain/mobility``) is described by its own statements; a module IRI
whose terms are hash IRIs (``<base>def/core`` for ``<base>def/core#Facility``) by the
statements of all its terms, since a fragment never reaches the server; a named graph IRI
(``<base>graph/ontology/core``) by the graph's content. Descriptions use the asserted graphs,
and add the labels of what they link to, so a client can show names without asking again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from cityref.store.oxigraph import RELEASE_GRAPHS

# Characters that may not appear in an IRIREF (SPARQL 1.1 grammar, production 139), and
# the control characters RFC 3987 leaves out of IRIs.
_UNSAFE_IRI = re.compile(r'[\x00-\x20\x7f-\x9f<>"{}|^`\\]')
LABELS = (
    "<http://www.w3.org/2000/01/rdf-schema#label>",
    "<http://www.w3.org/2004/02/skos/core#prefLabel>",
)
DescriptionKind = Literal["resource", "module", "graph"]
#: The graph of a release's record (the first graph of registry/releases/<version>.trig).
RELEASE_RECORD = RELEASE_GRAPHS + "[^/]+/release$"


@dataclass(frozen=True)
class Description:
    """How to describe an IRI: an ASK that says whether it exists and a CONSTRUCT of it."""

    kind: DescriptionKind
    iri: str
    exists_query: str
    construct_query: str


def is_safe_iri(iri: str) -> bool:
    return bool(iri) and _UNSAFE_IRI.search(iri) is None


def _asserted(pattern: str, inferred_graph: str, release: str | None = None) -> str:
    """``pattern`` in the stated graphs: the working tree's, or one release's snapshot."""
    if release is not None:
        snapshot = inferred_graph.removesuffix("inferred") + f"registry/releases/{release}/"
        return f'GRAPH ?g {{ {pattern} }} FILTER(STRSTARTS(STR(?g), "{snapshot}"))'
    # A release's snapshot graphs are left out, not its record (``…/releases/<v>/release``),
    # which says what the release is and exists nowhere else.
    return (
        f"GRAPH ?g {{ {pattern} }} FILTER(?g != <{inferred_graph}> && "
        f'(!CONTAINS(STR(?g), "{RELEASE_GRAPHS}") || REGEX(STR(?g), "{RELEASE_RECORD}")))'
    )


def _with_labels(subject_filter: str, inferred_graph: str, release: str | None) -> str:
    return f"""CONSTRUCT {{ ?s ?p ?o . ?o ?lp ?label }}
WHERE {{
  {{ {subject_filter} {_asserted("?s ?p ?o", inferred_graph, release)} }}
  OPTIONAL {{ ?o ?lp ?label FILTER(?lp IN ({", ".join(LABELS)})) FILTER(isIRI(?o)) }}
}}"""


def describe_resource(iri: str, inferred_graph: str, release: str | None = None) -> Description:
    return Description(
        "resource",
        iri,
        f"ASK {{ {_asserted(f'<{iri}> ?p ?o', inferred_graph, release)} }}",
        # VALUES, not FILTER(?s = …): the engine then looks the subject up instead of
        # reading every statement of the store (60 ms a description with issue 13's model).
        _with_labels(f"VALUES ?s {{ <{iri}> }}", inferred_graph, release),
    )


def describe_module(iri: str, inferred_graph: str, release: str | None = None) -> Description:
    prefix = iri + "#"
    hash_terms = f'FILTER(?s = <{iri}> || STRSTARTS(STR(?s), "{prefix}"))'
    exists = f"""ASK {{ {_asserted("?s ?p ?o", inferred_graph, release)}
  FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{prefix}")) }}"""
    return Description("module", iri, exists, _with_labels(hash_terms, inferred_graph, release))


def describe_graph(iri: str) -> Description:
    return Description(
        "graph",
        iri,
        f"ASK {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}",
    )


def status_query(iri: str, base_iri: str) -> str:
    """SELECT the lifecycle status of a term and its replacement, if any."""
    return f"""SELECT ?status ?replacement WHERE {{
  OPTIONAL {{ <{iri}> <{base_iri}def/core#status> ?status }}
  OPTIONAL {{ <{iri}> <http://purl.org/dc/terms/isReplacedBy> ?replacement }}
}} LIMIT 1"""
