"""The GTFS-JP profile (標準的なバス情報フォーマット 第2版): files, fields, references.

Columns use the tabular notation of :mod:`cityref.profiles.tabular_specs`, plus
``ref=KIND`` (the cell names a row of another file, which must exist) and ``def=KIND`` (the
cell defines such a node by mention, as calendar_dates.txt does for services). Writes
shapes/gtfs-jp/shapes.ttl and csv-metadata.json; profile.ttl and the example feeds are
written by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

from cityref.profiles.authoring import BASE, PREFIXES, ColumnSpec, _lit, parse_column
from cityref.profiles.checks import Bad, Kind, Rule, pattern

PID = "gtfs-jp"
COMMON = "https://w3id.org/cityref/shapes/common/"
GTIME = Kind(
    "08:00:00",
    (
        Rule(
            "gtfs-time",
            pattern(r"^[0-9]{1,2}:[0-5][0-9]:[0-5][0-9]$"),
            "「{col}」はGTFSの時刻（HH:MM:SS、24時以降も可）です。",
            "Field {col} must be a GTFS time (HH:MM:SS, may pass 24:00).",
            Bad("8時", ("Pattern",)),
        ),
    ),
)
GDATE = Kind(
    "20240401",
    (
        Rule(
            "gtfs-date",
            pattern(r"^[0-9]{4}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])$"),
            "「{col}」はGTFSの日付（YYYYMMDD）です。",
            "Field {col} must be a GTFS date (YYYYMMDD).",
            Bad("2024-04-01", ("Pattern",)),
        ),
    ),
)
COLOR = Kind(
    "FFFFFF",
    (
        Rule(
            "hex",
            pattern(r"^[0-9A-Fa-f]{6}$"),
            "「{col}」は6桁の16進数の色です。",
            "Field {col} must be a 6-digit hexadecimal colour.",
            Bad("white", ("Pattern",)),
        ),
    ),
)
EXTRA_KINDS = {"gtime": GTIME, "gdate": GDATE, "color": COLOR}
# Files: (file, required, id kind or None, class name, columns).
FILES: tuple[tuple[str, bool, str | None, str, tuple[str, ...]], ...] = (
    (
        "agency.txt",
        True,
        "agency",
        "Agency",
        (
            "agency_id*",
            "agency_name*",
            "agency_url*:url",
            "agency_timezone*:enum=Asia/Tokyo",
            "agency_lang:enum=ja",
            "agency_phone:tel",
            "agency_fare_url:url",
            "agency_email:email",
        ),
    ),
    (
        "agency_jp.txt",
        False,
        None,
        "AgencyJp",
        (
            "agency_id*:ref=agency",
            "agency_official_name",
            "agency_zip_number:zip",
            "agency_address",
            "agency_president_pos",
            "agency_president_name",
        ),
    ),
    (
        "office_jp.txt",
        False,
        "office",
        "Office",
        ("office_id*", "office_name*", "office_url:url", "office_phone:tel"),
    ),
    (
        "stops.txt",
        True,
        "stop",
        "Stop",
        (
            "stop_id*",
            "stop_code",
            "stop_name*",
            "stop_desc",
            "stop_lat*:lat",
            "stop_lon*:lon",
            "zone_id",
            "stop_url:url",
            "location_type:enum=0|1|2|3|4",
            "parent_station:ref=stop",
            "stop_timezone",
            "wheelchair_boarding:enum=0|1|2",
            "platform_code",
        ),
    ),
    (
        "routes.txt",
        True,
        "route",
        "Route",
        (
            "route_id*",
            "agency_id*:ref=agency",
            "route_short_name",
            "route_long_name",
            "route_desc",
            "route_type*:enum=3|0|1|2|4|5|6|7|11|12",
            "route_url:url",
            "route_color:color",
            "route_text_color:color",
            "route_sort_order:int",
            "jp_parent_route_id",
        ),
    ),
    (
        "routes_jp.txt",
        False,
        None,
        "RouteJp",
        (
            "route_id*:ref=route",
            "route_update_date:gdate",
            "origin_stop",
            "via_stop",
            "destination_stop",
        ),
    ),
    (
        "calendar.txt",
        True,
        "service",
        "Calendar",
        (
            "service_id*:def=service",
            "monday*:flag10",
            "tuesday*:flag10",
            "wednesday*:flag10",
            "thursday*:flag10",
            "friday*:flag10",
            "saturday*:flag10",
            "sunday*:flag10",
            "start_date*:gdate",
            "end_date*:gdate",
        ),
    ),
    (
        "calendar_dates.txt",
        False,
        None,
        "CalendarDate",
        ("service_id*:def=service", "date*:gdate", "exception_type*:enum=1|2"),
    ),
    (
        "shapes.txt",
        False,
        None,
        "ShapePoint",
        (
            "shape_id*:def=shape",
            "shape_pt_lat*:lat",
            "shape_pt_lon*:lon",
            "shape_pt_sequence*:int",
            "shape_dist_traveled:dec",
        ),
    ),
    (
        "trips.txt",
        True,
        "trip",
        "Trip",
        (
            "route_id*:ref=route",
            "service_id*:ref=service",
            "trip_id*",
            "trip_headsign",
            "trip_short_name",
            "direction_id:enum=0|1",
            "block_id",
            "shape_id:ref=shape",
            "wheelchair_accessible:enum=0|1|2",
            "bikes_allowed:enum=0|1|2",
            "jp_trip_desc",
            "jp_trip_desc_symbol",
            "jp_office_id:ref=office",
        ),
    ),
    (
        "stop_times.txt",
        True,
        None,
        "StopTime",
        (
            "trip_id*:ref=trip",
            "arrival_time*:gtime",
            "departure_time*:gtime",
            "stop_id*:ref=stop",
            "stop_sequence*:int",
            "stop_headsign",
            "pickup_type:enum=0|1|2|3",
            "drop_off_type:enum=0|1|2|3",
            "shape_dist_traveled:dec",
            "timepoint:enum=0|1",
        ),
    ),
    (
        "fare_attributes.txt",
        True,
        "fare",
        "Fare",
        (
            "fare_id*",
            "price*:int",
            "currency_type*:enum=JPY",
            "payment_method*:enum=0|1",
            "transfers:enum=0|1|2",
            "agency_id:ref=agency",
            "transfer_duration:int",
        ),
    ),
    (
        "fare_rules.txt",
        True,
        None,
        "FareRule",
        ("fare_id*:ref=fare", "route_id:ref=route", "origin_id", "destination_id", "contains_id"),
    ),
    (
        "feed_info.txt",
        True,
        None,
        "FeedInfo",
        (
            "feed_publisher_name*",
            "feed_publisher_url*:url",
            "feed_lang*:enum=ja",
            "feed_start_date:gdate",
            "feed_end_date:gdate",
            "feed_version",
        ),
    ),
    ("translations.txt", True, None, "Translation", ("trans_id*", "lang*", "translation*")),
)
# Services are named by calendar.txt rows or by mention in calendar_dates.txt; both define
# the class Service, which trips.txt service_id refers to.
CLASS_OF_KIND = {f[2]: f[3] for f in FILES if f[2]} | {"shape": "Shape", "service": "Service"}


def class_iri(name: str) -> str:
    """A GTFS-JP row or node class of the profile."""
    return f"{BASE}{PID}/class/{name}"


def field_iri(file: str, field: str) -> str:
    """The predicate of a field of a file."""
    return f"{BASE}{PID}/column/{file.removesuffix('.txt')}.{field}"


def _split(text: str) -> tuple[str, str | None, str | None]:
    """Column text without ref=/def= and the kind it refers to or defines."""
    if ":ref=" in text:
        base, kind = text.split(":ref=")
        return base, kind, None
    if ":def=" in text:
        base, kind = text.split(":def=")
        return base, None, kind
    return text, None, None


def column_rules(text: str) -> tuple[ColumnSpec, list[Rule], str | None, str | None]:
    """A field's parsed spec, its rules (reference check included), ref and def kinds."""
    plain, ref, defines = _split(text)
    title, _, kind = plain.partition(":")
    if kind in EXTRA_KINDS:
        col = parse_column(title)
        rules = [*col.rules(), *EXTRA_KINDS[kind].rules]
        col = ColumnSpec(col.title, col.required, col.recommended, EXTRA_KINDS[kind], kind)
    else:
        col = parse_column(plain)
        rules = col.rules()
    if ref:
        rules.append(_ref_rule(ref))
    return col, rules, ref, defines


@dataclass(frozen=True)
class RowRule:
    """A rule over several fields of one row, as a node shape on the file's row class."""

    file: str
    key: str
    body: str  # Turtle: the constraint (sh:or …, sh:sparql […])
    ja: str
    en: str
    column: str  # the field results are reported on
    bad: dict[str, str]  # field values that break the rule (and nothing else)
    component: str


def _kana_sparql() -> str:
    lang, text = field_iri("translations.txt", "lang"), field_iri("translations.txt", "translation")
    return (
        f"SELECT $this ?value WHERE {{ $this <{lang}> ?lang ; <{text}> ?value . "
        'FILTER(STR(?lang) = "ja-Hrkt" && !REGEX(STR(?value), '
        '"^[\\u3041-\\u3096\\u30a1-\\u30fa\\u30fc\\u30fb\\u3000 0-9A-Za-z()（）]+$")) }'
    )


ROW_RULES: tuple[RowRule, ...] = (
    RowRule(
        "routes.txt",
        "name",
        f"sh:or ( [ sh:path <{field_iri('routes.txt', 'route_short_name')}> ; sh:minCount 1 ]"
        f" [ sh:path <{field_iri('routes.txt', 'route_long_name')}> ; sh:minCount 1 ] )",
        "routes.txt の route_short_name と route_long_name のどちらかが必要です。",
        "routes.txt needs route_short_name or route_long_name.",
        "route_long_name",
        {"route_short_name": "", "route_long_name": ""},
        "Or",
    ),
    RowRule(
        "translations.txt",
        "reading",
        f"sh:sparql [ a sh:SPARQLConstraint ; sh:select {_lit(_kana_sparql())} ]",
        "lang が ja-Hrkt の translation は読み仮名（ひらがな・カタカナ）で書きます。",
        "A translation with lang ja-Hrkt must be a reading in hiragana or katakana.",
        "translation",
        {"lang": "ja-Hrkt", "translation": "駅前"},
        "SPARQL",
    ),
)


def _row_rule_ttl(rule: RowRule, cls: str) -> str:
    return (
        f"<{BASE}{PID}/shape/{rule.file}/{rule.key}>\n    a sh:NodeShape ;\n"
        f"    sh:targetClass <{class_iri(cls)}> ;\n"
        f"    common:reportColumn {_lit(rule.column)} ;\n"
        f"    {rule.body} ;\n"
        f"    sh:message {_lit(rule.ja, 'ja')} ,\n               {_lit(rule.en, 'en')} .\n"
    )


def shapes_ttl() -> str:
    """Every shape of the profile: one node shape per file, one property shape per rule."""
    out = [
        '# Shapes of profile "gtfs-jp". Written by cityref.profiles.gtfs_spec from its file table.',
        "",
        PREFIXES,
    ]
    for file, _req, _id, cls, columns in FILES:
        props: list[str] = []
        body: list[str] = []
        for text in columns:
            col, rules, _, _ = column_rules(text)
            pred = field_iri(file, col.title)
            body.append(f"<{pred}> rdfs:label {_lit(col.title, 'en')} .\n")
            for rule in rules:
                iri = f"{BASE}{PID}/shape/{file}/{col.title}-{rule.key}"
                props.append(f"<{iri}>")
                label = f"{file} {col.title}"
                body.append(
                    f"<{iri}>\n    a sh:PropertyShape ;\n    sh:path <{pred}> ;\n"
                    f"    {rule.body} ;\n    sh:severity {rule.severity} ;\n"
                    f"    sh:message {_lit(rule.ja.format(col=label), 'ja')} ,\n"
                    f"               {_lit(rule.en.format(col=label), 'en')} .\n"
                )
        out.append(
            f"<{BASE}{PID}/shape/{file}>\n    a sh:NodeShape ;\n"
            f"    rdfs:label {_lit(file + ' の行', 'ja')} , {_lit('row of ' + file, 'en')} ;\n"
            f"    sh:targetClass <{class_iri(cls)}> ;\n"
            "    sh:property " + " ,\n        ".join(props) + " .\n"
        )
        out.extend(body)
        out.extend(_row_rule_ttl(r, cls) for r in ROW_RULES if r.file == file)
    return "\n".join(out)


def _ref_rule(kind: str) -> Rule:
    file = next((f[0] for f in FILES if f[2] == kind), "shapes.txt")
    return Rule(
        "reference",
        f"sh:class <{class_iri(CLASS_OF_KIND[kind])}>",
        f"「{{col}}」が参照する {file} の行がありません。",
        f"Field {{col}} refers to a row of {file} that does not exist.",
        Bad("missing", ("Class",)),
    )


def csv_metadata() -> dict[str, object]:
    """The CSVW table group: one table per GTFS-JP file."""
    tables: list[dict[str, object]] = []
    for file, required, id_kind, cls, columns in FILES:
        cols: list[dict[str, object]] = []
        for text in columns:
            plain, ref, defines = _split(text)
            title = plain.split(":", 1)[0].rstrip("*~")
            kind = plain.split(":", 1)[1] if ":" in plain else "text"
            entry: dict[str, object] = {
                "name": title,
                "titles": title,
                "propertyUrl": field_iri(file, title),
                "datatype": {
                    "lat": "decimal",
                    "lon": "decimal",
                    "dec": "decimal",
                    "int": "integer",
                }.get(kind, "string"),
            }
            if plain.split(":", 1)[0].endswith("*"):
                entry["required"] = True
            if ref or defines:
                entry["valueUrl"] = f"#{ref or defines}={{{title}}}"
            if defines:
                entry[COMMON + "definesClass"] = class_iri(CLASS_OF_KIND[defines])
            cols.append(entry)
        cols.append({"virtual": True, "propertyUrl": "rdf:type", "valueUrl": class_iri(cls)})
        schema: dict[str, object] = {"columns": cols}
        if id_kind:
            schema["aboutUrl"] = f"#{id_kind}={{{id_kind}_id}}"
        table: dict[str, object] = {"url": file, "tableSchema": schema}
        if required:
            table[COMMON + "requiredFile"] = True
        tables.append(table)
    return {
        "@context": "http://www.w3.org/ns/csvw",
        "@id": f"{BASE}{PID}/csv-metadata.json",
        "dc:title": "GTFS-JP (標準的なバス情報フォーマット 第2版)",
        "tables": tables,
    }
