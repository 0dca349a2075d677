"""A small JSON Schema checker for the bodies of the write API.

It knows the keywords the write API's schemas use (:mod:`app.write_schemas`) and nothing
more; :func:`check_keywords` refuses a schema with any other keyword, so the schema the
OpenAPI document publishes can never promise a check that is not made. Each problem comes
back with its JSON pointer (RFC 6901) and what was expected, in English and Japanese.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pyoxigraph as ox

from cityref.text import Bilingual

Schema = Mapping[str, Any]

#: Keywords that check something, and annotations that only describe.
CHECKING_KEYWORDS = frozenset(
    {
        "type",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "minLength",
        "maxLength",
        "minItems",
        "maxItems",
        "enum",
        "pattern",
        "format",
    }
)
ANNOTATIONS = frozenset({"title", "description", "examples", "default"})

#: At most this many problems are reported for one document.
MAX_PROBLEMS = 10

_TYPE_NAMES: dict[str, Bilingual] = {
    "object": Bilingual("オブジェクト", "an object"),
    "array": Bilingual("配列", "an array"),
    "string": Bilingual("文字列", "a string"),
    "integer": Bilingual("整数", "an integer"),
    "number": Bilingual("数値", "a number"),
    "boolean": Bilingual("真偽値", "true or false"),
    "null": Bilingual("null", "null"),
}


def _is_iri(value: str) -> bool:
    try:
        ox.NamedNode(value)
    except ValueError:
        return False
    return True


#: ``format`` values and their checks; an IRI is what Oxigraph accepts as a named node.
FORMATS: dict[str, tuple[Callable[[str], bool], Bilingual]] = {
    "iri": (_is_iri, Bilingual("絶対 IRI（https://… など）", "an absolute IRI (e.g. https://…)")),
}


@dataclass(frozen=True)
class Problem:
    """One place where a document does not match its schema."""

    pointer: str  # "" is the whole document
    expected: Bilingual

    def message(self) -> Bilingual:
        """The problem with where it is, for the error message."""
        where = Bilingual(self.pointer or "（本文）", self.pointer or "(the body)")
        return Bilingual("{where}：{expected}", "{where}: {expected}").format(
            where=where, expected=self.expected
        )


def json_type(value: object) -> str:
    """The JSON type name of a value parsed by :func:`json.loads`."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _has_type(value: object, name: str) -> bool:
    actual = json_type(value)
    return actual == name or (name == "number" and actual == "integer")


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _shown(value: str, limit: int = 40) -> str:
    return repr(value if len(value) <= limit else value[:limit] + "…")


@lru_cache(maxsize=64)
def _compiled(pattern: str) -> re.Pattern[str]:
    # An ECMA-262 '$' ends the text; Python's also matches before a final newline.
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + r"\Z"
    return re.compile(pattern)


def check_keywords(schema: Schema, where: str = "#") -> None:
    """Raise :class:`ValueError` if ``schema`` uses a keyword this module does not check."""
    unknown = set(schema) - CHECKING_KEYWORDS - ANNOTATIONS
    if unknown:
        raise ValueError(f"{where}: keywords not checked by app.json_schema: {sorted(unknown)}")
    if "format" in schema and schema["format"] not in FORMATS:
        raise ValueError(f"{where}: unknown format {schema['format']!r}")
    for name, child in schema.get("properties", {}).items():
        check_keywords(child, f"{where}/properties/{name}")
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), Mapping):
            check_keywords(schema[key], f"{where}/{key}")


def problems(document: object, schema: Schema) -> list[Problem]:
    """Every place (up to :data:`MAX_PROBLEMS`) where ``document`` does not match ``schema``."""
    found: list[Problem] = []
    _check(document, schema, "", found)
    return found[:MAX_PROBLEMS]


def _check(value: object, schema: Schema, pointer: str, found: list[Problem]) -> None:
    if len(found) >= MAX_PROBLEMS:
        return
    expected_type = schema.get("type")
    if expected_type is not None and not _has_type(value, expected_type):
        wrong_type = Bilingual("{expected}が必要です（{got}）", "expected {expected}, got {got}")
        found.append(
            Problem(
                pointer,
                wrong_type.format(
                    expected=_TYPE_NAMES[expected_type], got=_TYPE_NAMES[json_type(value)]
                ),
            )
        )
        return
    if "enum" in schema and value not in schema["enum"]:
        choices = ", ".join(str(c) for c in schema["enum"])
        found.append(
            Problem(
                pointer,
                Bilingual(f"次のいずれかが必要です：{choices}", f"expected one of: {choices}"),
            )
        )
        return
    if isinstance(value, str):
        _check_string(value, schema, pointer, found)
    elif isinstance(value, list):
        _check_array(value, schema, pointer, found)
    elif isinstance(value, dict):
        _check_object(value, schema, pointer, found)


def _check_string(value: str, schema: Schema, pointer: str, found: list[Problem]) -> None:
    least, most = schema.get("minLength"), schema.get("maxLength")
    if least is not None and len(value) < least:
        found.append(
            Problem(
                pointer,
                Bilingual(
                    "空でない文字列が必要です" if least == 1 else f"{least} 文字以上が必要です",
                    "expected a non-empty string"
                    if least == 1
                    else f"expected {least}+ characters",
                ),
            )
        )
    elif most is not None and len(value) > most:
        found.append(
            Problem(
                pointer,
                Bilingual(
                    f"{most} 文字以内にしてください（{len(value)} 文字）",
                    f"expected at most {most} characters, got {len(value)}",
                ),
            )
        )
    elif "pattern" in schema and not _compiled(schema["pattern"]).search(value):
        # A schema's description is one string (it is published as is): "English / 日本語".
        english, _, japanese = str(schema.get("description", schema["pattern"])).partition(" / ")
        found.append(Problem(pointer, _expected(Bilingual(japanese or english, english), value)))
    elif "format" in schema:
        accepts, what = FORMATS[schema["format"]]
        if not accepts(value):
            found.append(Problem(pointer, _expected(what, value)))


def _expected(what: Bilingual, value: str) -> Bilingual:
    return Bilingual("{what}が必要です（{got}）", "expected {what}, got {got}").format(
        what=what, got=_shown(value)
    )


def _check_array(value: list[Any], schema: Schema, pointer: str, found: list[Problem]) -> None:
    least, most = schema.get("minItems"), schema.get("maxItems")
    if least is not None and len(value) < least:
        found.append(
            Problem(
                pointer, Bilingual(f"{least} 個以上の要素が必要です", f"expected {least}+ items")
            )
        )
        return
    if most is not None and len(value) > most:
        found.append(
            Problem(
                pointer,
                Bilingual(
                    f"要素は {most} 個までです（{len(value)} 個）",
                    f"expected at most {most} items, got {len(value)}",
                ),
            )
        )
        return
    items = schema.get("items")
    if isinstance(items, Mapping):
        for index, item in enumerate(value):
            _check(item, items, f"{pointer}/{index}", found)


def _check_object(
    value: dict[str, Any], schema: Schema, pointer: str, found: list[Problem]
) -> None:
    properties: Mapping[str, Schema] = schema.get("properties", {})
    for name in schema.get("required", []):
        if name not in value:
            found.append(
                Problem(
                    f"{pointer}/{_escape(name)}", Bilingual("この項目がありません", "is missing")
                )
            )
    extra = schema.get("additionalProperties", True)
    for name, item in value.items():
        where = f"{pointer}/{_escape(name)}"
        if name in properties:
            _check(item, properties[name], where, found)
        elif extra is False:
            known = ", ".join(properties)
            found.append(
                Problem(
                    where,
                    Bilingual(
                        f"この本文にない項目です（項目：{known}）",
                        f"is not a field of this body; the fields are: {known}",
                    ),
                )
            )
        elif isinstance(extra, Mapping):
            _check(item, extra, where, found)
