"""Liveness and database reachability, for load balancers and operators."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text

from accounts_center.web.api.schemas import Health
from accounts_center.web.problems import problem
from accounts_center.web.request_context import hub_of

router = APIRouter(prefix="/v1", tags=["operations"])


@router.get("/health", response_model=Health,
            responses={503: {"description": "The database cannot be reached"}})
def health(request: Request) -> Response:
    try:
        with hub_of(request).engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:
        return problem(503, "Database unreachable", "The hub cannot reach its database.",
                       code="database-unreachable", instance=request.url.path)
    return JSONResponse({"status": "ok", "database": "ok"})
