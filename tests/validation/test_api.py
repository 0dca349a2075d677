"""The validation API: inputs, fidelity of terms, errors, options and report renderings."""

from __future__ import annotations

import json

import pyoxigraph
import pytest
import rdflib

from cityref.validation import (
    DoctypeRefused,
    Document,
    Engine,
    InputTooLarge,
    Language,
    RdfSyntaxError,
    Report,
    UnsupportedFormat,
    ValidationOptions,
    ValidationTimeout,
    validate,
    validate_documents,
    validate_store,
)

P = """@prefix ex: <http://example.org/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""

SHAPES = (
    P
    + """
ex:name rdfs:label "name"@en , "名称"@ja .
ex:FacilityShape a sh:NodeShape ; sh:targetClass ex:Facility ;
  sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:minLength 2 ] ;
  sh:property [ sh:path ex:cap ; sh:datatype xsd:int ;
                sh:message "収容人数は xsd:int"@ja , "capacity must be an xsd:int"@en ] .
"""
).encode()

DATA = (
    P
    + """
ex:a a ex:Facility ; rdfs:label "City Hall"@en , "市役所"@ja ; ex:name "x" ; ex:cap "12"^^xsd:int .
ex:b a ex:Facility ; ex:cap "abc" .
"""
).encode()


def run(data: str | bytes, shapes: str | bytes, **options: object) -> Report:
    d = data.encode() if isinstance(data, str) else data
    s = shapes.encode() if isinstance(shapes, str) else shapes
    settings: dict[str, object] = {"max_results": None, **options}
    return validate(d, "turtle", s, "turtle", ValidationOptions(**settings))  # type: ignore[arg-type]


def keys(report: Report) -> set[tuple[str, str, str | None]]:
    return {
        (str(r.focus), r.component_name, str(r.value) if r.value is not None else None)
        for r in report.results
    }


def test_results_and_engine_name() -> None:
    report = run(DATA, SHAPES)
    assert not report.conforms
    assert report.engine == "compiled"
    assert keys(report) == {
        ("<http://example.org/a>", "MinLength", '"x"'),
        ("<http://example.org/b>", "MinCount", None),
        ("<http://example.org/b>", "Datatype", '"abc"'),
    }
    assert run(DATA, SHAPES, engine=Engine.PYSHACL).engine == "pyshacl"
    assert keys(run(DATA, SHAPES, engine=Engine.PYSHACL)) == keys(report)


def test_literals_keep_their_lexical_form_and_datatype() -> None:
    # Oxigraph's store would turn "05" into "5", xsd:int into xsd:integer, "1" into "true".
    data = P + (
        'ex:s ex:i "05"^^xsd:integer , "5"^^xsd:int ; ex:b "1"^^xsd:boolean ; '
        'ex:d "1.50"^^xsd:decimal .'
    )
    shapes = P + (
        "ex:S a sh:NodeShape ; sh:targetNode ex:s ;\n"
        '  sh:property [ sh:path ex:i ; sh:in ( "05"^^xsd:integer ) ] ;\n'
        "  sh:property [ sh:path ex:i ; sh:datatype xsd:int ] ;\n"
        '  sh:property [ sh:path ex:b ; sh:hasValue "1"^^xsd:boolean ; sh:pattern "^1$" ] ;\n'
        "  sh:property [ sh:path ex:d ; sh:maxLength 3 ; sh:maxInclusive 1.5 ] ."
    )
    report = run(data, shapes)
    assert keys(report) == {
        ("<http://example.org/s>", "In", '"5"^^<http://www.w3.org/2001/XMLSchema#int>'),
        ("<http://example.org/s>", "Datatype", '"05"^^<http://www.w3.org/2001/XMLSchema#integer>'),
        (
            "<http://example.org/s>",
            "MaxLength",
            '"1.50"^^<http://www.w3.org/2001/XMLSchema#decimal>',
        ),
    }


def test_blank_nodes_and_tricky_strings() -> None:
    data = P + (
        'ex:s ex:p [ ex:q "ends with _:b0 ." ] , "a \\" _:x" , "line\\nbreak" .\n_:z ex:p "_:y" .'
    )
    shapes = P + (
        "ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:p ;\n"
        "  sh:property [ sh:path ex:p ; sh:nodeKind sh:Literal ; sh:maxLength 7 ] ;\n"
        '  sh:property [ sh:path ( ex:p ex:q ) ; sh:hasValue "ends with _:b0 ." ] .'
    )
    report = run(data, shapes)

    def shown(t: object) -> object:
        return t if isinstance(t, pyoxigraph.Literal) or t is None else type(t).__name__

    found = sorted(
        (type(r.focus).__name__, r.component_name, repr(shown(r.value))) for r in report.results
    )
    assert found == sorted(
        [
            ("NamedNode", "NodeKind", "'BlankNode'"),
            ("NamedNode", "MaxLength", "'BlankNode'"),  # blank nodes have no string form
            ("NamedNode", "MaxLength", repr(pyoxigraph.Literal("line\nbreak"))),
            ("BlankNode", "HasValue", "None"),  # _:z has no ex:p/ex:q value
        ]
    )


def test_union_of_documents_and_dataset_formats() -> None:
    nq = b'<http://example.org/b> <http://example.org/name> "yy" <http://example.org/g> .\n'
    jsonld = json.dumps(
        {
            "@id": "http://example.org/b",
            "@type": "http://example.org/Facility",
            "http://example.org/cap": {
                "@value": "7",
                "@type": "http://www.w3.org/2001/XMLSchema#int",
            },
        }
    ).encode()
    report = validate_documents(
        [Document(nq, "nquads", "a.nq"), Document(jsonld, "application/ld+json", "b.jsonld")],
        Document(SHAPES, "turtle", "shapes.ttl"),
    )
    assert report.conforms


def test_validate_store_copies_the_store() -> None:
    store = pyoxigraph.Store()
    store.load(DATA, pyoxigraph.RdfFormat.TURTLE)
    before = len(store)
    report = validate_store(store, Document(SHAPES, "turtle"))
    # The store already turned "12"^^xsd:int into "12"^^xsd:integer (documented): 4 results.
    assert len(report.results) == 4
    assert len(store) == before


def test_syntax_error_names_line_and_column() -> None:
    broken = b"<http://a> <http://b> <http://c> .\n<http://a> <http://b> <http://c> <http://d> .\n"
    with pytest.raises(RdfSyntaxError) as caught:
        validate_documents([Document(broken, "turtle", "d.ttl")], Document(SHAPES, "turtle"))
    assert caught.value.location is not None
    assert str(caught.value).startswith("d.ttl:2:")


def test_refusals() -> None:
    xml = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e "x">]><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>'
    with pytest.raises(DoctypeRefused):
        validate(xml, "rdfxml", SHAPES, "turtle")
    with pytest.raises(UnsupportedFormat):
        validate(DATA, "text/csv", SHAPES, "turtle")
    with pytest.raises(InputTooLarge):
        validate(DATA, "turtle", SHAPES, "turtle", ValidationOptions(max_input_bytes=100))


def test_time_limit_stops_the_worker() -> None:
    # Enough facilities that validation cannot finish in a millisecond.
    rows = "\n".join(f'ex:f{i} a ex:Facility ; ex:name "n{i}" ; ex:cap {i} .' for i in range(20000))
    with pytest.raises(ValidationTimeout):
        validate(
            (P + rows).encode(), "turtle", SHAPES, "turtle", ValidationOptions(time_limit=0.001)
        )
    # ... and under the limit the worker's report comes back whole.
    report = validate(DATA, "turtle", SHAPES, "turtle", ValidationOptions(time_limit=60))
    assert len(report.results) == 3


def test_result_cap() -> None:
    report = run(DATA, SHAPES, max_results=1)
    assert report.truncated and len(report.results) == 1
    assert json.loads(report.to_json())["truncated"] is True


def test_inference_adds_rdfs_entailments() -> None:
    data = (
        P
        + 'ex:b a ex:Facility ; ex:label2 "ok" ; ex:cap "1"^^xsd:int .\n'
        + "ex:label2 rdfs:subPropertyOf ex:name ."
    )
    assert not run(data, SHAPES).conforms
    assert run(data, SHAPES, inference=True).conforms
    assert run(data, SHAPES, inference=True, engine=Engine.PYSHACL).conforms


def test_renderings() -> None:
    report = run(DATA, SHAPES, base_iri="https://example.org/city/")
    g = rdflib.Graph().parse(data=report.to_turtle(), format="turtle")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    assert (None, sh.conforms, rdflib.Literal(False)) in g
    assert len(list(g.objects(None, sh.result))) == 3
    assert len(rdflib.Graph().parse(data=report.to_jsonld(), format="json-ld")) == len(g)
    data = json.loads(report.to_json(Language.JA))
    assert data["schema"] == "https://example.org/city/schemas/validation-report/1"
    assert data["version"] == 1
    assert data["summary"] == {"results": 3, "violations": 3, "warnings": 0, "infos": 0}
    by_component = {r["component"]: r for r in data["results"]}
    assert (
        by_component["MinLength"]["message"]
        == '「名称」は 2 文字以上であるべきですが、"x" でした。'
    )
    assert by_component["MinLength"]["focusLabel"] == "市役所"
    assert by_component["Datatype"]["message"] == "収容人数は xsd:int"
    text_en = report.to_text(Language.EN)
    assert "'name' needs at least 1 value(s); found 0." in text_en
    assert "City Hall" in text_en
    assert "対象ノード: 市役所" in report.to_text(Language.JA)
    page = report.to_html(Language.JA)
    assert page.startswith("<!DOCTYPE html>") and '<a href="http://example.org/a">' in page
    assert "<script" not in page


def test_html_escapes_data() -> None:
    data = P + 'ex:a a ex:Facility ; ex:name "ok" ; ex:cap "<script>alert(1)</script>" .'
    page = run(data, SHAPES).to_html()
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_ontology_gives_hierarchy_and_labels() -> None:
    ontology = (
        P + 'ex:Park rdfs:subClassOf ex:Facility .\nex:name rdfs:label "施設名"@ja .'
    ).encode()
    data = (P + "ex:p a ex:Park .").encode()
    shapes = Document(SHAPES, "turtle", "shapes.ttl")
    for engine in (Engine.COMPILED, Engine.PYSHACL):
        report = validate_documents(
            [Document(data, "turtle")],
            shapes,
            ValidationOptions(engine=engine, language=Language.JA),
            ontology=Document(ontology, "turtle", "ontology.ttl"),
        )
        assert [r.component_name for r in report.results] == ["MinCount"], engine
        assert "「名称」" in report.to_text(Language.JA)  # the shapes graph's label comes first


def test_advanced_features_fall_back_to_pyshacl() -> None:
    shapes = P + (
        "ex:S a sh:NodeShape ;\n"
        '  sh:target [ a sh:SPARQLTarget ; sh:select "SELECT ?this WHERE { ?this ex:p ?o }" ] ;\n'
        "  sh:property [ sh:path ex:q ; sh:minCount 1 ] ."
    )
    report = run(P + "ex:a ex:p 1 .", shapes)
    assert report.engine == "pyshacl"
    assert [r.component_name for r in report.results] == ["MinCount"]


def test_remote_json_ld_context_is_never_fetched() -> None:
    doc = b'{"@context": "https://schema.org/", "@id": "http://example.org/a", "name": "x"}'
    with pytest.raises(RdfSyntaxError, match="remote context"):
        validate(doc, "jsonld", SHAPES, "turtle")
