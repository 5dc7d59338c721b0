"""The OpenAPI document says what the API really sends: every error is an RFC 9457
problem (`application/problem+json`), including FastAPI's own 422 validation answers."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from accounts_center.web.api.schemas import Problem

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def install_openapi(app: FastAPI) -> None:
    def build() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        document = get_openapi(title=app.title, version=app.version,
                               description=app.description, routes=app.routes)
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        schemas["Problem"] = Problem.model_json_schema(ref_template=PROBLEM_REF["$ref"])
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        for operation in _operations(document):
            for status, response in operation.get("responses", {}).items():
                if status.isdigit() and int(status) >= 400:
                    response["content"] = {"application/problem+json": {"schema": PROBLEM_REF}}
        app.openapi_schema = document
        return document

    app.openapi = build  # type: ignore[method-assign]


def _operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [op for path in document.get("paths", {}).values() for op in path.values()
            if isinstance(op, dict)]
