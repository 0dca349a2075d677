"""The standards catalogue (registry/standards/): records, versions, crosswalks, coverage matrix.

The repository's Turtle is loaded into a plain pyoxigraph store, one named graph per file as
``cityref build`` names them, and queried with the default graph as the union of all graphs.
No entailments are added, so every check here holds on the asserted triples alone.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
import pytest

from cityref.store.build import parse_sources
from cityref.store.sources import ModelFiles, discover_sources
from tests.conftest import BASE_IRI, REPO

PREFIXES = f"""
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX adms: <http://www.w3.org/ns/adms#>
PREFIX prof: <http://www.w3.org/ns/dx/prof/>
PREFIX reg: <{BASE_IRI}def/registry#>
"""
STANDARD_NS = BASE_IRI + "registry/standard/"
ONTOLOGY_GRAPHS = BASE_IRI + "graph/ontology/"
SHAPES_GRAPHS = BASE_IRI + "graph/shapes/"
COVERAGE_QUERY = REPO / "docs" / "examples" / "coverage-matrix.rq"

# What counts as a term of ours when it is declared in a graph under ontology/.
TERM_TYPES = (
    "owl:Class", "rdfs:Class", "owl:ObjectProperty", "owl:DatatypeProperty",
    "owl:AnnotationProperty", "rdf:Property", "skos:Concept", "skos:ConceptScheme",
)  # fmt: skip
MATCH_KINDS = frozenset(
    f"http://www.w3.org/2004/02/skos/core#{kind}"
    for kind in ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch")
)


@pytest.fixture(scope="module")
def store() -> Iterator[ox.Store]:
    """Every model source in its own named graph, exactly as ``cityref build`` loads them."""
    loaded = ox.Store()
    model = ModelFiles(REPO, BASE_IRI)
    # parse_sources reads each file as the build does: Turtle, or a release's TriG dataset.
    for _source, graph, triples in parse_sources(discover_sources(REPO), model):
        loaded.extend(
            ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(graph)) for t in triples
        )
    yield loaded


def select(store: ox.Store, query: str) -> list[dict[str, str]]:
    """Rows of a SELECT over the union of all graphs, each binding as its lexical value."""
    solutions = store.query(PREFIXES + query, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [variable.value for variable in solutions.variables]
    rows = []
    for solution in solutions:
        rows.append({n: solution[n].value for n in names if solution[n] is not None})
    return rows


def values(store: ox.Store, query: str, name: str) -> set[str]:
    return {row[name] for row in select(store, query) if name in row}


def standards(store: ox.Store) -> set[str]:
    return values(store, "SELECT ?s WHERE { ?s a dcterms:Standard }", "s")


def without(store: ox.Store, pattern: str) -> list[str]:
    """Standards of the catalogue for which the graph pattern (about ?s) has no match."""
    query = f"SELECT ?s WHERE {{ ?s a dcterms:Standard FILTER NOT EXISTS {{ {pattern} }} }}"
    return sorted(values(store, query, "s"))


# ---------------------------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------------------------


def test_catalogue_holds_at_least_thirty_standards(store: ox.Store) -> None:
    found = standards(store)
    assert len(found) >= 30, sorted(found)
    assert all(iri.startswith(STANDARD_NS) for iri in found), sorted(found)


@pytest.mark.parametrize("language", ["ja", "en"])
def test_every_standard_has_a_title_in_both_languages(store: ox.Store, language: str) -> None:
    pattern = f'?s dcterms:title ?t FILTER(LANG(?t) = "{language}")'
    assert without(store, pattern) == []


def test_every_standard_has_a_publisher_with_labels_in_both_languages(store: ox.Store) -> None:
    pattern = """?s dcterms:publisher ?p .
        ?p rdfs:label ?ja FILTER(LANG(?ja) = "ja")
        ?p rdfs:label ?en FILTER(LANG(?en) = "en")"""
    assert without(store, pattern) == []
    unlabelled = values(
        store,
        """SELECT ?p WHERE { ?s a dcterms:Standard ; dcterms:publisher ?p
            FILTER NOT EXISTS { ?p rdfs:label ?l FILTER(LANG(?l) = "en") } }""",
        "p",
    )
    assert unlabelled == set()


def test_every_standard_has_a_homepage(store: ox.Store) -> None:
    assert without(store, "?s foaf:homepage ?h FILTER(isIRI(?h))") == []


def test_every_standard_has_a_status_from_the_catalogue_scheme(store: ox.Store) -> None:
    assert without(store, "?s adms:status ?x . ?x a reg:StandardStatus") == []
    # Versions that state a status use the same concepts.
    stray = values(
        store,
        """SELECT ?v WHERE { ?v a reg:StandardVersion ; adms:status ?x
            FILTER NOT EXISTS { ?x a reg:StandardStatus } }""",
        "v",
    )
    assert stray == set()


def test_every_standard_serves_a_domain_of_the_reference_model(store: ox.Store) -> None:
    assert without(store, "?s reg:servesDomain ?d") == []
    foreign = values(
        store,
        f"""SELECT ?d WHERE {{ ?s reg:servesDomain ?d
            FILTER NOT EXISTS {{ ?d skos:inScheme <{BASE_IRI}def/domain/> }} }}""",
        "d",
    )
    assert foreign == set()


def test_function_groups_are_the_city_os_function_groups(store: ox.Store) -> None:
    groups = values(
        store,
        f"SELECT ?g WHERE {{ ?g skos:broader <{BASE_IRI}def/scra/cityos> }}",
        "g",
    )
    assert len(groups) == 8, sorted(groups)
    served = values(store, "SELECT ?g WHERE { ?s reg:servesFunctionGroup ?g }", "g")
    assert served, "no standard names a city OS function group"
    assert served <= groups, sorted(served - groups)


def test_versions_belong_to_their_standard_and_say_which_version(store: ox.Store) -> None:
    rows = select(
        store,
        """SELECT ?v ?s ?info ?issued WHERE { ?v a reg:StandardVersion
            OPTIONAL { ?v dcterms:isVersionOf ?s }
            OPTIONAL { ?v owl:versionInfo ?info }
            OPTIONAL { ?v dcterms:issued ?issued } }""",
    )
    assert rows
    catalogue = standards(store)
    for row in rows:
        assert row.get("s") in catalogue, row
        assert "info" in row or "issued" in row, row
    # hasVersion and isVersionOf agree; the current version is one of the versions.
    mismatched = select(
        store,
        """SELECT ?s ?v WHERE {
            { ?s dcterms:hasVersion ?v FILTER NOT EXISTS { ?v dcterms:isVersionOf ?s } }
            UNION { ?v dcterms:isVersionOf ?s FILTER NOT EXISTS { ?s dcterms:hasVersion ?v } }
            UNION { ?s reg:currentVersion ?v FILTER NOT EXISTS { ?s dcterms:hasVersion ?v } } }""",
    )
    assert mismatched == []


# ---------------------------------------------------------------------------------------------
# Crosswalks
# ---------------------------------------------------------------------------------------------


def test_every_crosswalk_entry_is_complete(store: ox.Store) -> None:
    rows = select(
        store,
        """SELECT ?e (COUNT(DISTINCT ?s) AS ?standards) (COUNT(DISTINCT ?ours) AS ?ourSide)
                  (COUNT(DISTINCT ?k) AS ?kinds) (SAMPLE(?k) AS ?kind)
                  (COUNT(DISTINCT ?el) + COUNT(DISTINCT ?name) AS ?elements)
           WHERE { ?e a reg:CrosswalkEntry
              OPTIONAL { ?e reg:ofStandard ?s . ?s a dcterms:Standard }
              OPTIONAL { ?e reg:ourResource ?ours }
              OPTIONAL { ?e reg:matchKind ?k }
              OPTIONAL { ?e reg:standardElement ?el FILTER(isIRI(?el)) }
              OPTIONAL { ?e reg:standardElementName ?name } }
           GROUP BY ?e""",
    )
    assert rows
    incomplete = [
        row
        for row in rows
        if (row["standards"], row["ourSide"], row["kinds"]) != ("1", "1", "1")
        or row.get("kind") not in MATCH_KINDS
        or row["elements"] == "0"
    ]
    assert incomplete == []


def test_crosswalks_point_to_our_terms_or_profiles(store: ox.Store) -> None:
    types = " ".join(TERM_TYPES)
    ours = values(store, "SELECT DISTINCT ?t WHERE { ?e reg:ourResource ?t }", "t")
    defined = values(
        store,
        f"""SELECT DISTINCT ?t WHERE {{
            ?e reg:ourResource ?t .
            GRAPH ?g {{ ?t a ?type }}
            VALUES ?type {{ {types} }}
            FILTER(STRSTARTS(STR(?g), "{ONTOLOGY_GRAPHS}")) }}""",
        "t",
    )
    # A profile counts once shapes/ describes it: a link to a planned one would be a dead end
    # on the standard's page (issue 13: /shapes/api-catalogue/ was one).
    profiles = values(
        store,
        f"""SELECT DISTINCT ?t WHERE {{ ?e reg:ourResource ?t . GRAPH ?g {{ ?t ?p ?o }}
            FILTER(STRSTARTS(STR(?g), "{SHAPES_GRAPHS}")) }}""",
        "t",
    )
    assert sorted(ours - defined - profiles) == []
    assert all(t.startswith(BASE_IRI) for t in ours)


def test_at_least_twenty_standards_have_a_crosswalk(store: ox.Store) -> None:
    with_crosswalk = values(
        store, "SELECT DISTINCT ?s WHERE { ?e a reg:CrosswalkEntry ; reg:ofStandard ?s }", "s"
    )
    assert len(with_crosswalk) >= 20, sorted(with_crosswalk)
    assert with_crosswalk <= standards(store)


def test_profiles_name_standards_of_the_catalogue(store: ox.Store) -> None:
    named = values(
        store,
        f"""SELECT DISTINCT ?s WHERE {{ ?profile prof:isProfileOf ?s
            FILTER(STRSTARTS(STR(?s), "{STANDARD_NS}")) }}""",
        "s",
    )
    assert sorted(named - standards(store)) == []


#: The data sets of the 自治体標準オープンデータセット by the numbers of its definition books
#: (A, B, C/D; 18–21 are not used): each must have a profile in its crosswalk.
MUNICIPAL_DATASET_NUMBERS = frozenset(
    f"{n:02}" for n in (*range(1, 18), *range(22, 32))
)  # fmt: skip


def test_every_municipal_standard_dataset_has_a_profile(store: ox.Store) -> None:
    rows = select(
        store,
        f"""SELECT ?name ?profile WHERE {{
            GRAPH <{BASE_IRI}graph/registry/standards/government> {{
                ?e reg:ofStandard <{STANDARD_NS}municipal-standard-dataset> ;
                   reg:standardElementName ?name ; reg:ourResource ?profile }}
            ?profile a prof:Profile }}""",
    )
    numbers = {row["name"][:2]: row["profile"] for row in rows}
    assert sorted(MUNICIPAL_DATASET_NUMBERS - numbers.keys()) == []
    assert sorted(numbers.keys() - MUNICIPAL_DATASET_NUMBERS) == []


# ---------------------------------------------------------------------------------------------
# Coverage matrix
# ---------------------------------------------------------------------------------------------


def test_coverage_matrix_opens_with_a_comment_in_japanese_and_english() -> None:
    first, second = COVERAGE_QUERY.read_text(encoding="utf-8").splitlines()[:2]
    assert first.startswith("# ") and any("\u3040" <= ch <= "\u9fff" for ch in first)
    assert second.startswith("# ") and second[2:].isascii()


def test_coverage_matrix_has_a_row_for_every_domain_with_a_standard(store: ox.Store) -> None:
    solutions = store.query(
        COVERAGE_QUERY.read_text(encoding="utf-8"), use_default_graph_as_union=True
    )
    assert isinstance(solutions, ox.QuerySolutions)
    rows = [
        {v.value: s[v.value].value for v in solutions.variables if s[v.value] is not None}
        for s in solutions
    ]
    served = values(store, "SELECT ?d WHERE { ?s a dcterms:Standard ; reg:servesDomain ?d }", "d")
    assert {row["domain"] for row in rows} == served
    pairs = select(store, "SELECT ?d ?s WHERE { ?s a dcterms:Standard ; reg:servesDomain ?d }")
    assert {(row["domain"], row["standard"]) for row in rows} == {(p["d"], p["s"]) for p in pairs}
    cells = {(row["domain"], row["standard"]): row for row in rows}
    # A crosswalked profile and a term aligned in the ontology both show up in their cell.
    gtfs_jp = cells[(f"{BASE_IRI}def/domain/mobility", f"{STANDARD_NS}gtfs-jp")]
    assert f"{BASE_IRI}shapes/gtfs-jp/" in gtfs_jp["ourTermsAndProfiles"].split()
    imi = cells[(f"{BASE_IRI}def/domain/government", f"{STANDARD_NS}imi")]
    assert f"{BASE_IRI}def/core#Facility" in imi["ourTermsAndProfiles"].split()
    assert all(row["domainJa"] and row["domainEn"] and row["standardJa"] for row in rows)
