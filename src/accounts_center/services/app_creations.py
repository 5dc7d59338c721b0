"""Member apps and the creations library (issue 13, point 5): an app that declares
``creations`` lists a linked person's creations, fetches one, and adds one its user made
there. Every answer is one decision of the sharing gate (category ``creations``, purpose
``cross_app_features``), ledgered whatever it is; an allowed answer grants the app the
pictures it names and carries URLs signed for it alone.

An app that did not declare creations → `CreationsNotDeclared` (before anything about a
person is looked up); an unknown or unlinked user → the data API's `UnknownAppUser`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from accounts_center.domain.categories import Purpose
from accounts_center.domain.creations import CreationKind, check_title
from accounts_center.domain.errors import (
    CreationNotFound,
    CreationsNotDeclared,
    FlowDenied,
    UnknownAppUser,
)
from accounts_center.domain.policy import HUB, Flow
from accounts_center.hub import Hub
from accounts_center.services.creation_images import render_creation_image
from accounts_center.services.creations import (
    CREATIONS,
    MEDIA_URL_TTL,
    Creation,
    add_creation,
    creation_document,
    declares_creations,
    view,
)
from accounts_center.services.media import grant_media, signed_media_url
from accounts_center.services.member_apps import MemberApp
from accounts_center.services.sharing import Party, decide_flow, party, record_flow
from accounts_center.store.link_models import LinkedAccountRow
from accounts_center.store.links import ACTIVE
from accounts_center.store.unit_of_work import UnitOfWork


def creations_for_app(hub: Hub, app: MemberApp, app_user_id: str) -> list[dict[str, Any]]:
    """The person's visible creations, newest first, as the app receives them."""
    return _answer(hub, app, app_user_id, lambda uow, link: [
        view(uow, row) for row in uow.creations.of_person(link.identity_id,
                                                          include_hidden=False)])


def creation_for_app(hub: Hub, app: MemberApp, app_user_id: str,
                     creation_id: str) -> dict[str, Any]:
    """One visible creation of the person; anything else is `CreationNotFound`."""
    def find(uow: UnitOfWork, link: LinkedAccountRow) -> list[Creation]:
        row = uow.creations.get(link.identity_id, creation_id)
        return [view(uow, row)] if row is not None and not row.hidden else []

    found = _answer(hub, app, app_user_id, find)
    if not found:
        raise CreationNotFound()
    return found[0]


def add_creation_from_app(hub: Hub, app: MemberApp, app_user_id: str, data: bytes,
                          title: str | None = None) -> dict[str, Any]:
    """An image the app's user made there: decoded and re-encoded like a photo, kept as
    the person's (made in this app), and told to their other apps that declare
    creations."""
    _check_declared(app)
    clean_title = check_title(title, "Image")
    picture = render_creation_image(hub.settings, data)

    def store(uow: UnitOfWork, link: LinkedAccountRow) -> list[Creation]:
        return [add_creation(uow, hub, link.identity_id, CreationKind.IMAGE, clean_title,
                             None, picture, maker=party(app, link))]

    return _answer(hub, app, app_user_id, store)[0]


def _check_declared(app: MemberApp) -> None:
    if not declares_creations(party(app, None)):
        raise CreationsNotDeclared(app.name)


def _answer(hub: Hub, app: MemberApp, app_user_id: str,
            work: Callable[[UnitOfWork, LinkedAccountRow], list[Creation]],
            ) -> list[dict[str, Any]]:
    """One decision for the answer, ledgered; ``work`` runs only when it is allowed, in
    the same transaction."""
    _check_declared(app)
    now = hub.clock.now()
    with hub.unit_of_work() as uow:
        # Once the person removed the link, the request is still decided and ledgered
        # (refused), so they see the app still asking; the app hears only "no link".
        link = (uow.links.active_for_app_user(app.id, app_user_id)
                or uow.links.latest_removed_for_app_user(app.id, app_user_id))
        if link is None:
            raise UnknownAppUser("This app has no linked account with that user id.")
        reader = party(app, link)
        flow = Flow(HUB, app.id, link.identity_id, CREATIONS,
                    Purpose.CROSS_APP_FEATURES.value)
        decision = decide_flow(uow, flow, reader)
        creations = work(uow, link) if decision.allowed else []
        record_flow(uow, hub, flow, reader, decision, "read", now,
                    {"creations": [c.id for c in creations]} if decision.allowed else None)
        documents = [_granted(uow, hub, reader, c) for c in creations]
        uow.commit()
    if link.status != ACTIVE:
        raise UnknownAppUser("This app has no linked account with that user id.")
    if not decision.allowed:
        raise FlowDenied(decision.reason.value, "The sharing policy refused this.")
    return documents


def _granted(uow: UnitOfWork, hub: Hub, reader: Party, creation: Creation) -> dict[str, Any]:
    grant_media(uow, creation.digest, reader.app_id)
    return creation_document(creation, signed_media_url(hub, creation.digest,
                                                        reader.client_id, MEDIA_URL_TTL))
