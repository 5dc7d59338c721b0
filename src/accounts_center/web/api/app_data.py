"""Member apps' data API (client-authenticated): push a user's device, activity, age or
account details into the hub; read a linked person's data of a category for a stated
purpose. Every call is one policy decision, ledgered (DESIGN §4.6).

Denied → 403 whose problem type names the reason (`…/problems/policy/<reason>`); a
never-shared category → 422 (`…/problems/never-shared-category`); an unknown or unlinked
user → the same 404 either way (CHECKLIST 24)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse

from accounts_center.services.data_flows import push_data, read_data
from accounts_center.web.api.app_links import App
from accounts_center.web.api.schemas import DataPush, DataRead, Problem, Stored
from accounts_center.web.request_context import hub_of

router = APIRouter(prefix="/v1/app/users", tags=["member apps"], responses={
    401: {"model": Problem, "description": "Bad client credentials"},
    403: {"model": Problem, "description": "The policy denied the flow; `type` names why"},
    404: {"model": Problem, "description": "No linked account with that user id"},
    422: {"model": Problem, "description": "Invalid input, or a never-shared category"},
})

AppUserId = Annotated[str, Path(min_length=1, max_length=200)]
Category = Annotated[str, Path(min_length=1, max_length=40)]


@router.post("/{app_user_id}/data/{category}", status_code=201, response_model=Stored)
def push(request: Request, app: App, app_user_id: AppUserId, category: Category,
         body: DataPush) -> JSONResponse:
    """Push data of `category` about the app's user into the hub."""
    push_data(hub_of(request), app, app_user_id, category, body.purpose, body.fields)
    return JSONResponse({"status": "stored"}, status_code=201)


@router.get("/{app_user_id}/data/{category}", response_model=DataRead)
def read(request: Request, app: App, app_user_id: AppUserId, category: Category,
         purpose: Annotated[str, Query(min_length=1, max_length=40)]) -> DataRead:
    """What the hub holds of the linked person's `category` data, for `purpose`. Age is
    only ever answered as an age band."""
    result = read_data(hub_of(request), app, app_user_id, category, purpose)
    return DataRead.model_validate({"category": result.category, "purpose": result.purpose,
                                    "items": result.items})
