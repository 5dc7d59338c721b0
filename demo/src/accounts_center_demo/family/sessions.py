"""Browser sessions kept in the app's database, and CSRF tokens.

The cookie (``<slug>_session``: HttpOnly, SameSite=Lax) carries a random token; the
database keeps its SHA-256, the signed-in user, the session's CSRF token and a pending trip
to the hub. A new token is issued on every sign-in and sign-out (session fixation).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request, Response
from sqlalchemy.orm import Session

from accounts_center_demo.family.models import User, WebSession

SESSION_MAX_AGE = 30 * 24 * 3600


class CsrfRejected(Exception):
    """A state-changing request without this session's CSRF token."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def load_session(db: Session, request: Request, cookie_name: str) -> WebSession:
    """This browser's session; a fresh anonymous one (cookie set on the way out) if none."""
    token = request.cookies.get(cookie_name, "")
    found = db.get(WebSession, _digest(token)) if token else None
    if found is not None:
        return found
    return _new_session(db, request, user_id=None)


def start_signed_in(db: Session, request: Request, old: WebSession, user: User) -> WebSession:
    """Signs ``user`` in with a new token, ending the anonymous session it replaces."""
    db.delete(old)
    return _new_session(db, request, user_id=user.id)


def end_session(db: Session, request: Request, old: WebSession) -> WebSession:
    db.delete(old)
    return _new_session(db, request, user_id=None)


def _new_session(db: Session, request: Request, user_id: int | None) -> WebSession:
    token = secrets.token_urlsafe(32)
    session = WebSession(token_hash=_digest(token), user_id=user_id,
                         csrf_token=secrets.token_urlsafe(32),
                         user_agent=request.headers.get("user-agent", "")[:200])
    db.add(session)
    db.flush()
    request.state.new_session_token = token  # set as the cookie by the middleware
    return session


def check_csrf(session: WebSession, sent: str) -> None:
    if not sent or not hmac.compare_digest(sent, session.csrf_token):
        raise CsrfRejected()


def set_session_cookie(response: Response, cookie_name: str, token: str, secure: bool) -> None:
    response.set_cookie(cookie_name, token, max_age=SESSION_MAX_AGE, httponly=True,
                        samesite="lax", secure=secure, path="/")
