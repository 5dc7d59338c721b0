"""The Accounts Center routes every app has: "Add to Accounts Center", "Continue with
Accounts Center", the callback both come back to, the settings page, removal, and the
webhook receiver (a link or removal, a synced profile field, an erasure, a creation added
or deleted). All hub traffic
goes through the SDK (``family.hub``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from accounts_center_demo.family.hub import (
    HUB_FAILURES,
    Picture,
    PictureUnavailable,
    describe_failure,
    note_refusal,
    report_copy,
)
from accounts_center_demo.family.images import MAX_PHOTO_BYTES
from accounts_center_demo.family.kept_creations import (
    fetch_creation_picture,
    forget_creation,
    keep_creation,
)
from accounts_center_demo.family.models import EPHEMERAL_LIFETIME, AppliedWebhook, User
from accounts_center_demo.family.profile_sync import (
    apply_profile_update,
    forget_erased,
    wants_picture,
)
from accounts_center_demo.family.store import Store, utcnow
from accounts_center_demo.family.visits import Family, Visit
from accounts_center_sdk import (
    AccountLinked,
    AccountUnlinked,
    AuthorizationFailed,
    CreationAdded,
    CreationDeleted,
    CrossPostCreated,
    CrossPostDeleted,
    CrossPostExpired,
    DataErasureRequested,
    DuplicateWebhook,
    InvalidWebhook,
    Pending,
    ProfileUpdated,
    SignedIn,
    UnknownAppUser,
    WebhookReceiver,
)


def crosspost_gone(event: object) -> str | None:
    """The post id of a ``crosspost.deleted`` or ``crosspost.expired`` event; None for any
    other."""
    if isinstance(event, CrossPostDeleted | CrossPostExpired):
        return event.crosspost_id
    return None


def _moment(value: str | None) -> datetime | None:
    """An ISO 8601 moment as this app stores it (naive UTC); None if absent or unreadable."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


# The hub sends the person back with one of these when it did not sign them in; it does
# not tell the app which reason applied (the person saw it on the hub's own page).
NOT_SIGNED_IN = ("access_denied", "interaction_required", "login_required")


def sign_in_refused_message(app: str) -> str:
    return (f"Accounts Center didn't sign you in. Signing in to {app} with Accounts Center "
            f"may be turned off in your Accounts Center, or your {app} account isn't added "
            f"there. Sign in with your {app} password instead.")


# Categories an app receives only as profile fields the person keeps in sync.
SYNC_ONLY = frozenset({"profile_photo", "avatar"})

NOTICES = {
    "added": "Your {app} account is added to Accounts Center.",
    "removed": "Your {app} account is removed from Accounts Center. {app} keeps working "
               "as before.",
    "not-added": "Your {app} account was not added to Accounts Center.",
}


class DurableSeenIds:
    """The webhook ids this app applied, in its database (the SDK's ``seen`` store)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def has(self, webhook_id: str) -> bool:
        with self.store.session() as db:
            return db.get(AppliedWebhook, webhook_id) is not None

    def add(self, webhook_id: str) -> bool:
        with self.store.session() as db:
            if db.get(AppliedWebhook, webhook_id) is not None:
                return False
            db.add(AppliedWebhook(webhook_id=webhook_id))
            return True


def hub_router(family: Family, receives: list[str]) -> APIRouter:
    router = APIRouter()
    app_name = family.config.identity.name
    hub = family.hub
    log = hub.log
    receiver = (WebhookReceiver(family.config.hub.webhook_secret,
                                seen=DurableSeenIds(family.store))
                if family.config.hub else None)

    def settings_page(v: Visit, status: int = 200, error: str | None = None,
                      notice: str | None = None) -> Response:
        assert v.user is not None
        received: list[dict[str, Any]] = []
        if hub.client is not None and v.user.hub_ever_linked:
            # The photo and the avatar arrive by sync alone (shown under "Your account").
            for category in [c for c in receives if c not in SYNC_ONLY]:
                try:
                    items = hub.client.read(str(v.user.id), category)
                    received.append({"category": category, "entries": items, "refused": None})
                except HUB_FAILURES as failure:
                    note_refusal(v.user, failure)
                    if isinstance(failure, UnknownAppUser):
                        v.user.hub_linked = False
                    received.append({"category": category, "entries": [],
                                     "refused": describe_failure(failure)})
        return v.render("settings.html", status=status, error=error, notice=notice,
                        received=received, hub_registered=hub.client is not None,
                        your_information=hub.your_information_url,
                        hub_profile=hub.profile_url)

    @router.get("/settings")
    def settings(request: Request, notice: str = "") -> Response:
        with family.visit(request) as v:
            if v.user is None:
                return v.to_login()
            text = NOTICES.get(notice)
            return settings_page(v, notice=text.format(app=app_name) if text else None)

    @router.post("/accounts-center/add")
    def add(request: Request, csrf_token: Annotated[str, Form()] = "") -> Response:
        with family.visit(request) as v:
            v.check_csrf(csrf_token)
            if v.user is None:
                return v.to_login()
            if hub.client is None:
                return settings_page(v, 409, error=f"{app_name} is not registered with an "
                                     "Accounts Center.")
            try:
                auth = hub.client.start_link(app_user_id=str(v.user.id), handle=v.user.login)
            except HUB_FAILURES as failure:
                return settings_page(v, 502, error=describe_failure(failure))
            v.session.pending = auth.pending.to_json()
            return v.redirect(auth.url)

    @router.post("/accounts-center/continue")
    def continue_with(request: Request, csrf_token: Annotated[str, Form()] = "") -> Response:
        with family.visit(request) as v:
            v.check_csrf(csrf_token)
            if hub.client is None:
                return login_page(v, 409, f"{app_name} is not registered with an "
                                  "Accounts Center.")
            try:
                auth = hub.client.start_sign_in()
            except HUB_FAILURES as failure:
                return login_page(v, 502, describe_failure(failure))
            v.session.pending = auth.pending.to_json()
            return v.redirect(auth.url)

    @router.get("/accounts-center/callback")
    def callback(request: Request) -> Response:
        with family.visit(request) as v:
            kept, v.session.pending = v.session.pending, None
            if hub.client is None or not kept:
                return login_page(v, 400, "This answer from Accounts Center does not belong "
                                  "to a sign-in started in this browser. Start again.")
            pending = Pending.from_json(kept)
            try:
                signed_in = hub.client.finish(pending, dict(request.query_params))
            except AuthorizationFailed as refused:
                return refused_page(v, pending, refused)
            except HUB_FAILURES as failure:
                if pending.intent == "link" and v.user is not None:
                    return settings_page(v, 502, error=describe_failure(failure))
                return login_page(v, 502, describe_failure(failure))
            if pending.intent == "link":
                return finish_link(v, signed_in)
            return finish_sign_in(v, signed_in)

    def refused_page(v: Visit, pending: Pending, refused: AuthorizationFailed) -> Response:
        if pending.intent == "link" and v.user is not None:
            if refused.error == "access_denied":
                return v.redirect("/settings?notice=not-added")
            return settings_page(v, 400, error="Accounts Center did not add your account "
                                 f"({refused.error}). Try again.")
        if refused.error in NOT_SIGNED_IN:
            return login_page(v, 200, sign_in_refused_message(app_name))
        return login_page(v, 400, "Accounts Center didn't sign you in "
                          f"({refused.error}). Sign in with your {app_name} password.")

    def finish_link(v: Visit, signed_in: SignedIn) -> Response:
        # The hub linked the account this browser's user started with, and no other.
        if v.user is None or signed_in.app_user_id != str(v.user.id):
            return login_page(v, 400, "Accounts Center added a different account than the "
                              "one signed in here. Sign in and try again.")
        v.user.hub_linked = True
        v.user.hub_linked_at = utcnow()
        v.user.hub_last_refusal = None
        v.after(hub.push_device, v.user.id, v.request.headers.get("user-agent", ""),
                "password")
        return v.redirect("/settings?notice=added")

    def finish_sign_in(v: Visit, signed_in: SignedIn) -> Response:
        user = (v.db.get(User, int(signed_in.app_user_id))
                if signed_in.app_user_id.isdigit() else None)
        if user is None:
            return login_page(v, 400, f"Accounts Center signed you in as a {app_name} "
                              "account that does not exist here any more.")
        user.hub_linked = True
        user.hub_linked_at = user.hub_linked_at or utcnow()
        v.sign_in(user)
        v.after(hub.push_device, user.id, v.request.headers.get("user-agent", ""),
                "accounts_center")
        return v.redirect("/")

    @router.post("/accounts-center/remove")
    def remove(request: Request, csrf_token: Annotated[str, Form()] = "") -> Response:
        with family.visit(request) as v:
            v.check_csrf(csrf_token)
            if v.user is None:
                return v.to_login()
            if hub.client is not None:
                try:
                    hub.client.unlink(str(v.user.id))
                except HUB_FAILURES as failure:
                    return settings_page(v, 502, error=describe_failure(failure))
            v.user.hub_linked = False
            return v.redirect("/settings?notice=removed")

    def login_page(v: Visit, status: int, error: str) -> Response:
        return v.render("login.html", status=status, error=error, login="", next_path="",
                        hub_registered=hub.client is not None)

    def apply_webhook(body: bytes, headers: dict[str, str]) -> Response:
        assert receiver is not None
        try:
            event = receiver.receive(body, headers)
        except DuplicateWebhook:
            return Response(status_code=204)
        except InvalidWebhook:
            return Response(status_code=400)
        picture: Picture | None = None
        # Fetched now, outside the transaction: the signed URL lasts an hour.
        try:
            if isinstance(event, ProfileUpdated) and wants_picture(event):
                picture = hub.fetch_picture(event.media_url)
            elif isinstance(event, CreationAdded) and family.declares_creations:
                picture = fetch_creation_picture(hub, event.creation)
            elif isinstance(event, CrossPostCreated) and copy_model(event) is not None:
                picture = hub.fetch_picture(event.media_url, max_bytes=MAX_PHOTO_BYTES)
        except PictureUnavailable as failed:
            log.warning("the picture of %s %s was not fetched: %s", event.type, event.id,
                        failed)
            if failed.transient:
                return Response(status_code=503)  # the hub sends it again soon
        copy_made: tuple[str, str, str | None] | None = None  # reported once committed
        with family.store.session() as db:
            user = (db.get(User, int(event.app_user_id))
                    if event.app_user_id.isdigit() else None)
            if user is not None:
                if isinstance(event, AccountLinked | AccountUnlinked):
                    user.hub_linked = isinstance(event, AccountLinked)
                    if user.hub_linked:
                        user.hub_linked_at = user.hub_linked_at or utcnow()
                elif isinstance(event, ProfileUpdated):
                    apply_profile_update(db, user, event, picture, log)
                elif isinstance(event, DataErasureRequested):
                    forget_erased(db, user, event.categories)
                elif isinstance(event, CreationAdded) and picture is not None:
                    keep_creation(db, user.id, event.creation, picture)
                elif isinstance(event, CreationDeleted):
                    forget_creation(db, user.id, event.creation_id)
                elif isinstance(event, CrossPostCreated) and copy_model(event) is not None:
                    copy_made = keep_crossposted_copy(db, user, event, picture)
                elif (gone := crosspost_gone(event)) is not None:
                    # A copy goes when its post ends; a post of this app's own goes
                    # when the person deleted it everywhere from the hub's console.
                    own = isinstance(event, CrossPostDeleted)
                    for model in family.post_models:
                        which = delete(model).where(model.user_id == user.id,
                                                    model.crosspost_id == gone)
                        db.execute(which if own else
                                   which.where(model.crosspost_copy.is_(True)))
            # Recorded in the transaction that applied it: applied exactly once.
            if db.get(AppliedWebhook, event.id) is None:
                db.add(AppliedWebhook(webhook_id=event.id))
        receiver.applied(event)
        if copy_made is not None:
            report_copy(hub, *copy_made)
        return Response(status_code=204)

    def copy_model(event: CrossPostCreated) -> Any:
        """The table a copy of this type lands in; None when the app does not take it."""
        return family.crosspost_copies.get(event.post_type)

    def keep_crossposted_copy(db: Session, user: User, event: CrossPostCreated,
                              picture: Picture | None) -> tuple[str, str, str | None]:
        """The copy as a Story (or a Status) from the person, ending when the source post
        ends; what to report to the hub (the picture could not be used: ``failed``)."""
        model = copy_model(event)
        if picture is None:
            return event.crosspost_id, "failed", None
        kept = db.execute(select(model).where(
            model.user_id == user.id, model.crosspost_copy.is_(True),
            model.crosspost_id == event.crosspost_id)).scalar()
        if kept is None:
            now = utcnow()
            ends = _moment(event.expires_at)
            starts = min(now, ends - EPHEMERAL_LIFETIME) if ends is not None else now
            kept = model(user_id=user.id, text=(event.caption or "Shared photo")[:500],
                         created_at=starts, media_type=picture.media_type,
                         photo=picture.data, crosspost_id=event.crosspost_id,
                         crosspost_copy=True)
            db.add(kept)
            db.flush()
        return event.crosspost_id, "created", str(kept.id)

    @router.post("/accounts-center/webhooks")
    async def webhooks(request: Request) -> Response:
        if receiver is None:
            return Response(status_code=404)
        body = await request.body()
        return await run_in_threadpool(apply_webhook, body, dict(request.headers))

    return router
