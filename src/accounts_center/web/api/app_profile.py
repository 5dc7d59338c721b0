"""Member apps' profile API (client-authenticated, issue 13 point 2): read the profile
fields the person keeps in sync with the app (one gate decision per category, ledgered),
and write those fields when the app's user edits their profile there.

A field the person does not sync with the app → 403 `…/problems/profile/field-not-synced`;
an unknown or unlinked user → the same 404 as the data API; bad values → 422."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request

from accounts_center.services.profiles import app_update_profile, read_profile_for_app
from accounts_center.web.api.app_links import App
from accounts_center.web.api.schemas import AppProfile, Problem, ProfileUpdate, ProfileWritten
from accounts_center.web.request_context import hub_of

router = APIRouter(prefix="/v1/app/users", tags=["member apps"], responses={
    401: {"model": Problem, "description": "Bad client credentials"},
    404: {"model": Problem, "description": "No linked account with that user id"},
})

AppUserId = Annotated[str, Path(min_length=1, max_length=200)]


@router.get("/{app_user_id}/profile", response_model=AppProfile)
def read(request: Request, app: App, app_user_id: AppUserId) -> AppProfile:
    """The profile fields the person keeps in sync with this app."""
    result = read_profile_for_app(hub_of(request), app, app_user_id)
    return AppProfile(profile=dict(result.values), withheld=dict(result.withheld),
                      updated_at=result.updated_at.isoformat() if result.updated_at
                      else None)


@router.put("/{app_user_id}/profile", response_model=ProfileWritten, responses={
    403: {"model": Problem, "description": "A field the person does not sync with this "
                                           "app (`…/problems/profile/field-not-synced`)"},
    422: {"model": Problem, "description": "Unknown fields or invalid values"},
})
def update(request: Request, app: App, app_user_id: AppUserId,
           body: ProfileUpdate) -> ProfileWritten:
    """The app's user changed these fields of their profile in the app; last writer wins
    by the hub's clock."""
    outcome = app_update_profile(hub_of(request), app, app_user_id,
                                 body.model_dump(exclude_unset=True))
    return ProfileWritten(won=dict(outcome.won))
