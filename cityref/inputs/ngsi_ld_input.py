"""NGSI-LD JSON (normalized or key-values) to RDF, every node named by its JSON pointer.

Terms are expanded with the NGSI-LD core @context shipped in cityref/_data (v1.9.1) and any
inline context objects. A remote @context URL is never fetched: the core context's own URLs
map to the local copy; any other URL is recorded as a finding and its terms fall into the
core context's @vocab, as a broker without that context would read them.

The mapping follows the NGSI-LD JSON-LD structure (attribute → node typed Property /
Relationship / GeoProperty with hasValue / hasObject / observedAt) but is written out here,
not by a general JSON-LD processor, so that each node keeps its pointer.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Sequence
from importlib import resources
from typing import Any

from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, serialize

from cityref.inputs.csv_header import TableSchema
from cityref.inputs.format import (
    Candidate,
    Detection,
    InputFormat,
    ReadInput,
    Upload,
    converted_input,
)
from cityref.inputs.limits import InputLimits
from cityref.inputs.model import COMMON, RDF_TYPE, XSD, Converted, input_error, pointer_iri
from cityref.text import Bilingual
from cityref.validation.nesting import check_json_depth

NGSI = "https://uri.etsi.org/ngsi-ld/"
GEOJSON = "https://purl.org/geojson/vocab#"
CORE_CONTEXT_FILE = "ngsi-ld-core-context-v1.9.1.jsonld"
CORE_CONTEXT_PREFIX = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context"
REMOTE_CONTEXT = COMMON + "remoteContext"
JSON_ID = COMMON + "jsonId"
JSON_TYPE = COMMON + "jsonType"
GEO_TYPE = COMMON + "geoJsonType"
COORDINATES = COMMON + "coordinates"
LONGITUDE = COMMON + "longitude"
LATITUDE = COMMON + "latitude"
ATTRIBUTE_TYPES = {
    "Property",
    "Relationship",
    "GeoProperty",
    "LanguageProperty",
    "VocabProperty",
    "JsonProperty",
    "ListProperty",
    "ListRelationship",
}
GEOMETRIES = {"Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon"}
# Members of an attribute object that are not sub-attributes.
_ATTRIBUTE_MEMBERS = {
    "type",
    "value",
    "object",
    "observedAt",
    "unitCode",
    "datasetId",
    "createdAt",
    "modifiedAt",
    "languageMap",
    "vocab",
    "json",
    "valueList",
    "objectList",
    "objectType",
}
_ENTITY_DATES = {"createdAt", "modifiedAt", "observedAt"}


@functools.lru_cache(maxsize=1)
def core_context() -> dict[str, Any]:
    """The shipped NGSI-LD core @context (the object under "@context")."""
    text = resources.files("cityref._data").joinpath(CORE_CONTEXT_FILE).read_text("utf-8")
    ctx: dict[str, Any] = json.loads(text)["@context"]
    return ctx


def core_context_document() -> bytes:
    """The shipped core context file as it is (for serving or inspection)."""
    return resources.files("cityref._data").joinpath(CORE_CONTEXT_FILE).read_bytes()


class _Terms:
    """Term expansion with the core context plus inline context objects."""

    def __init__(self, inline: list[dict[str, Any]]) -> None:
        self.defs: dict[str, Any] = dict(core_context())
        for ctx in inline:
            self.defs.update(ctx)
        self.vocab = str(self.defs.get("@vocab", NGSI + "default-context/"))

    def iri(self, term: str) -> str:
        d = self.defs.get(term)
        if isinstance(d, dict):
            d = d.get("@id")
        if isinstance(d, str) and not d.startswith("@"):
            return self.compact(d)
        return self.compact(term) if ":" in term else self.vocab + term

    def compact(self, text: str) -> str:
        prefix, _, local = text.partition(":")
        d = self.defs.get(prefix)
        if isinstance(d, str) and not local.startswith("//") and d.endswith(("/", "#")):
            return d + local
        return text


def _is_iri(text: str) -> bool:
    scheme, colon, rest = text.partition(":")
    return bool(
        colon
        and rest
        and scheme[:1].isalpha()
        and " " not in text
        and all(c.isalnum() or c in "+.-" for c in scheme)
    )


def _datetime(text: str) -> Literal:
    try:
        dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return Literal(text)
    return Literal(text, datatype=NamedNode(XSD + "dateTime"))


def _scalar(value: Any) -> Literal:
    if isinstance(value, bool):
        return Literal("true" if value else "false", datatype=NamedNode(XSD + "boolean"))
    if isinstance(value, int):
        return Literal(str(value), datatype=NamedNode(XSD + "integer"))
    if isinstance(value, float):
        return Literal(repr(value), datatype=NamedNode(XSD + "double"))
    return Literal(str(value))


class _Writer:
    def __init__(self, name: str, terms: _Terms) -> None:
        self.name = name
        self.terms = terms
        self.triples: list[Triple] = []
        self.keys: dict[str, str] = {}

    def node(self, pointer: str) -> NamedNode:
        return NamedNode(pointer_iri(self.name, pointer))

    def add(self, s: NamedNode, p: str, o: NamedNode | Literal, key: str | None = None) -> None:
        self.triples.append(Triple(s, NamedNode(p), o))
        if key is not None:
            self.keys.setdefault(p, key)

    def entity(self, doc: dict[str, Any], pointer: str) -> None:
        node = self.node(pointer)
        self.add(node, RDF_TYPE, NamedNode(NGSI + "Entity"))
        if "id" in doc:
            self.add(node, JSON_ID, Literal(str(doc["id"])), "id")
        for t in doc.get("type", []) if isinstance(doc.get("type"), list) else [doc.get("type")]:
            if t is not None:
                self.add(node, JSON_TYPE, Literal(str(t)), "type")
                self.add(node, RDF_TYPE, NamedNode(self.terms.iri(str(t))))
        for key, value in doc.items():
            if key in ("id", "type", "@context"):
                continue
            pred = self.terms.iri(key)
            if key in _ENTITY_DATES and isinstance(value, str):
                self.add(node, pred, _datetime(value), key)
                continue
            self.attribute(node, pred, key, value, f"{pointer}/{_token(key)}")

    def attribute(self, owner: NamedNode, pred: str, key: str, value: Any, pointer: str) -> None:
        if (
            isinstance(value, list)
            and value
            and all(isinstance(v, dict) and v.get("type") in ATTRIBUTE_TYPES for v in value)
        ):
            for i, v in enumerate(value):  # multi-attribute (several datasetIds)
                self.attribute(owner, pred, key, v, f"{pointer}/{i}")
            return
        node = self.node(pointer)
        self.add(owner, pred, node, key)
        if isinstance(value, dict) and value.get("type") in ATTRIBUTE_TYPES:
            kind = str(value["type"])
            self.add(node, RDF_TYPE, NamedNode(NGSI + kind))
            self.members(node, value, pointer)
            return
        # key-values form: the bare value of a Property (a GeoProperty when it is GeoJSON)
        geo = isinstance(value, dict) and value.get("type") in GEOMETRIES
        self.add(node, RDF_TYPE, NamedNode(NGSI + ("GeoProperty" if geo else "Property")))
        self.value(node, NGSI + "hasValue", "value", value, pointer, geo)

    def members(self, node: NamedNode, attr: dict[str, Any], pointer: str) -> None:
        geo = attr.get("type") == "GeoProperty"
        for key, v in attr.items():
            sub = f"{pointer}/{_token(key)}"
            if key == "type":
                continue
            if key == "value":
                self.value(node, NGSI + "hasValue", "value", v, sub, geo)
            elif key == "object":
                for obj in v if isinstance(v, list) else [v]:
                    o = (
                        NamedNode(str(obj))
                        if isinstance(obj, str) and _is_iri(obj)
                        else _scalar(obj)
                    )
                    self.add(node, NGSI + "hasObject", o, "object")
            elif key in ("observedAt", "createdAt", "modifiedAt"):
                self.add(node, self.terms.iri(key), _datetime(str(v)), key)
            elif key in _ATTRIBUTE_MEMBERS:
                self.value(node, self.terms.iri(key), key, v, sub, False)
            else:  # a property of the property
                self.attribute(node, self.terms.iri(key), key, v, sub)

    def value(self, node: NamedNode, pred: str, key: str, v: Any, pointer: str, geo: bool) -> None:
        if isinstance(v, list):
            if not v:
                return
            if all(not isinstance(x, (dict, list)) for x in v):
                for x in v:
                    self.add(node, pred, _scalar(x), key)
                return
            for i, x in enumerate(v):
                self.value(node, pred, key, x, f"{pointer}/{i}", geo)
            return
        if isinstance(v, dict):
            if "@value" in v:
                lit = str(v["@value"])
                typed = v.get("@type") == "DateTime"
                self.add(node, pred, _datetime(lit) if typed else Literal(lit), key)
                return
            inner = self.node(pointer)
            self.add(node, pred, inner, key)
            if geo:
                self.geometry(inner, v)
                return
            for k, x in v.items():
                if k == "type":
                    self.add(inner, RDF_TYPE, NamedNode(self.terms.iri(str(x))))
                    continue
                self.value(inner, self.terms.iri(k), k, x, f"{pointer}/{_token(k)}", False)
            return
        if v is None:
            return
        self.add(node, pred, _scalar(v), key)

    def geometry(self, node: NamedNode, v: dict[str, Any]) -> None:
        gtype = v.get("type")
        self.add(node, GEO_TYPE, Literal(str(gtype)), "type")
        if "coordinates" in v:
            self.add(node, COORDINATES, Literal(json.dumps(v["coordinates"])), "coordinates")
            c = v["coordinates"]
            if gtype == "Point" and isinstance(c, list) and len(c) >= 2:
                for axis, pred in ((0, LONGITUDE), (1, LATITUDE)):
                    x = c[axis]
                    lit = (
                        Literal(str(x), datatype=NamedNode(XSD + "decimal"))
                        if isinstance(x, (int, float)) and not isinstance(x, bool)
                        else Literal(str(x))
                    )
                    self.add(node, pred, lit, "coordinates")


def _token(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _contexts(doc: Any, name: str, pointer: str) -> tuple[list[dict[str, Any]], list[str]]:
    """Inline context objects and remote URLs that are not the core context."""
    raw = doc.get("@context") if isinstance(doc, dict) else None
    items = raw if isinstance(raw, list) else [raw] if raw is not None else []
    inline: list[dict[str, Any]] = []
    remote: list[str] = []
    for item in items:
        if isinstance(item, dict):
            inline.append(item)
        elif isinstance(item, str) and not item.startswith(CORE_CONTEXT_PREFIX):
            remote.append(item)
        elif not isinstance(item, str):
            raise input_error(
                f"{pointer}/@context の値が文字列でもオブジェクトでもありません",
                f"{pointer}/@context holds something that is neither a URL nor an object",
                name,
            )
    return inline, remote


def convert_ngsi_ld(data: bytes, name: str) -> Converted:
    """RDF for an NGSI-LD entity or array of entities (nested at most
    :data:`~cityref.validation.nesting.MAX_NESTING_DEPTH` deep: the reader recurses)."""
    check_json_depth(data, name)
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise input_error(
            f"UTF-8として読めません（バイト位置 {exc.start}）",
            f"not UTF-8 text (byte offset {exc.start})",
            name,
        ) from None
    except json.JSONDecodeError as exc:
        raise input_error(
            f"JSONとして読めません: {exc.msg}（{exc.lineno}行 {exc.colno}列）",
            f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
            name,
            exc.lineno,
        ) from None
    entities = list(enumerate(doc)) if isinstance(doc, list) else [(None, doc)]
    triples: list[Triple] = []
    keys: dict[str, str] = {}
    for index, entity in entities:
        pointer = "" if index is None else f"/{index}"
        if not isinstance(entity, dict):
            raise input_error(
                f"{pointer or '/'} はJSONオブジェクトではありません（エンティティが必要です）",
                f"{pointer or '/'} is not a JSON object (an entity is expected)",
                name,
            )
        inline, remote = _contexts(entity, name, pointer)
        writer = _Writer(name, _Terms(inline))
        for url in remote:
            writer.add(writer.node(f"{pointer}/@context"), REMOTE_CONTEXT, Literal(url))
        writer.entity(entity, pointer)
        triples.extend(writer.triples)
        for k, v in writer.keys.items():
            keys.setdefault(k, v)
    return Converted(
        name=name,
        format="ngsi-ld",
        ntriples=serialize(triples, format=RdfFormat.N_TRIPLES) or b"",
        triple_count=len(triples),
        columns=keys,
        findings_naming_column=frozenset({REMOTE_CONTEXT}),
        checked={name: len(entities)},
        checked_unit="entities",
    )


def read_ngsi_ld(upload: Upload, tables: Sequence[TableSchema], limits: InputLimits) -> ReadInput:
    """NGSI-LD entities read as they are (no tables: the shapes say what they need)."""
    return converted_input(convert_ngsi_ld(upload.data, upload.name))


def detect_ngsi_ld(
    upload: Upload, candidates: Sequence[Candidate], limits: InputLimits
) -> Detection:
    """The first NGSI-LD profile when the JSON holds entities (objects with id and type)."""
    check_json_depth(upload.data, upload.name)  # json.loads recurses: 1,000 levels crashed it
    try:
        doc = json.loads(upload.data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return Detection(None, 0.0, Bilingual("JSONではありません", f"not JSON ({exc})"))
    entities = doc if isinstance(doc, list) else [doc]
    typed = [e for e in entities if isinstance(e, dict) and "type" in e and "id" in e]
    if not typed or not candidates:
        return Detection(
            None,
            0.0,
            Bilingual(
                "NGSI-LDのエンティティ（id と type）がありません",
                "JSON without NGSI-LD entities (id and type)",
            ),
        )
    types = ", ".join(sorted({str(e["type"]) for e in typed}))
    return Detection(
        candidates[0].profile_id,
        1.0,
        Bilingual(f"NGSI-LDエンティティ（type: {types}）", f"NGSI-LD entities of type {types}"),
    )


def _looks_like_json(head: bytes) -> bool:
    """A JSON object or array: the first character after a BOM and white space."""
    return head.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] in (b"{", b"[")


NGSI_LD_FORMAT = InputFormat(
    id="ngsi-ld",
    title=Bilingual(
        "NGSI-LD エンティティ（JSON、normalized または key-values）",
        "NGSI-LD entities (JSON, normalized or key-values)",
    ),
    media_types=("application/json", "application/ld+json"),
    suffixes=(".json", ".jsonld"),
    sniff=_looks_like_json,
    read=read_ngsi_ld,
    detect=detect_ngsi_ld,
    context=core_context,
)
