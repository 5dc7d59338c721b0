"""0014 on a database with cross-posts: a copy whose post ended while its app's account
was still added is marked told; one whose account was removed first is kept, and so is
a copy of a live post at a removed account."""

from __future__ import annotations

from sqlalchemy import text

from accounts_center.domain.origin import RequestOrigin
from accounts_center.hub import build_hub
from accounts_center.services.crosspost_history import kept_copies
from accounts_center.services.crosspost_routes import set_crosspost_choice
from accounts_center.services.crossposts import create_crosspost, delete_crosspost
from accounts_center.services.links import unlink_account
from accounts_center.services.member_apps import register_app
from accounts_center.services.sign_up import sign_up
from accounts_center.store import migrate
from tests.image_files import jpeg_with_gps
from tests.store.test_migrations import empty_database  # noqa: F401  (the fixture)
from tests.support import FakeClock, cheap_settings, link_now

ORIGIN = RequestOrigin("127.0.0.1", "test")
CAPABILITIES = {"Chat": {"crosspost": {"sources": ["status"]}},
                "Pics": {"crosspost": {"destinations": ["story"]}},
                "Social": {"crosspost": {"destinations": ["story"]}}}


def test_copies_told_before_0014_are_marked_and_kept_ones_are_not(empty_database):  # noqa: F811
    migrate.upgrade(empty_database)
    hub = build_hub(cheap_settings(empty_database), clock=FakeClock())
    try:
        ada = sign_up(hub, "ada@example.com", "correct horse battery", ORIGIN).identity_id
        apps = {n: register_app(hub, n, [f"https://{n.lower()}.example/cb"],
                                f"https://{n.lower()}.example/h", c).app
                for n, c in CAPABILITIES.items()}
        with hub.unit_of_work() as uow:
            links = {n: link_now(uow, hub, ada, uow.member_apps.by_id(a.id), n).id
                     for n, a in apps.items()}
            uow.commit()
        for destination in ("Pics", "Social"):
            set_crosspost_choice(hub, ada, links["Chat"], links[destination], "status",
                                 "story", "always")
        # The same picture twice: the live one keeps it in the hub.
        ended, live = (create_crosspost(hub, apps["Chat"], "Chat", "status", jpeg_with_gps(),
                                        caption, None, []).id for caption in ("a", "b"))
        unlink_account(hub, ada, links["Social"], ORIGIN)
        delete_crosspost(hub, apps["Chat"], ended)
    finally:
        hub.close()

    migrate.downgrade(empty_database, "0013_crosspost_expiry")
    migrate.upgrade(empty_database)

    hub = build_hub(cheap_settings(empty_database), clock=FakeClock())
    try:
        with hub.engine.connect() as connection:
            told = connection.execute(text(
                "SELECT c.crosspost_id, c.destination_app_id FROM crosspost_copies c "
                "WHERE c.end_told_at IS NOT NULL")).all()
        assert [tuple(row) for row in told] == [(ended, apps["Pics"].id)]
        assert sorted((k.crosspost_id, k.app) for k in kept_copies(hub, ada)) == sorted(
            [(ended, "Social"), (live, "Social")])
    finally:
        hub.close()
