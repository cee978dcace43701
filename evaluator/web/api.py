"""The JSON API blueprint: evaluate a plan document, the OpenAPI document, and a health check.

``POST /api/v1/evaluate`` takes a plan JSON body; query parameters choose the format (``json``,
``pdf``, ``html``, ``csv``), the seed, a bundled rubric and any assumption by name. Refusals use
the one error shape ``{"errors": [{"path", "message"}]}``: 400 for a body that is not a JSON
object, 413 for one over the size limit, 415 for a body whose ``Content-Type`` is not the one
the OpenAPI document gives, 422 for a plan, assumption or parameter that is wrong.
The media type check covers every API operation with a body (``/api/v1/batch`` too: see
:func:`refuse_undocumented_media_type`), so a cross-site form, which can only send
``text/plain``, url-encoded or multipart bodies, cannot call the API from a visitor's browser;
the API is therefore exempt from the forms' CSRF tokens.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from evaluator import ENGINE_VERSION
from evaluator.assumptions import ASSUMPTIONS, SPECS
from evaluator.errors import FieldError, InputError, error_body
from evaluator.schema import MAX_PLAN_BYTES, parse_plan, plan_schema
from evaluator.web import service
from evaluator.web.service import RubricChoice
from evaluator.web.submission import Submission

bp = Blueprint("api", __name__)
CSRF_EXEMPT = True

QUERY_PARAMETERS = ("format", "seed", "rubric", *SPECS)


def _errors(errors: Iterable[FieldError], status: int) -> tuple[Response, int]:
    return jsonify(error_body(errors)), status


def unknown_parameters(args: Mapping[str, str]) -> list[FieldError]:
    """An error for each query parameter that is not one of :data:`QUERY_PARAMETERS`.

    The evaluate and batch operations take the same ones.
    """
    return [
        FieldError(name, "is not a parameter of this operation; expected one of "
                   + ", ".join(QUERY_PARAMETERS), args[name])
        for name in args
        if name not in QUERY_PARAMETERS
    ]


def request_media_types(paths: Mapping[str, Any]) -> dict[tuple[str, str], tuple[str, ...]]:
    """``(path, METHOD) -> media types`` of every operation in OpenAPI ``paths`` with a body."""
    return {
        (path, method.upper()): tuple(op["requestBody"]["content"])
        for path, item in paths.items()
        for method, op in item.items()
        if isinstance(op, Mapping) and "requestBody" in op
    }


@bp.before_app_request
def refuse_undocumented_media_type() -> tuple[Response, int] | None:
    """415 for an API request whose ``Content-Type`` is not one its OpenAPI ``requestBody`` lists.

    The request is an API operation's; it is checked before the body is read.
    """
    if request.url_rule is None or not request.path.startswith("/api/"):
        return None
    extensions = current_app.extensions
    if "oppeval_request_media_types" not in extensions:
        extensions["oppeval_request_media_types"] = request_media_types(
            openapi_document(extensions.get("oppeval_openapi_paths", {}))["paths"]
        )
    accepted = extensions["oppeval_request_media_types"].get(
        (_openapi_path(request.url_rule.rule), request.method)
    )
    if accepted is None or request.mimetype in accepted:
        return None
    sent = f"is {request.mimetype!r}" if request.mimetype else "is missing"
    return _errors([FieldError("Content-Type", f"{sent}; this operation takes a body of "
                               + " or ".join(accepted), request.mimetype)], 415)


def _openapi_path(rule: str) -> str:
    """A Flask rule as an OpenAPI path: ``/a/<int:b>`` -> ``/a/{b}``."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


@bp.post("/api/v1/evaluate")
def evaluate() -> Response | tuple[Response, int]:
    """Evaluate the plan in the body; the report in the format asked for, or every error."""
    body = request.get_data(cache=False)
    if len(body) > MAX_PLAN_BYTES:
        return _errors(
            [FieldError("", f"the plan is {len(body):,} bytes; the limit is {MAX_PLAN_BYTES:,}")],
            413,
        )
    try:
        doc = parse_plan(body)
    except InputError as exc:
        status = 400 if all(not e.path for e in exc.errors) else 422
        return _errors(exc.errors, status)
    args = request.args
    errors = unknown_parameters(args)
    fmt = args.get("format", "json")
    if fmt not in service.FORMATS:
        errors.append(FieldError("format", f"{fmt!r} is not one of " + ", ".join(service.FORMATS),
                                 fmt))
    sub = Submission(
        doc=doc,
        overrides={name: args[name] for name in SPECS if name in args},
        seed_text=args.get("seed", ""),
        rubric=RubricChoice(stem=args.get("rubric", "")),
        errors=errors,
    ).check()
    if sub.errors:
        return _errors(list(dict.fromkeys(sub.errors)), 422)
    try:
        evaluation = sub.evaluate()
    except InputError as exc:
        return _errors(exc.errors, 422)
    return service.report_response(evaluation, fmt, attachment=False)


@bp.get("/api/v1/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3.1 document describing this API."""
    return jsonify(openapi_document(current_app.extensions.get("oppeval_openapi_paths", {})))


@bp.get("/api/v1/schemas/plan.json")
def plan_schema_document() -> Response:
    """Plan schema v1.1 (every v1 plan is valid), the JSON Schema every plan body must satisfy."""
    return jsonify(plan_schema())


@bp.get("/healthz")
def healthz() -> Response:
    """Liveness: the engine version and what is loaded."""
    return jsonify(
        {
            "status": "ok",
            "engine_version": ENGINE_VERSION,
            "samples": len(service.samples()),
            "rubrics": [stem for stem, _ in service.bundled_rubrics()],
        }
    )


# ---------------------------------------------------------------- the OpenAPI document

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["errors"],
    "additionalProperties": False,
    "properties": {
        "errors": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["path", "message"],
                "additionalProperties": False,
                "properties": {
                    "path": {"type": "string", "description": "Where: a JSON path or a "
                             "parameter name; empty for the document as a whole."},
                    "message": {"type": "string", "description": "What is wrong, in plain words."},
                },
            },
        }
    },
}


def _error_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}},
    }


def assumption_parameter(name: str) -> dict[str, Any]:
    """The OpenAPI query parameter of assumption ``name``: its range under the web limits."""
    spec = SPECS[name]
    limit = service.WEB_LIMITS.get(name)
    maximum = min(spec.maximum, limit) if limit is not None else spec.maximum
    schema: dict[str, Any] = {
        "type": "integer" if spec.integer else "number",
        "minimum": int(spec.minimum) if spec.integer else spec.minimum,
        "maximum": int(maximum) if spec.integer else maximum,
        "default": int(spec.default) if spec.integer else spec.default,
    }
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": f"{spec.label}: {spec.meaning} Unit: {spec.unit}. Source: {spec.source}",
        "schema": schema,
    }


def rubric_parameter() -> dict[str, Any]:
    """The OpenAPI query parameter ``rubric``: one of the bundled rubrics, by file stem."""
    return {
        "name": "rubric",
        "in": "query",
        "required": False,
        "description": "A bundled rubric (see /methodology).",
        "schema": {"type": "string", "enum": [stem for stem, _ in service.bundled_rubric_files()],
                   "default": service.default_rubric_stem()},
    }


def _embedded(schema: dict[str, Any], name: str) -> dict[str, dict[str, Any]]:
    """``{name: schema}`` plus its ``$defs`` as sibling components, with references rewritten."""
    schema = {k: v for k, v in schema.items() if k not in ("$schema", "$id")}
    defs = schema.pop("$defs", {})
    prefix = f"{name}_"

    def rewrite(node: Any) -> Any:
        if isinstance(node, dict):
            out = {k: rewrite(v) for k, v in node.items()}
            ref = out.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                out["$ref"] = "#/components/schemas/" + prefix + ref[len("#/$defs/"):]
            elif ref == "#":
                out["$ref"] = f"#/components/schemas/{name}"
            return out
        if isinstance(node, list):
            return [rewrite(v) for v in node]
        return node

    out = {name: rewrite(schema)}
    out.update({prefix + key: rewrite(value) for key, value in defs.items()})
    return out


def _output_schema() -> dict[str, Any]:
    from evaluator.evaluation import output_schema

    return dict(output_schema())


def _with_media_type_refusal(op: Any) -> Any:
    """An operation with a body documents the 415 of :func:`refuse_undocumented_media_type`.

    The result is a copy: the blueprints' own path documents are left as they are.
    """
    if not isinstance(op, Mapping) or "requestBody" not in op:
        return op
    types = " or ".join(op["requestBody"]["content"])
    return {**op, "responses": {
        **op["responses"],
        "415": _error_response(f"The body's Content-Type is not {types}."),
    }}


def openapi_document(extra_paths: dict[str, Any] | None = None) -> dict[str, Any]:
    """The OpenAPI 3.1 document: every API route, the plan schema, the error shape."""
    evaluate_op = {
        "operationId": "evaluatePlan",
        "summary": "Evaluate a plan document",
        "description": (
            "Validates the plan against plan schema v1.1 (every v1 plan is valid), runs the "
            "economics, the simulation and the rubric, and returns the report. Every error is "
            "reported at once."
        ),
        "parameters": [
            {
                "name": "format",
                "in": "query",
                "required": False,
                "description": "Report format.",
                "schema": {"type": "string", "enum": list(service.FORMATS), "default": "json"},
            },
            {
                "name": "seed",
                "in": "query",
                "required": False,
                "description": "Random seed; the same plan, rubric and seed give the same report.",
                "schema": {"type": "integer", "minimum": 0, "maximum": 2**63 - 1},
            },
            rubric_parameter(),
            *(assumption_parameter(a.name) for a in ASSUMPTIONS),
        ],
        "requestBody": {
            "required": True,
            "description": f"A plan document (UTF-8 JSON, at most {MAX_PLAN_BYTES:,} bytes).",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Plan"}}},
        },
        "responses": {
            "200": {
                "description": "The report in the format asked for.",
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Evaluation"}},
                    "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                    "text/html": {"schema": {"type": "string"}},
                    "text/csv": {"schema": {"type": "string"}},
                },
            },
            "400": _error_response("The body is not a JSON object."),
            "413": _error_response("The body is larger than the limit."),
            "422": _error_response(
                "The plan, an assumption or a parameter is wrong; every error is listed."
            ),
        },
    }
    paths: dict[str, Any] = {
        "/api/v1/evaluate": {"post": evaluate_op},
        "/api/v1/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "This document",
                "responses": {"200": {"description": "The OpenAPI document.",
                                      "content": {"application/json": {
                                          "schema": {"type": "object"}}}}},
            }
        },
        "/api/v1/schemas/plan.json": {
            "get": {
                "operationId": "planSchema",
                "summary": "Plan schema v1.1 (JSON Schema 2020-12; every v1 plan is valid)",
                "responses": {"200": {"description": "The plan schema.",
                                      "content": {"application/json": {
                                          "schema": {"type": "object"}}}}},
            }
        },
        "/healthz": {
            "get": {
                "operationId": "health",
                "summary": "Health check",
                "responses": {
                    "200": {
                        "description": "The service is up.",
                        "content": {"application/json": {"schema": {
                            "type": "object",
                            "required": ["status", "engine_version"],
                            "properties": {
                                "status": {"const": "ok"},
                                "engine_version": {"type": "string"},
                                "samples": {"type": "integer"},
                                "rubrics": {"type": "array", "items": {"type": "string"}},
                            },
                        }}},
                    }
                },
            }
        },
    }
    paths.update(extra_paths or {})
    paths = {path: {method: _with_media_type_refusal(op) for method, op in item.items()}
             for path, item in paths.items()}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Opportunity Evaluator API",
            "version": ENGINE_VERSION,
            "description": (
                "Evaluate a network-marketing offer: costs, break-even, a simulation of the "
                "network and cited pyramid-risk indicators. Not legal advice."
            ),
        },
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "paths": paths,
        "components": {
            "schemas": {
                **_embedded(plan_schema(), "Plan"),
                **_embedded(_output_schema(), "Evaluation"),
                "Errors": ERROR_SCHEMA,
            }
        },
    }
