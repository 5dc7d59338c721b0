"""The logged-in person's own account, sessions and security events (cookie session)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response

from accounts_center.domain.errors import NotAuthenticated
from accounts_center.services.account_summary import account_summary
from accounts_center.services.hub_sessions import CurrentSession, end_session, list_sessions
from accounts_center.services.security_log import list_security_events
from accounts_center.store.base import INTEGER_MAX
from accounts_center.web.api.schemas import (
    Me,
    Problem,
    SecurityEventOut,
    SecurityEventPage,
    SessionOut,
)
from accounts_center.web.parameters import RowId
from accounts_center.web.request_context import check_csrf, current_session, hub_of, origin_of

PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "Not logged in"},
            422: {"model": Problem, "description": "Invalid request"}}
router = APIRouter(prefix="/v1/me", tags=["me"], responses=PROBLEMS)


def person(request: Request) -> CurrentSession:
    session = current_session(request)
    if session is None or not session.is_full:
        raise NotAuthenticated("Log in to Accounts Center first.")
    return session


Person = Annotated[CurrentSession, Depends(person)]


@router.get("", response_model=Me)
def me(request: Request, current: Person) -> Me:
    summary = account_summary(hub_of(request), current.identity_id)
    return Me(id=summary.id, email=summary.email, phone=summary.phone,
              created_at=summary.created_at, two_factor_enabled=summary.two_factor_enabled)


@router.get("/sessions", response_model=list[SessionOut])
def sessions(request: Request, current: Person) -> list[SessionOut]:
    return [SessionOut(id=s.id, user_agent=s.user_agent, ip=s.ip, created_at=s.created_at,
                       last_seen_at=s.last_seen_at, current=s.is_current)
            for s in list_sessions(hub_of(request), current)]


@router.delete("/sessions/{session_id}", status_code=204,
               responses={403: {"model": Problem}, 404: {"model": Problem}})
def delete_session(request: Request, current: Person,
                   session_id: RowId,
                   x_csrf_token: Annotated[str | None, Header(max_length=128)] = None
                   ) -> Response:
    check_csrf(request, x_csrf_token)
    end_session(hub_of(request), current, session_id, origin_of(request))
    return Response(status_code=204)


@router.get("/security-events", response_model=SecurityEventPage)
def security_events(request: Request, current: Person,
                    limit: Annotated[int, Query(ge=1, le=100)] = 50,
                    before: Annotated[int | None, Query(ge=1, le=INTEGER_MAX)] = None
                    ) -> SecurityEventPage:
    events = list_security_events(hub_of(request), current.identity_id, limit=limit,
                                  before_id=before)
    items = [SecurityEventOut(id=e.id, kind=e.kind.value, description=e.description,
                              occurred_at=e.occurred_at, ip=e.ip, user_agent=e.user_agent)
             for e in events]
    return SecurityEventPage(items=items,
                             next_before=items[-1].id if len(items) == limit else None)
