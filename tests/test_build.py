"""``cityref build``: named graphs, OWL-RL entailments, skipping, and the swap for readers."""

from __future__ import annotations

import json
import re
from pathlib import Path

from cityref.store.build import build_store, current_build_dir, open_current
from cityref.store.sources import ModelFiles
from tests.conftest import BASE_IRI, RunCli

GRAPH = BASE_IRI + "graph/"


def _builds(store: Path) -> list[str]:
    return sorted(p.name for p in (store / "builds").iterdir())


def test_build_loads_one_graph_per_file_and_the_entailments(
    run_cli: RunCli, cli_env: dict[str, str]
) -> None:
    result = run_cli("build")
    assert result.exit_code == 0, result.output
    for graph in ("ontology/city", "shapes/facility", "registry/places", "inferred"):
        assert re.search(rf"{re.escape(GRAPH + graph)}\s+\d+", result.output), result.output
    assert re.search(r"7 graphs, \d+ triples in \d+\.\d\d s", result.output)

    store = open_current(Path(cli_env["CITYREF_STORE"]))
    counts = store.stats()
    assert counts[GRAPH + "ontology/city"] == 13
    assert counts[GRAPH + "registry/places"] == 5
    # OWL-RL over the ontology graphs: the School < Shelter < Facility chain is closed,
    # and nothing is said about the xsd or owl built-ins.
    inferred = store.select(
        f"SELECT ?c WHERE {{ GRAPH <{GRAPH}inferred> {{ <https://example.org/toy#School> "
        "<http://www.w3.org/2000/01/rdf-schema#subClassOf> ?c } }"
    )
    assert "https://example.org/toy#Facility" in {row["c"].value for row in inferred}
    builtin = store.select(
        f"SELECT ?s WHERE {{ GRAPH <{GRAPH}inferred> {{ ?s ?p ?o "
        'FILTER(STRSTARTS(STR(?s), "http://www.w3.org/2001/XMLSchema#")) } }'
    )
    assert builtin == []


def test_default_graph_is_the_union_of_all_graphs(run_cli: RunCli, cli_env: dict[str, str]) -> None:
    assert run_cli("build").exit_code == 0
    store = open_current(Path(cli_env["CITYREF_STORE"]))
    rows = store.select(
        # rdf:type is stated in registry/, the subclass axioms in ontology/ and inferred.
        "SELECT ?label WHERE { ?s a/<http://www.w3.org/2000/01/rdf-schema#subClassOf> "
        "<https://example.org/toy#Facility> ; "
        "<http://www.w3.org/2000/01/rdf-schema#label> ?label FILTER(LANG(?label) = 'ja') }"
    )
    assert [r["label"].value for r in rows] == ["第一小学校"]


def test_unchanged_second_build_does_no_work(run_cli: RunCli, cli_env: dict[str, str]) -> None:
    store = Path(cli_env["CITYREF_STORE"])
    assert run_cli("build").exit_code == 0
    first = current_build_dir(store)
    again = run_cli("build")
    assert again.exit_code == 0
    assert "up to date" in again.output
    assert current_build_dir(store) == first
    assert _builds(store) == [first.name]


def test_changed_source_or_force_rebuilds(
    run_cli: RunCli, cli_env: dict[str, str], toy_sources: Path
) -> None:
    store = Path(cli_env["CITYREF_STORE"])
    assert run_cli("build").exit_code == 0
    first = current_build_dir(store)
    assert "up to date" not in run_cli("build", "--force").output
    second = current_build_dir(store)
    assert second != first
    places = toy_sources / "registry" / "places.ttl"
    places.write_text(places.read_text() + "ex:school3 a ex:School .\n")
    result = run_cli("build")
    assert "up to date" not in result.output
    assert f"{GRAPH}registry/places" in result.output
    # The build before the current one stays for readers that still have it open.
    assert _builds(store) == sorted([second.name, current_build_dir(store).name])


def test_parse_error_exits_1_with_position_and_keeps_previous_store(
    run_cli: RunCli, cli_env: dict[str, str], toy_sources: Path
) -> None:
    store = Path(cli_env["CITYREF_STORE"])
    assert run_cli("build").exit_code == 0
    before = current_build_dir(store)
    reader = open_current(store)

    broken = toy_sources / "registry" / "places.ttl"
    lines = broken.read_text().splitlines()
    lines.append("ex:school3 a ex:School ; ex:name .")  # line N: an object is missing
    broken.write_text("\n".join(lines) + "\n")
    bad_line = len(lines)

    result = run_cli("build")
    assert result.exit_code == 1
    match = re.search(r"(\S*places\.ttl):(\d+):(\d+): (.+)", result.stderr)
    assert match, result.stderr
    assert Path(match.group(1)).resolve() == broken.resolve()
    assert int(match.group(2)) == bad_line
    assert int(match.group(3)) == len("ex:school3 a ex:School ; ex:name ") + 1
    assert "previous store is unchanged" in result.stderr
    assert "Traceback" not in result.output

    # Nothing was swapped or left behind, and both old and new readers still answer.
    assert current_build_dir(store) == before
    assert _builds(store) == [before.name]
    assert reader.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"].value != "0"
    answer = run_cli("query", "ASK { <https://example.org/toy#school1> ?p ?o }", "--format", "json")
    assert answer.exit_code == 0
    assert json.loads(answer.stdout)["boolean"] is True


def test_every_broken_file_is_reported(run_cli: RunCli, toy_sources: Path) -> None:
    (toy_sources / "ontology" / "city.ttl").write_text("@prefix ex: <x> .\nex:a ex:b")
    (toy_sources / "shapes" / "facility.ttl").write_text("<https://e/a> <https://e/b> 'x\n")
    result = run_cli("build")
    assert result.exit_code == 1
    assert re.search(r"city\.ttl:\d+:\d+: ", result.stderr)
    assert re.search(r"facility\.ttl:1:\d+: ", result.stderr)


def test_a_reader_keeps_answering_while_a_new_build_swaps_in(
    tmp_path: Path, toy_sources: Path
) -> None:
    store_path = tmp_path / "store"
    build_store(store_path, ModelFiles(toy_sources, BASE_IRI))
    reader = open_current(store_path)
    build_store(store_path, ModelFiles(toy_sources, BASE_IRI), force=True)
    # The previous build is kept for readers like this one (the one before is pruned).
    assert len(reader.select("SELECT * WHERE { ?s ?p ?o }")) > 0


def test_memory_build_writes_nothing(run_cli: RunCli, cli_env: dict[str, str]) -> None:
    result = run_cli("build", "--memory")
    assert result.exit_code == 0, result.output
    assert "7 graphs" in result.output
    assert not Path(cli_env["CITYREF_STORE"]).exists()


def test_info_reports_sources_checksums_counts_and_versions(
    run_cli: RunCli, cli_env: dict[str, str]
) -> None:
    assert run_cli("info").exit_code == 1  # nothing built yet
    assert run_cli("build").exit_code == 0
    text = run_cli("info")
    assert text.exit_code == 0
    for needle in ("pyoxigraph", "rdflib", "cityref", "ontology/city.ttl", GRAPH + "inferred"):
        assert needle in text.output
    doc = json.loads(run_cli("info", "--json").output)
    assert doc["store"] == str(Path(cli_env["CITYREF_STORE"]).resolve())
    assert [s["path"] for s in doc["sources"]] == [  # load order: ontology, shapes, registry
        "ontology/city.ttl",
        "ontology/toy-terms.ttl",
        "shapes/facility.ttl",
        "shapes/toy-facility/profile.ttl",
        "shapes/toy-facility/shapes.ttl",
        "registry/places.ttl",
    ]
    assert all(len(s["sha256"]) == 64 for s in doc["sources"])
    assert doc["graphs"][GRAPH + "ontology/city"] == 13


def test_released_snapshots_stay_out_of_the_default_graph(
    run_cli: RunCli, toy_sources: Path
) -> None:
    notes = toy_sources.parent / "notes.md"
    notes.write_text("# ja\n初版\n# en\nFirst\n", encoding="utf-8")
    assert run_cli("release", "1.0.0", "--notes", str(notes)).exit_code == 0
    assert [p.name for p in (toy_sources / "registry" / "releases").iterdir()] == ["1.0.0.trig"]
    # Read back out of its one file, the release is the tree it was cut from.
    same = run_cli("diff", "1.0.0", "--lang", "en")
    assert same.exit_code == 0 and "0 changes, 0 of them breaking" in same.stdout
    assert run_cli("build").exit_code == 0
    count = "SELECT (COUNT(*) AS ?n) WHERE { <https://example.org/toy#School> ?p ?o }"
    in_default = run_cli("query", count, "--format", "csv").stdout.split()
    in_release = run_cli(
        "query",
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { <https://example.org/toy#School> ?p ?o } "
        'FILTER(CONTAINS(STR(?g), "releases/1.0.0")) }',
        "--format",
        "csv",
    ).stdout.split()
    stated = (
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <%s> { <https://example.org/toy#School> ?p ?o } }"
    )
    in_working = run_cli("query", stated % (GRAPH + "ontology/city"), "--format", "csv")
    assert in_release[1] == in_working.stdout.split()[1] == "4"
    assert int(in_default[1]) >= 4  # the working tree and its entailments, not the release
    assert int(in_default[1]) < 2 * 4 + 10


def test_build_fails_on_a_dangling_reference_naming_file_and_subject(
    run_cli: RunCli, toy_sources: Path, cli_env: dict[str, str]
) -> None:
    assert run_cli("build").exit_code == 0
    good = current_build_dir(Path(cli_env["CITYREF_STORE"]))
    crosswalk = toy_sources / "registry" / "crosswalk.ttl"
    crosswalk.write_text(
        "@prefix reg: <https://w3id.org/cityref/def/registry#> .\n"
        "<https://w3id.org/cityref/registry/crosswalk/x> reg:ourResource "
        "<https://w3id.org/cityref/shapes/api-catalogue/> ;\n"
        "    reg:ofStandard <https://w3id.org/cityref/registry/standard/nowhere> .\n"
        "<https://w3id.org/cityref/def/toy#Park> <http://www.w3.org/2000/01/rdf-schema#seeAlso> "
        "<https://w3id.org/cityref/def/toy#Lake> .\n",
        encoding="utf-8",
    )
    result = run_cli("build")
    assert result.exit_code == 1
    where = f"{crosswalk}: <https://w3id.org/cityref/registry/crosswalk/x>: "
    assert where + "https://w3id.org/cityref/def/registry#ourResource refers to a profile" in (
        result.stderr
    )
    assert "<https://w3id.org/cityref/shapes/api-catalogue/>" in result.stderr
    assert "refers to a standard, version or record the registry" in result.stderr
    assert (
        f"{crosswalk}: <https://w3id.org/cityref/def/toy#Park>: "
        "http://www.w3.org/2000/01/rdf-schema#seeAlso refers to a term the vocabulary"
    ) in result.stderr
    assert "build failed; the previous store is unchanged" in result.stderr
    assert current_build_dir(Path(cli_env["CITYREF_STORE"])) == good


def test_build_fails_on_a_crosswalk_that_contradicts_the_ontology(
    run_cli: RunCli, toy_sources: Path
) -> None:
    crosswalk = toy_sources / "registry" / "crosswalk.ttl"
    crosswalk.write_text(
        "@prefix reg: <https://w3id.org/cityref/def/registry#> .\n"
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "<https://w3id.org/cityref/registry/crosswalk/garden> "
        "reg:ourResource <https://w3id.org/cityref/def/toy#Garden> ;\n"
        "    reg:standardElement <https://schema.org/Park> ; reg:matchKind skos:exactMatch .\n",
        encoding="utf-8",
    )
    terms = toy_sources / "ontology" / "toy-terms.ttl"
    terms.write_text(
        terms.read_text(encoding="utf-8")
        + "toy:Garden <http://www.w3.org/2000/01/rdf-schema#subClassOf> "
        + "<https://schema.org/Park> .\n",
        encoding="utf-8",
    )
    result = run_cli("build", "--memory")
    assert result.exit_code == 1
    assert (
        f"{crosswalk}: <https://w3id.org/cityref/registry/crosswalk/garden>: the crosswalk pairs "
        "<https://w3id.org/cityref/def/toy#Garden> with <https://schema.org/Park> as "
        f"skos:exactMatch, but {terms} states rdfs:subClassOf"
    ) in result.stderr


def test_a_release_dataset_may_not_write_outside_its_own_graphs(
    run_cli: RunCli, toy_sources: Path
) -> None:
    """A release's TriG file naming a working-tree graph would overwrite it: the build fails
    and says which file and which graph."""
    releases = toy_sources / "registry" / "releases"
    releases.mkdir(parents=True)
    (releases / "1.0.0.trig").write_text(
        f"GRAPH <{GRAPH}ontology/city> {{ <urn:a> <urn:b> <urn:c> }}\n", encoding="utf-8"
    )
    result = run_cli("build")
    assert result.exit_code != 0
    assert "1.0.0.trig" in result.output + result.stderr
    assert f"{GRAPH}registry/releases/1.0.0/" in result.output + result.stderr
