"""The OpenAPI 3.1 description of the HTTP interfaces, served at ``/api/openapi.json``.

Written as data beside the blueprints it describes; a schemathesis test sends generated
requests to every operation and checks the answers against it.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from app.write_schemas import MAX_WRITE_BODY_BYTES, SCHEMAS
from cityref import __version__
from cityref.inputs.registry import INPUT_FORMATS, upload_media_types
from cityref.outcome import RENDERERS

bp = Blueprint("openapi", __name__)


def _body_schema(media_type: str) -> dict[str, Any]:
    """JSON answers are documents (objects or JSON-LD arrays); the others are text."""
    if media_type.endswith("json"):
        return {"type": ["object", "array"]}
    return {"type": "string"}


#: The language of the answer's texts: one of them, or both when neither this nor
#: Accept-Language names one.
_LANG = {
    "name": "lang",
    "in": "query",
    "description": "The language of the texts (messages, errors); both when absent, unless "
    "Accept-Language names ja or en.",
    "schema": {"enum": ["ja", "en"]},
}


def _upload_schema(media_type: str) -> dict[str, Any]:
    """A validation upload of an input format's media type: any JSON, text, or bytes."""
    if media_type.endswith("json"):
        return {}
    if media_type.startswith("text/"):
        return {"type": "string"}
    return {"type": "string", "format": "binary"}


_ERROR = {"$ref": "#/components/responses/Error"}
_RESULT_TYPES = [
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
    "text/turtle",
    "application/n-triples",
    "application/ld+json",
    "application/rdf+xml",
]
_DATASET_PARAMETERS: list[dict[str, Any]] = [
    {
        "name": "default-graph-uri",
        "in": "query",
        "description": "A graph of the default graph; repeatable. Overrides FROM.",
        "schema": {"type": "array", "items": {"type": "string", "format": "uri"}},
        "style": "form",
        "explode": True,
    },
    {
        "name": "named-graph-uri",
        "in": "query",
        "description": "A named graph of the dataset; repeatable. Overrides FROM NAMED.",
        "schema": {"type": "array", "items": {"type": "string", "format": "uri"}},
        "style": "form",
        "explode": True,
    },
]
_FORMAT_PARAMETER: dict[str, Any] = {
    "name": "format",
    "in": "query",
    "description": "Result format; overrides the Accept header.",
    "schema": {
        "type": "string",
        "enum": ["json", "xml", "csv", "tsv", "turtle", "ntriples", "jsonld", "rdfxml"],
    },
}
#: A job still queued or running (202), with where its work stands once its worker has said.
_PENDING_JOB: dict[str, Any] = {
    "type": "object",
    "required": ["job", "state", "poll", "progress"],
    "properties": {
        "job": {"type": "string", "description": "The job's id."},
        "state": {"enum": ["queued", "running"]},
        "poll": {"type": "string", "description": "Where to ask again (also in Location)."},
        "attempt": {
            "type": "integer",
            "minimum": 1,
            "description": "The job's run: 2 when the worker running it stopped answering and"
            " it was queued again (shared queue only). / 実行の回数（ワーカーが応答しなくなり"
            "再投入されたジョブは 2）。",
        },
        "progress": {
            "description": "Where the running work stands, null until its worker has said "
            "(queued, or just started). A stage may restart the count (reading, loading, "
            "checking). / 実行中の検証の進み具合（まだ分からないときは null）。",
            "oneOf": [
                {"type": "null"},
                {
                    "type": "object",
                    "required": [
                        "stage",
                        "done",
                        "total",
                        "unit",
                        "seconds",
                        "per_second",
                        "remaining_seconds",
                        "text",
                    ],
                    "properties": {
                        "stage": {
                            "type": "string",
                            "description": "What the work is doing: read, load, check, ….",
                        },
                        "done": {"type": "integer", "minimum": 0},
                        "total": {
                            "type": ["integer", "null"],
                            "description": "Units in all, null when not known.",
                        },
                        "unit": {"type": "string", "description": "rows, bytes, checks, …"},
                        "seconds": {"type": "number", "description": "Since the stage began."},
                        "per_second": {
                            "type": ["number", "null"],
                            "description": "The stage's pace, in units per second.",
                        },
                        "remaining_seconds": {
                            "type": ["number", "null"],
                            "description": "Seconds left in the stage at that pace.",
                        },
                        "text": {"$ref": "#/components/schemas/Text"},
                    },
                },
            ],
        },
    },
}
_PENDING_CONTENT = {"application/json": {"schema": {"$ref": "#/components/schemas/PendingJob"}}}
#: A validation's answer in each report format (cityref.outcome.renderers).
_REPORT_CONTENT: dict[str, Any] = {
    r.media_type: {"schema": {} if r.media_type.endswith("json") else {"type": "string"}}
    for r in RENDERERS
}
_REGISTRY_LISTS: list[tuple[str, str, str, list[dict[str, Any]]]] = [
    ("/api/registry/standards", "registryStandards", "The standards catalogue", []),
    ("/api/registry/profiles", "registryProfiles", "The application profiles", []),
    ("/api/registry/releases", "registryReleases", "The releases", []),
    (
        "/api/registry/diff",
        "registryDiff",
        "The semantic changes between two releases (or a release and the working tree)",
        [
            {"name": "old", "in": "query", "required": True, "schema": {"type": "string"}},
            {"name": "new", "in": "query", "schema": {"type": "string"}},
        ],
    ),
    (
        "/api/registry/records",
        "registryRecords",
        "Conformance records",
        [{"name": "system", "in": "query", "schema": {"type": "string"}}],
    ),
    ("/api/registry/systems", "registrySystems", "Registered systems", []),
    (
        "/api/registry/proposals",
        "registryProposals",
        "Proposals",
        [{"name": "status", "in": "query", "schema": {"type": "string"}}],
    ),
]
_QUERY_ANSWERS: dict[str, Any] = {
    "200": {
        "description": "The answer, or the service description when no query is given.",
        "content": {media: {"schema": _body_schema(media)} for media in _RESULT_TYPES},
        "headers": {
            "ETag": {"schema": {"type": "string"}},
            "X-Cityref-Truncated": {
                "description": "true when the answer was cut at the row limit",
                "schema": {"type": "string"},
            },
        },
    },
    "304": {"description": "Not modified since the ETag given in If-None-Match."},
    "400": _ERROR,
    "403": _ERROR,
    "406": _ERROR,
    "413": _ERROR,
    "415": _ERROR,
    "429": _ERROR,
    "503": _ERROR,
}

_WRITE_ANSWERS: dict[str, Any] = {
    "400": {
        "description": (
            "The body is not UTF-8, not JSON, or does not match the schema: the answer names "
            "the field (JSON pointer) and what was expected."
        ),
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}},
            "text/plain": {"schema": {"type": "string"}},
            "text/html": {"schema": {"type": "string"}},
        },
    },
    "401": _ERROR,
    "403": _ERROR,
    "413": _ERROR,
    "415": _ERROR,
    "429": _ERROR,
}


def _write_operation(operation: str, summary: str, schema: str) -> dict[str, Any]:
    """A POST of the write API: a JSON body checked against ``schema``, a bearer token."""
    return {
        "post": {
            "operationId": operation,
            "summary": summary,
            "description": (
                f"Needs a bearer token with the write scope. Bodies over "
                f"{MAX_WRITE_BODY_BYTES} bytes are refused (413)."
            ),
            "security": [{"bearerToken": []}],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}
                },
            },
            "responses": {
                "201": {
                    "description": "Created.",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                },
                **_WRITE_ANSWERS,
            },
        }
    }


SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "cityref",
        "version": __version__,
        "description": (
            "The Super City Reference Model as a knowledge graph: a read-only SPARQL 1.1 "
            "endpoint and dereferenceable IRIs. / スーパーシティのリファレンスモデルの "
            "SPARQL エンドポイントと参照可能な IRI。"
        ),
        "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"},
    },
    "paths": {
        "/sparql": {
            "get": {
                "operationId": "sparqlGet",
                "summary": "SPARQL 1.1 query by GET; without a query, the service description",
                "parameters": [
                    {
                        "name": "query",
                        "in": "query",
                        "description": "The SPARQL query.",
                        "schema": {"type": "string"},
                    },
                    *_DATASET_PARAMETERS,
                    _FORMAT_PARAMETER,
                ],
                "responses": _QUERY_ANSWERS,
            },
            "post": {
                "operationId": "sparqlPost",
                "summary": "SPARQL 1.1 query by POST, as a form or as the body",
                "parameters": [*_DATASET_PARAMETERS, _FORMAT_PARAMETER],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/x-www-form-urlencoded": {
                            "schema": {
                                "type": "object",
                                "properties": {"query": {"type": "string"}},
                                "required": ["query"],
                            }
                        },
                        "application/sparql-query": {"schema": {"type": "string"}},
                    },
                },
                "responses": _QUERY_ANSWERS,
            },
        },
        "/api/validate": {
            "post": {
                "operationId": "validate",
                "summary": "Validate data against a profile (detected when not given)",
                "parameters": [
                    {
                        "name": "profile",
                        "in": "query",
                        "description": "A profile id, optionally @VERSION; detected when absent.",
                        "schema": {"type": "string"},
                    },
                    _LANG,
                    {
                        "name": "filename",
                        "in": "query",
                        "description": "Name (extension) to read a raw body as.",
                        "schema": {"type": "string"},
                    },
                    {
                        "name": "endpoint",
                        "in": "query",
                        "description": "Validate in place, instead of a body, the data of the "
                        "SPARQL endpoint of this name in the server's validation_endpoints "
                        "setting (a name, never a URL); needs profile "
                        "(docs/validate-in-place.md).",
                        "schema": {"type": "string"},
                    },
                    {
                        "name": "graph",
                        "in": "query",
                        "description": "With endpoint: a named graph of the data (up to 100); "
                        "the endpoint's default graph when none is given.",
                        "schema": {"type": "array", "items": {"type": "string"}},
                        "style": "form",
                        "explode": True,
                    },
                ],
                "requestBody": {
                    "required": False,
                    "description": "The data (none with endpoint), in one of the input "
                    "formats: " + "; ".join(f.title.en for f in INPUT_FORMATS),
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "file": {"type": "string", "format": "binary"},
                                    "profile": {"type": "string"},
                                },
                            }
                        },
                        **{t: {"schema": _upload_schema(t)} for t in upload_media_types()},
                    },
                },
                "responses": {
                    "200": {
                        "description": "The report (cityref JSON, or the W3C report by Accept).",
                        "content": _REPORT_CONTENT,
                    },
                    "202": {
                        "description": "A large upload: a job to poll at Location (several "
                        "files: one job each, listed).",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "oneOf": [
                                        {"$ref": "#/components/schemas/PendingJob"},
                                        {
                                            "type": "object",
                                            "required": ["jobs"],
                                            "properties": {"jobs": {"type": "array"}},
                                        },
                                    ]
                                }
                            }
                        },
                    },
                    "400": _ERROR,
                    "403": _ERROR,
                    "413": _ERROR,
                    "415": _ERROR,
                    "422": _ERROR,
                    "429": _ERROR,
                },
            }
        },
        "/api/jobs/{job}": {
            "get": {
                "operationId": "job",
                "summary": "A validation job: 202 while it runs, then its report",
                "parameters": [
                    {"name": "job", "in": "path", "required": True, "schema": {"type": "string"}},
                    _LANG,
                ],
                "responses": {
                    "200": {
                        "description": "The report.",
                        "content": _REPORT_CONTENT,
                    },
                    "202": {
                        "description": "Still queued or running, with its progress.",
                        "content": _PENDING_CONTENT,
                    },
                    "404": _ERROR,
                    "422": _ERROR,
                    "429": _ERROR,
                },
            }
        },
        **{
            path: {
                "get": {
                    "operationId": operation,
                    "summary": summary,
                    "parameters": parameters,
                    "responses": {
                        "200": {
                            "description": "A JSON list.",
                            "content": {"application/json": {"schema": {"type": "array"}}},
                        },
                        "400": _ERROR,
                        "404": _ERROR,
                        "429": _ERROR,
                    },
                }
            }
            for path, operation, summary, parameters in _REGISTRY_LISTS
        },
        "/api/registry/proposals/{ident}": {
            "get": {
                "operationId": "registryProposal",
                "summary": "One proposal with its patch",
                "parameters": [
                    {"name": "ident", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {
                    "200": {
                        "description": "The proposal.",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    },
                    "404": _ERROR,
                    "429": _ERROR,
                },
            }
        },
        "/{path}": {
            "get": {
                "operationId": "dereference",
                "summary": "The description of an IRI under the base, by content negotiation",
                "parameters": [
                    {
                        "name": "path",
                        "in": "path",
                        "required": True,
                        "description": "The IRI less the base, e.g. def/domain/mobility.",
                        "schema": {"type": "string"},
                    },
                    {
                        "name": "format",
                        "in": "query",
                        "schema": {
                            "type": "string",
                            "enum": ["html", "turtle", "ntriples", "jsonld", "rdfxml"],
                        },
                    },
                ],
                "responses": {
                    "200": {
                        "description": "The description.",
                        "content": {
                            media: {"schema": _body_schema(media)}
                            for media in [
                                "text/html",
                                "text/turtle",
                                "application/n-triples",
                                "application/ld+json",
                                "application/rdf+xml",
                            ]
                        },
                    },
                    "400": _ERROR,
                    "404": _ERROR,
                    "410": _ERROR,
                    "429": _ERROR,
                    "503": _ERROR,
                },
            }
        },
    },
    "components": {
        "securitySchemes": {
            "bearerToken": {
                "type": "http",
                "scheme": "bearer",
                "description": "A token made by 'cityref token create' (write scope).",
            }
        },
        "schemas": {
            **SCHEMAS,
            "Text": {
                "type": "object",
                "description": "A text in Japanese and English; ?lang=ja|en or Accept-Language "
                "narrows it to the one key asked. / 日本語と英語の文。?lang= か "
                "Accept-Language で一方だけにできます。",
                "minProperties": 1,
                "additionalProperties": False,
                "properties": {"ja": {"type": "string"}, "en": {"type": "string"}},
            },
            "PendingJob": _PENDING_JOB,
            "Error": {
                "type": "object",
                "required": ["status", "error"],
                "properties": {
                    "status": {"type": "integer"},
                    "error": {"$ref": "#/components/schemas/Text"},
                    "line": {"type": ["integer", "null"]},
                    "column": {"type": ["integer", "null"]},
                    "pointer": {
                        "type": "string",
                        "description": "The JSON pointer of the first wrong field of a body.",
                    },
                    "problems": {
                        "type": "array",
                        "description": "Every wrong field of a body and what was expected.",
                        "items": {
                            "type": "object",
                            "required": ["pointer", "expected"],
                            "properties": {
                                "pointer": {"type": "string"},
                                "expected": {"$ref": "#/components/schemas/Text"},
                            },
                        },
                    },
                },
            },
        },
        "responses": {
            "Error": {
                "description": (
                    "An error the client can act on, in Japanese and English; a page in one "
                    "language when Accept ranks text/html above JSON (a browser)."
                ),
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Error"}},
                    "text/plain": {"schema": {"type": "string"}},
                    "text/html": {"schema": {"type": "string"}},
                },
            }
        },
    },
}


SPEC["paths"]["/api/registry/proposals"].update(
    _write_operation("registryPropose", "Submit a proposal", "NewProposal")
)
SPEC["paths"]["/api/registry/systems"].update(
    _write_operation("registryRegisterSystem", "Register a system", "NewSystem")
)


@bp.route("/api/openapi.json")
def openapi() -> Response:
    return jsonify(SPEC)  # cached: app.http_cache
