"""The model checks itself as it is built: no dangling reference, no crosswalk that
contradicts the ontology.

A source may point to things of ours by IRI: a term (``<base>def/…``), a profile
(``<base>shapes/<id>/``) or a record of the registry (``<base>registry/…``: a standard, its
version, an agency). Each must be described in the sources, a term in ``ontology/``. And a
crosswalk entry of ``registry/standards/`` pairing one of our terms with a standard's element
must say the same as the ontology when the ontology relates the two: the same SKOS match,
``skos:broadMatch`` for ``rdfs:subClassOf`` / ``rdfs:subPropertyOf``, ``skos:exactMatch`` for
``owl:equivalentClass`` / ``owl:equivalentProperty``. Each finding names the file and the
subject, so ``cityref build`` can say what to fix and where. Released snapshots
(``registry/releases/``) are history: they may name terms the working tree has since removed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cityref.errors import CityrefError
from cityref.store.oxigraph import OxigraphStore
from cityref.text import Bilingual

SKOS = "http://www.w3.org/2004/02/skos/core#"
OWL = "http://www.w3.org/2002/07/owl#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
REG = "def/registry#"
RELEASES = "graph/registry/releases/"
#: The crosswalk match kind each ontology statement from our term to an element implies.
IMPLIED_MATCH = {
    **{SKOS + k: SKOS + k for k in ("exactMatch", "closeMatch", "broadMatch", "narrowMatch")},
    SKOS + "relatedMatch": SKOS + "relatedMatch",
    RDFS + "subClassOf": SKOS + "broadMatch",
    RDFS + "subPropertyOf": SKOS + "broadMatch",
    OWL + "equivalentClass": SKOS + "exactMatch",
    OWL + "equivalentProperty": SKOS + "exactMatch",
}


class ModelInconsistent(CityrefError):
    """A source refers to something the model does not have, or contradicts the ontology."""

    def __init__(self, path: str, subject: str, message: Bilingual) -> None:
        super().__init__(message.prefixed(f"{path}: <{subject}>: "))
        self.path = path
        self.subject = subject


@dataclass(frozen=True)
class _Kind:
    """One kind of reference: the objects it covers and where they must be described."""

    covers: str  # a SPARQL boolean expression over ?o
    described_in: str  # a SPARQL boolean expression over ?dg, the describing graph
    ja: str
    en: str


def _kinds(base: str) -> list[_Kind]:
    graphs = f"{base}graph/"
    return [
        _Kind(
            f'STRSTARTS(STR(?o), "{base}def/") && ?p != <{OWL}versionIRI>',
            f'STRSTARTS(STR(?dg), "{graphs}ontology/")',
            "語彙にない用語を参照しています",
            "refers to a term the vocabulary (ontology/) does not declare",
        ),
        _Kind(
            f'REGEX(STR(?o), "^{base}shapes/[^/]+/$")',
            f'STRSTARTS(STR(?dg), "{graphs}shapes/")',
            "存在しないプロファイルを参照しています",
            "refers to a profile that does not exist (no folder in shapes/ describes it)",
        ),
        _Kind(
            f'STRSTARTS(STR(?o), "{base}registry/")',
            f'STRSTARTS(STR(?dg), "{graphs}registry/")',
            "登録簿にない標準・版・記録を参照しています",
            "refers to a standard, version or record the registry (registry/) does not have",
        ),
    ]


def _rows(store: OxigraphStore, sparql: str) -> list[dict[str, str]]:
    """A SELECT's solutions, each binding as its IRI or lexical value."""
    return [
        {name: str(getattr(term, "value", term)) for name, term in row.items()}
        for row in store.select(sparql)
    ]


def dangling_references(
    store: OxigraphStore, base_iri: str, paths: Mapping[str, str]
) -> list[ModelInconsistent]:
    """Every reference of a source (``paths``: graph IRI → file) to a term, profile or
    registry record of ours that no source describes."""
    found: list[ModelInconsistent] = []
    for kind in _kinds(base_iri):
        rows = _rows(
            store,
            f"""SELECT DISTINCT ?g ?s ?p ?o WHERE {{
  GRAPH ?g {{ ?s ?p ?o }}
  FILTER(isIRI(?o) && {kind.covers} && !STRSTARTS(STR(?g), "{base_iri}{RELEASES}"))
  FILTER NOT EXISTS {{ GRAPH ?dg {{ ?o ?x ?y }} FILTER({kind.described_in}) }}
}} ORDER BY ?g ?s ?p ?o""",
        )
        for row in rows:
            graph = row["g"]
            if graph not in paths:
                continue  # the inferred graph repeats what a source says
            found.append(
                ModelInconsistent(
                    paths[graph],
                    row["s"],
                    Bilingual(
                        f"{row['p']} が {kind.ja}: <{row['o']}>",
                        f"{row['p']} {kind.en}: <{row['o']}>",
                    ),
                )
            )
    return found


def crosswalk_disagreements(
    store: OxigraphStore, base_iri: str, paths: Mapping[str, str]
) -> list[ModelInconsistent]:
    """Every crosswalk entry whose match kind differs from what the ontology states between
    the same term of ours and the same element of the standard."""
    implied = " ".join(f"(<{stated}> <{match}>)" for stated, match in IMPLIED_MATCH.items())
    reg = base_iri + REG
    rows = _rows(
        store,
        f"""SELECT DISTINCT ?g ?entry ?ours ?element ?kind ?stated ?og WHERE {{
  GRAPH ?g {{ ?entry <{reg}ourResource> ?ours ; <{reg}standardElement> ?element ;
                     <{reg}matchKind> ?kind }}
  FILTER(STRSTARTS(STR(?g), "{base_iri}graph/registry/")
         && !STRSTARTS(STR(?g), "{base_iri}{RELEASES}"))
  VALUES (?stated ?implied) {{ {implied} }}
  GRAPH ?og {{ ?ours ?stated ?element }}
  FILTER(STRSTARTS(STR(?og), "{base_iri}graph/ontology/") && ?kind != ?implied)
}} ORDER BY ?g ?entry ?stated""",
    )
    return [
        ModelInconsistent(
            paths.get(row["g"], row["g"]),
            row["entry"],
            Bilingual(
                f"対応表は <{row['ours']}> と <{row['element']}> を "
                f"{_local(row['kind'])} としていますが、"
                f"{paths.get(row['og'], row['og'])} は "
                f"{_local(row['stated'])} と述べています",
                f"the crosswalk pairs <{row['ours']}> with <{row['element']}> as "
                f"{_local(row['kind'])}, but "
                f"{paths.get(row['og'], row['og'])} states "
                f"{_local(row['stated'])}",
            ),
        )
        for row in rows
    ]


def _local(iri: str) -> str:
    """``skos:closeMatch`` for the SKOS, RDFS and OWL IRIs the messages name."""
    for prefix, namespace in (("skos", SKOS), ("rdfs", RDFS), ("owl", OWL)):
        if iri.startswith(namespace):
            return f"{prefix}:{iri.removeprefix(namespace)}"
    return iri


def model_inconsistencies(
    store: OxigraphStore, base_iri: str, paths: Mapping[str, str]
) -> list[ModelInconsistent]:
    """Dangling references, then crosswalks that disagree with the ontology."""
    return [
        *dangling_references(store, base_iri, paths),
        *crosswalk_disagreements(store, base_iri, paths),
    ]
