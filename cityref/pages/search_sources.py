"""What search finds: terms, concepts, profiles and standards, and the profiles' columns.

The first come from the store (:func:`term_entries`, run in the query worker), the columns
from each profile's folder through :mod:`cityref.profiles` (:func:`column_entries`);
:func:`make_index` puts them together once per build."""

from __future__ import annotations

from collections.abc import Iterable

from cityref.pages.browse import Select, with_literal
from cityref.pages.search import Entry, SearchIndex, normalise
from cityref.profiles import Profile, list_profiles
from cityref.profiles.checks import load_check_book
from cityref.profiles.column_tables import METADATA_FILE, read_column_tables
from cityref.store.sources import ModelFiles
from cityref.text import Bilingual

_LABELS = {"label", "prefLabel", "title"}
_SYNONYMS = {"altLabel", "hiddenLabel", "alternative"}
_DEFINITIONS = {"definition", "comment", "description"}
_OWL = "http://www.w3.org/2002/07/owl#"
_PROF = "http://www.w3.org/ns/dx/prof/"
# rdf:type -> kind, the first found in this order wins; a concept of the domain scheme is a
# domain, anything else a record.
_KIND_OF_TYPE = (
    (_OWL + "Class", "class"),
    (_PROF + "Profile", "profile"),
    (_OWL + "ObjectProperty", "property"),
    (_OWL + "DatatypeProperty", "property"),
    (_OWL + "AnnotationProperty", "property"),
    ("http://www.w3.org/1999/02/22-rdf-syntax-ns#Property", "property"),
    ("http://www.w3.org/2004/02/skos/core#Concept", "concept"),
    ("http://purl.org/dc/terms/Standard", "standard"),
    (_OWL + "Ontology", "module"),
)


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def term_entries(select: Select) -> list[Entry]:
    """Every term, concept, profile, standard and record of ours with a label. Of the rest
    under shapes/ (shapes, profile parts), nothing: a profile's columns come from its folder.

    Two plain scans joined here: with OPTIONALs instead, a store holding releases took over
    a minute."""
    ours = f'FILTER(isIRI(?x) && STRSTARTS(STR(?x), "{select.base_iri}"))'
    texts = select(
        select.prefixes
        + f"""SELECT DISTINCT ?x ?p ?text WHERE {{
  VALUES ?p {{ rdfs:label skos:prefLabel skos:altLabel skos:hiddenLabel skos:definition
              rdfs:comment dcterms:title dcterms:alternative dcterms:description }}
  ?x ?p ?text . {ours}
}}"""
    )
    facts = select(
        select.prefixes
        + f"""SELECT DISTINCT ?x ?p ?o WHERE {{
  VALUES ?p {{ rdf:type core:status skos:inScheme }}
  ?x ?p ?o . {ours}
}}"""
    )
    types_of: dict[str, set[str]] = {}
    status_of: dict[str, str] = {}
    for row in facts:
        iri, predicate, value = row["x"].value, _local(row["p"].value), row["o"].value
        if predicate == "status":
            status_of[iri] = _local(value)
        elif predicate == "type" or value == f"{select.base_iri}def/domain/":
            types_of.setdefault(iri, set()).add(value if predicate == "type" else "domain")
    shapes = f"{select.base_iri}shapes/"
    entries: dict[str, Entry] = {}
    for row in texts:
        iri = row["x"].value
        if iri.startswith(shapes) and _PROF + "Profile" not in types_of.get(iri, ()):
            continue
        entry = entries.setdefault(iri, Entry(iri))
        predicate = _local(row["p"].value)
        text = row["text"]
        if predicate in _LABELS:
            entry.label = with_literal(entry.label, text)
        if predicate in _DEFINITIONS:
            entry.definition = with_literal(entry.definition, text)
            entry.definitions.append(normalise(text.value))
        else:
            entry.add_label(text.value, text.lang, synonym=predicate in _SYNONYMS)
    for iri, entry in entries.items():
        entry.kind = _kind(types_of.get(iri, set()))
        entry.status = status_of.get(iri, "")
        entry.finish()
    return [e for e in entries.values() if e.labels]


def _kind(types: set[str]) -> str:
    if "domain" in types:
        return "domain"
    return next((kind for rdf_type, kind in _KIND_OF_TYPE if rdf_type in types), "record")


def column_entries(profiles: Iterable[Profile], model: ModelFiles) -> list[Entry]:
    """The columns of every profile read from a CSVW table (``csv-metadata.json``): the
    column's title and its names in other languages, linked to its place on the profile's
    page."""
    entries = []
    common = model.shapes_dir / "common"
    for profile in profiles:
        if not (profile.directory / METADATA_FILE).is_file():
            continue
        book = load_check_book(common, profile.directory)
        within = Bilingual.from_dict(profile.title)
        for table in read_column_tables(profile.directory, model.base_iri, book):
            for column in table.columns:
                names = {**column.other_labels, column.label_lang: column.title}
                entry = Entry(
                    profile.iri,
                    kind="column",
                    label=Bilingual.from_dict(names),
                    status=profile.status,
                    anchor=f"col-{column.title}",
                    within=within,
                )
                for lang, name in names.items():
                    entry.add_label(name, lang, synonym=False)
                if table.url:  # a table group: the file's name says which table
                    entry.definition = Bilingual(f"{table.url} の列", f"a column of {table.url}")
                entry.finish()
                entries.append(entry)
    return entries


def make_index(terms: list[Entry], model: ModelFiles) -> SearchIndex:
    """The search index of a build: its terms (from :func:`term_entries`) and the columns of
    the profiles of ``model``."""
    return SearchIndex(terms + column_entries(list_profiles(model), model))
