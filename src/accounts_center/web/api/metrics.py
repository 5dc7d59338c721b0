"""Prometheus metrics (`/metrics`): webhook delivery counters of this process and the
delivery queue read from the database. When ``metrics_token`` is set, scrapers send it as
a bearer token."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST

from accounts_center.crypto.tokens import digest, same_digest
from accounts_center.delivery.metrics import exposition
from accounts_center.web.problems import problem
from accounts_center.web.request_context import hub_of

router = APIRouter(tags=["operations"])


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    hub = hub_of(request)
    expected = hub.settings.metrics_token
    if expected:
        given = request.headers.get("authorization", "")
        token = given[7:] if given[:7].lower() == "bearer " else ""
        if not same_digest(token, digest(expected)):
            response = problem(401, "Token required", "Send the metrics token as "
                               "'Authorization: Bearer …'.", code="metrics-token",
                               instance=request.url.path)
            response.headers["www-authenticate"] = "Bearer"
            return response
    return Response(exposition(hub), media_type=CONTENT_TYPE_LATEST)
