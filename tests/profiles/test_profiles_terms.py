"""Every column of every tabular profile (CSV and GTFS) names the Reference Model term its
values are, a property declared in ontology/; every table names the class its rows are; and
the built model says so in SPARQL (``column rdfs:subPropertyOf term``, ``Record
rdfs:subClassOf class``), so two profiles' columns of one term are found together."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from cityref.profiles.registry import Profile, list_profiles
from cityref.store.oxigraph import OxigraphStore
from tests.conftest import BASE_IRI, REPO_MODEL

TABULAR = [p for p in list_profiles(REPO_MODEL) if p.table_schemas()]
PROPERTY_TYPES = ("owl:DatatypeProperty", "owl:ObjectProperty", "rdf:Property")
CLASS_TYPES = ("owl:Class", "rdfs:Class")
PREFIXES = """PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


def _declared(kinds: tuple[str, ...]) -> set[str]:
    store = ox.Store()
    for path in sorted(REPO_MODEL.ontology_dir.rglob("*.ttl")):
        store.load(REPO_MODEL.read(path), format=ox.RdfFormat.TURTLE)
    values = " ".join(kinds)
    rows = store.query(PREFIXES + f"SELECT ?t WHERE {{ VALUES ?k {{ {values} }} ?t a ?k }}")
    assert isinstance(rows, ox.QuerySolutions)
    return {row["t"].value for row in rows if isinstance(row["t"], ox.NamedNode)}


PROPERTIES = _declared(PROPERTY_TYPES)
CLASSES = _declared(CLASS_TYPES)


@pytest.mark.parametrize("profile", TABULAR, ids=[p.id for p in TABULAR])
def test_every_column_names_a_declared_term_and_every_table_a_class(profile: Profile) -> None:
    wrong = []
    for table in profile.table_schemas():
        where = f"{profile.id} {table.url or ''}".strip()
        if table.term_class not in CLASSES:
            wrong.append(f"{where}: termClass {table.term_class or '(none)'} is no declared class")
        for column in table.columns:
            if column.term not in PROPERTIES:
                wrong.append(f"{where} {column.title}: term {column.term or '(none)'}")
    assert not wrong, f"{len(wrong)} without a declared term:\n" + "\n".join(wrong)


def test_the_model_says_which_term_each_column_is(model_store: OxigraphStore) -> None:
    """One query finds the columns of both AED layouts that hold the installation position."""
    rows = model_store.select(
        PREFIXES + f"SELECT ?column WHERE {{ ?column rdfs:subPropertyOf "
        f"<{BASE_IRI}def/core#installationPosition> }}"
    )
    columns = {row["column"].value for row in rows if isinstance(row["column"], ox.NamedNode)}
    assert {
        f"{BASE_IRI}shapes/ods-aed/column/設置位置",
        f"{BASE_IRI}shapes/legacy-aed/column/設置位置",
    } <= columns
    classes = model_store.select(
        PREFIXES + f"SELECT ?c WHERE {{ <{BASE_IRI}shapes/legacy-aed/Record> rdfs:subClassOf ?c }}"
    )
    assert f"{BASE_IRI}def/core#Facility" in {row["c"].value for row in classes}
