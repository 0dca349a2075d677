"""Writes the tabular profiles' files from their column tables: profile.ttl, shapes.ttl,
csv-metadata.json and the valid and invalid examples with their expected results.

Run ``python -m cityref.profiles.authoring [SHAPES_DIR]`` after changing
:mod:`cityref.profiles.tabular_specs` or :mod:`cityref.profiles.checks`; a test checks that
the files in git are what this writes. Examples are built from the same rules: one row per
rule that breaks only that rule, so each invalid row's expected results follow from the rule.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from cityref.profiles.checks import KINDS, RECOMMENDED, REQUIRED, Kind, Rule, enum_kind
from cityref.profiles.tabular_specs import SPECS, TabularSpec

BASE = "https://w3id.org/cityref/shapes/"
VERSION = "1.0.0"
PREFIXES = """@prefix rdf:     <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl:     <http://www.w3.org/2002/07/owl#> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
@prefix sh:      <http://www.w3.org/ns/shacl#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix prof:    <http://www.w3.org/ns/dx/prof/> .
@prefix role:    <http://www.w3.org/ns/dx/prof/role/> .
@prefix core:    <https://w3id.org/cityref/def/core#> .
@prefix status:  <https://w3id.org/cityref/def/status/> .
@prefix domain:  <https://w3id.org/cityref/def/domain/> .
@prefix std:     <https://w3id.org/cityref/registry/standard/> .
@prefix common:  <https://w3id.org/cityref/shapes/common/> .
"""


@dataclass(frozen=True)
class ColumnSpec:
    """A parsed column of a table: title, requiredness and kind."""

    title: str
    required: bool
    recommended: bool
    kind: Kind
    kind_name: str

    def rules(self) -> list[Rule]:
        first = [REQUIRED] if self.required else [RECOMMENDED] if self.recommended else []
        return [*first, *self.kind.rules]


def parse_column(text: str) -> ColumnSpec:
    """Parse ``title[*|~][:kind]``."""
    title, _, kind_name = text.partition(":")
    required = title.endswith("*")
    recommended = title.endswith("~")
    title = title.rstrip("*~")
    kind_name = kind_name or "text"
    if kind_name.startswith("enum="):
        kind = enum_kind(tuple(kind_name[5:].split("|")))
    else:
        kind = KINDS[kind_name]
    return ColumnSpec(title, required, recommended, kind, kind_name)


def _lit(text: str, lang: str | None = None) -> str:
    quoted = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{quoted}@{lang}" if lang else quoted


def column_iri(pid: str, title: str) -> str:
    """The predicate of a column of a profile."""
    return f"{BASE}{pid}/column/{title}"


def shape_iri(pid: str, title: str, key: str) -> str:
    """The property shape of one rule on one column."""
    return f"{BASE}{pid}/shape/{title}-{key}"


def profile_ttl(spec: TabularSpec, input_kind: str = "csv") -> str:
    """profile.ttl of a profile (a CSVW descriptor when it reads tables)."""
    iri = f"<{BASE}{spec.id}/>"
    domains = " , ".join(f"domain:{d}" for d in spec.domains)
    tabular = input_kind in ("csv", "gtfs")
    resources = f"<{BASE}{spec.id}/shapes>" + (
        f" , <{BASE}{spec.id}/csv-metadata>" if tabular else ""
    )
    text = f"""# Profile "{spec.id}", written by cityref.profiles.authoring (edit the spec).

{PREFIXES}
{iri}
    a                   prof:Profile ;
    dcterms:identifier  {_lit(spec.id)} ;
    owl:versionInfo     {_lit(VERSION)} ;
    dcterms:title       {_lit(spec.title_ja, "ja")} ,
                        {_lit(spec.title_en, "en")} ;
    dcterms:description {_lit(spec.description_ja, "ja")} ,
                        {_lit(spec.description_en, "en")} ;
    core:domain         {domains} ;
    prof:isProfileOf    std:{spec.standard} ;
    core:status         status:candidate ;
    common:inputKind    {_lit(input_kind)} ;
    prof:hasResource    {resources} .

<{BASE}{spec.id}/shapes>
    a                   prof:ResourceDescriptor ;
    dcterms:title       "検査シェイプ"@ja , "Validation shapes"@en ;
    prof:hasRole        role:validation ;
    dcterms:conformsTo  <http://www.w3.org/ns/shacl#> ;
    prof:hasArtifact    "shapes.ttl"^^xsd:anyURI .
"""
    if tabular:
        text += f"""
<{BASE}{spec.id}/csv-metadata>
    a                   prof:ResourceDescriptor ;
    dcterms:title       "CSVWメタデータ"@ja , "CSVW metadata"@en ;
    prof:hasRole        role:schema ;
    dcterms:conformsTo  <http://www.w3.org/ns/csvw#> ;
    prof:hasArtifact    "csv-metadata.json"^^xsd:anyURI .
"""
    return text


def shapes_ttl(spec: TabularSpec) -> str:
    """shapes.ttl of a tabular profile: one property shape per rule and column."""
    pid = spec.id
    cols = [parse_column(c) for c in spec.columns]
    out = [
        f'# Shapes of profile "{pid}". Written by cityref.profiles.authoring; one property',
        "# shape per rule and column, so each result names the rule and the column it breaks.",
        "",
        PREFIXES,
        f"<{BASE}{pid}/RecordShape>",
        "    a sh:NodeShape ;",
        f"    rdfs:label {_lit(spec.title_ja + ' の行', 'ja')} ,"
        f" {_lit('row of ' + spec.title_en, 'en')} ;",
        f"    sh:targetClass <{BASE}{pid}/Record> ;",
    ]
    props: list[str] = []
    body: list[str] = []
    for col in cols:
        pred = column_iri(pid, col.title)
        body.append(f"<{pred}> rdfs:label {_lit(col.title, 'ja')} .\n")
        for rule in col.rules():
            iri = shape_iri(pid, col.title, rule.key)
            props.append(f"<{iri}>")
            body.append(
                f"<{iri}>\n    a sh:PropertyShape ;\n    sh:path <{pred}> ;\n"
                f"    {rule.body} ;\n    sh:severity {rule.severity} ;\n"
                f"    sh:message {_lit(rule.ja.format(col=col.title), 'ja')} ,\n"
                f"               {_lit(rule.en.format(col=col.title), 'en')} .\n"
            )
    for first, second in spec.ordered:
        iri = shape_iri(pid, first, "order")
        props.append(f"<{iri}>")
        body.append(
            f"<{iri}>\n    a sh:PropertyShape ;\n    sh:path <{column_iri(pid, first)}> ;\n"
            f"    sh:lessThanOrEquals <{column_iri(pid, second)}> ;\n"
            "    sh:severity sh:Violation ;\n"
            f"    sh:message {_lit(f'「{first}」は「{second}」より後にできません。', 'ja')} ,\n"
            "               "
            f"{_lit(f'Column {first} must not be later than column {second}.', 'en')} .\n"
        )
    out.append("    sh:property " + " ,\n        ".join(props) + " .\n")
    titles = {c.title for c in cols}
    if {"緯度", "経度"} <= titles:
        body.append(
            f"<{shape_iri(pid, '緯度', 'swapped')}>\n    a sh:NodeShape ;\n"
            f'    sh:targetClass <{BASE}{pid}/Record> ;\n    common:reportColumn "緯度" ;\n'
            # SHACL Core rather than SPARQL: the compiled engine checks it in one query for
            # all rows, where a SPARQL constraint runs once per row.
            "    sh:not [\n"
            f"        sh:property [ sh:path <{column_iri(pid, '緯度')}> ; sh:minCount 1 ;\n"
            "                      sh:minInclusive 122.0 ; sh:maxInclusive 154.0 ] ;\n"
            f"        sh:property [ sh:path <{column_iri(pid, '経度')}> ; sh:minCount 1 ;\n"
            "                      sh:minInclusive 20.0 ; sh:maxInclusive 46.0 ] ] ;\n"
            '    sh:message "緯度と経度が入れ替わっているようです'
            '（緯度が経度の範囲、経度が緯度の範囲にあります）。"@ja ,\n'
            '               "Latitude and longitude look swapped (the latitude is in the '
            'longitude range and the longitude in the latitude range)."@en .\n'
        )
    return "\n".join(out) + "\n" + "\n".join(body)


def csv_metadata(spec: TabularSpec) -> dict[str, object]:
    """The CSVW metadata (W3C CSV on the Web) of a tabular profile."""
    columns: list[dict[str, object]] = []
    for i, text in enumerate(spec.columns, start=1):
        col = parse_column(text)
        entry: dict[str, object] = {
            "name": f"c{i:02d}",
            "titles": {"ja": [col.title]},
            "propertyUrl": column_iri(spec.id, col.title),
            "datatype": _csvw_datatype(col),
        }
        if col.required:
            entry["required"] = True
        columns.append(entry)
    columns.append(
        {"virtual": True, "propertyUrl": "rdf:type", "valueUrl": f"{BASE}{spec.id}/Record"}
    )
    return {
        "@context": ["http://www.w3.org/ns/csvw", {"@language": "ja"}],
        "@id": f"{BASE}{spec.id}/csv-metadata.json",
        "dc:title": [
            {"@value": spec.title_ja, "@language": "ja"},
            {"@value": spec.title_en, "@language": "en"},
        ],
        "dialect": {"header": True, "encoding": "utf-8"},
        "tableSchema": {"columns": columns},
    }


def _csvw_datatype(col: ColumnSpec) -> str:
    return {
        "lat": "decimal",
        "lon": "decimal",
        "dec": "decimal",
        "int": "integer",
        "date": "date",
        "datetime": "dateTime",
    }.get(col.kind_name, "string")


def _csv(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue()


def examples(spec: TabularSpec) -> dict[str, str]:
    """Example files by relative path: valid rows, one bad row per rule, a bad header."""
    cols = [parse_column(c) for c in spec.columns]
    header = [c.title for c in cols]
    good = [c.kind.good for c in cols]
    minimal = [c.kind.good if c.required or c.recommended else "" for c in cols]
    files = {
        "examples/valid/full.csv": _csv([header, good, good]),
        "examples/valid/required-only.csv": _csv([header, minimal]),
    }
    rows: list[list[str]] = [header]
    expected: list[dict[str, object]] = []
    for i, col in enumerate(cols):
        for rule in col.rules():
            row = list(good)
            row[i] = rule.bad.value
            rows.append(row)
            for comp in rule.bad.components:
                expected.append({"component": comp, "column": col.title, "row": len(rows)})
            # A value of the wrong datatype cannot be compared with its pair (SHACL 4.5.4).
            for first, second in spec.ordered:
                if rule.key == "datatype" and col.title in (first, second):
                    expected.append(
                        {"component": "LessThanOrEquals", "column": first, "row": len(rows)}
                    )
    if {"緯度", "経度"} <= set(header):
        row = list(good)
        lat, lon = header.index("緯度"), header.index("経度")
        row[lat], row[lon] = good[lon], good[lat]
        rows.append(row)
        n = len(rows)
        expected += [
            {"component": "MaxInclusive", "column": "緯度", "row": n},
            {"component": "MinInclusive", "column": "経度", "row": n},
            {"component": "Not", "column": "緯度", "row": n},
        ]
    for first, _second in spec.ordered:
        row = list(good)
        row[header.index(first)] = "2024-04-02"
        rows.append(row)
        expected.append({"component": "LessThanOrEquals", "column": first, "row": len(rows)})
    files["examples/invalid/rules.csv"] = _csv(rows)
    files["examples/invalid/rules.expected.json"] = _expected(expected)
    files.update(_header_example(cols))
    return files


def _header_example(cols: list[ColumnSpec]) -> dict[str, str]:
    """A header with a missing required column, a misspelt one and an unknown one."""
    dropped = next(c for c in cols if c.required)
    kana = next((c for c in cols if c.kind_name == "kana"), None)
    header, row = [], []
    for c in cols:
        if c is dropped:
            continue
        title = c.title.replace("カナ", "ｶﾅ") if c is kana else c.title
        header.append(title)
        row.append(c.kind.good)
    header.append("独自列")
    row.append("x")
    extra = [*row, "余分なセル"]
    exp: list[dict[str, object]] = [
        {"component": "MaxLength", "column": dropped.title, "row": 1},
        {"component": "MaxLength", "column": "独自列", "row": 1},
        {"component": "MinCount", "column": dropped.title, "row": 2},
        {"component": "MinCount", "column": dropped.title, "row": 3},
        {"component": "MaxLength", "column": "（見出しのないセル）", "row": 3},
    ]
    if kana is not None:
        exp.append({"component": "MaxLength", "column": kana.title.replace("カナ", "ｶﾅ"), "row": 1})
    return {
        "examples/invalid/header.csv": _csv([header, row, extra]),
        "examples/invalid/header.expected.json": _expected(exp),
    }


def _expected(results: list[dict[str, object]]) -> str:
    key = sorted(results, key=lambda r: (int(str(r["row"])), str(r["column"]), str(r["component"])))
    return json.dumps({"results": key}, ensure_ascii=False, indent=1) + "\n"


def profile_files(spec: TabularSpec) -> dict[str, str]:
    """Every file of a tabular profile, by path relative to its folder."""
    files = {
        "profile.ttl": profile_ttl(spec),
        "shapes.ttl": shapes_ttl(spec),
        "csv-metadata.json": json.dumps(csv_metadata(spec), ensure_ascii=False, indent=1) + "\n",
    }
    files.update(examples(spec))
    return files


def generated_files() -> dict[str, str]:
    """Every generated file, by path relative to shapes/."""
    from cityref.profiles import gtfs_examples, gtfs_spec
    from cityref.profiles.other_specs import OTHER_SPECS

    files: dict[str, str] = {}
    for spec in SPECS:
        for rel, text in profile_files(spec).items():
            files[f"{spec.id}/{rel}"] = text
    for other, kind in OTHER_SPECS:
        files[f"{other.id}/profile.ttl"] = profile_ttl(other, kind)
    files[f"{gtfs_spec.PID}/shapes.ttl"] = gtfs_spec.shapes_ttl()
    for rel, text in gtfs_examples.rules_feed().items():
        files[f"{gtfs_spec.PID}/{rel}"] = text
    files[f"{gtfs_spec.PID}/csv-metadata.json"] = (
        json.dumps(gtfs_spec.csv_metadata(), ensure_ascii=False, indent=1) + "\n"
    )
    return files


def write_all(shapes_dir: Path) -> list[Path]:
    """Write every generated profile file under ``shapes_dir``; returns the paths written."""
    written: list[Path] = []
    for rel, text in generated_files().items():
        path = shapes_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="")
        written.append(path)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("shapes")
    for p in write_all(target):
        print(p)
