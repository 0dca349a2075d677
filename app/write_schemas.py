"""The JSON schemas of the write API's bodies: one source of truth.

:mod:`app.registry` checks every body against these before anything is written, and
:mod:`app.openapi` publishes the same objects, so the documentation and the checks cannot
drift apart. Only the keywords :mod:`app.json_schema` checks may be used (it refuses others).
"""

from __future__ import annotations

from typing import Any

from app.json_schema import check_keywords
from cityref.registry.proposals import KINDS
from cityref.registry.records import DOMAIN_PATTERN, PROFILE_REF_PATTERN, SYSTEM_ID_PATTERN

#: The largest body the write API reads: a proposal's patch is text, not a data upload.
MAX_WRITE_BODY_BYTES = 4 * 1024 * 1024

_SHORT_TEXT = {"type": "string", "maxLength": 500}
_LONG_TEXT = {"type": "string", "maxLength": 20_000}
_PATCH = {
    "type": "string",
    "maxLength": MAX_WRITE_BODY_BYTES,
    "description": "TriG text; a statement's graph names the source file it changes.",
}

PROPOSAL: dict[str, Any] = {
    "title": "New proposal",
    "type": "object",
    "required": ["kind", "proposer", "rationale"],
    "additionalProperties": False,
    "properties": {
        "kind": {"type": "string", "enum": list(KINDS)},
        "proposer": {**_SHORT_TEXT, "minLength": 1},
        "rationale": {
            "type": "object",
            "description": "Why, in Japanese and English.",
            "required": ["ja", "en"],
            "additionalProperties": False,
            "properties": {
                "ja": {**_LONG_TEXT, "minLength": 1},
                "en": {**_LONG_TEXT, "minLength": 1},
            },
        },
        "evidence": {
            "type": "array",
            "description": "Texts or links (http(s) links must be valid IRIs).",
            "maxItems": 100,
            "items": {"type": "string", "maxLength": 2_000},
        },
        "targets": {
            "type": "array",
            "description": "The terms or shapes changed; default: the patch's subjects.",
            "maxItems": 1_000,
            "items": {"type": "string", "format": "iri", "maxLength": 2_000},
        },
        "additions": _PATCH,
        "deletions": _PATCH,
    },
}

SYSTEM: dict[str, Any] = {
    "title": "System to register",
    "type": "object",
    "required": ["id", "vendor", "product", "version"],
    "additionalProperties": False,
    "properties": {
        "id": {
            "type": "string",
            "pattern": SYSTEM_ID_PATTERN,
            "description": (
                "a system id (lower-case letters, digits and '-', up to 63) / "
                "システム ID（英小文字・数字・'-'、63 文字まで）"
            ),
        },
        "vendor": _SHORT_TEXT,
        "product": _SHORT_TEXT,
        "version": {"type": "string", "maxLength": 100},
        "domains": {
            "type": "array",
            "maxItems": 100,
            "items": {
                "type": "string",
                "pattern": DOMAIN_PATTERN,
                "description": "a domain name such as mobility / mobility のようなドメイン名",
            },
        },
        "claims": {
            "type": "array",
            "maxItems": 100,
            "items": {
                "type": "string",
                "pattern": PROFILE_REF_PATTERN,
                "description": "PROFILE@VERSION, e.g. ods-aed@1.0.0 / PROFILE@VERSION 形式",
            },
        },
    },
}

#: Component names in the OpenAPI document.
SCHEMAS: dict[str, dict[str, Any]] = {"NewProposal": PROPOSAL, "NewSystem": SYSTEM}

for _name, _schema in SCHEMAS.items():
    check_keywords(_schema, f"#/components/schemas/{_name}")
