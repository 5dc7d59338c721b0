"""Migrations: empty → head on both databases, models match migrations, and upgrading a
database that holds data keeps the data."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from joserfc.jwk import RSAKey
from sqlalchemy import create_engine, inspect, text

from accounts_center.domain.ledger import next_entry
from accounts_center.domain.origin import RequestOrigin
from accounts_center.hub import build_hub
from accounts_center.oidc.grants import grant_user_for
from accounts_center.services.deliveries import queue_overview
from accounts_center.services.ledger import seal_unsealed, verify_ledger
from accounts_center.services.log_in import log_in
from accounts_center.services.member_apps import (
    register_app,
    rotate_webhook_secret,
    show_app,
)
from accounts_center.services.profiles import (
    edit_profile,
    read_profile,
    set_sync,
    sync_switches,
)
from accounts_center.services.sign_up import sign_up
from accounts_center.services.signing_keys import (
    active_signing_key,
    list_signing_keys,
    published_jwks,
)
from accounts_center.store import migrate
from accounts_center.store.engine import make_engine
from accounts_center.store.schema import metadata
from tests.conftest import POSTGRES_URL, with_search_path
from tests.delivery.support import write_events
from tests.support import FakeClock, cheap_settings, link_now

BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


@pytest.fixture(params=BACKENDS)
def empty_database(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    schema = f"ac_migrate_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield with_search_path(POSTGRES_URL, schema)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_an_empty_database_upgrades_to_head_with_every_table(empty_database):
    migrate.upgrade(empty_database)
    engine = make_engine(empty_database)
    try:
        tables = set(inspect(engine).get_table_names())
        assert {t.name for t in metadata.sorted_tables} <= tables
        assert migrate.current_revision(engine) == migrate.head_revision()
    finally:
        engine.dispose()


def test_the_models_and_the_migrations_agree(empty_database):
    migrate.upgrade(empty_database)
    migrate.check(empty_database)  # raises when autogenerate would find a difference


def test_downgrade_to_base_and_back_up(empty_database):
    migrate.upgrade(empty_database)
    migrate.downgrade(empty_database, "base")
    migrate.upgrade(empty_database)
    migrate.check(empty_database)


def test_upgrading_a_database_that_holds_data_keeps_it(empty_database):
    migrate.upgrade(empty_database)
    hub = build_hub(cheap_settings(empty_database), clock=FakeClock())
    origin = RequestOrigin("203.0.113.5", "Firefox")
    sign_up(hub, "ada@example.com", "correct horse battery", origin)
    register_app(hub, "Chat", ["https://chat.example/cb"], "https://chat.example/hook",
                 {"sends": ["device"]})
    hub.close()

    migrate.upgrade(empty_database)  # what `serve` does on every start

    hub = build_hub(cheap_settings(empty_database), clock=FakeClock())
    try:
        assert log_in(hub, "ada@example.com", "correct horse battery", origin).is_full
        assert show_app(hub, "Chat").webhook_url == "https://chat.example/hook"
    finally:
        hub.close()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'hub.db'}")
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()


def test_apps_registered_before_linking_get_their_own_subject_salt(empty_database):
    migrate.upgrade(empty_database, "0001")
    engine = make_engine(empty_database)
    try:
        with engine.begin() as connection:
            for name in ("Chat", "Pics"):
                connection.execute(text(
                    "INSERT INTO member_apps (id, name, client_id, client_secret_digest, "
                    "redirect_uris, webhook_url, capabilities, created_at, secret_rotated_at) "
                    "VALUES (:id, :name, :client, 'x', '[]', 'https://a.example/h', '{}', "
                    "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
                    {"id": f"id-{name}", "name": name, "client": f"app_{name}"})
        migrate.upgrade(empty_database)
        with engine.connect() as connection:
            salts = connection.execute(text(
                "SELECT subject_salt FROM member_apps")).scalars().all()
    finally:
        engine.dispose()
    assert len(salts) == 2 and len(set(salts)) == 2 and all(len(s) == 64 for s in salts)


def test_events_written_before_delivery_existed_are_queued_in_order(empty_database):
    """0006 on a database with an app and outbox events: they become pending deliveries
    numbered in the order written; the app has no webhook secret until one is issued, and
    only then are its events claimable."""
    migrate.upgrade(empty_database, "0005")
    engine = make_engine(empty_database)
    try:
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO member_apps (id, name, client_id, client_secret_digest, "
                "redirect_uris, webhook_url, capabilities, created_at, secret_rotated_at, "
                "subject_salt, post_logout_redirect_uris) VALUES ('app-1', 'Chat', "
                "'app_chat', 'x', '[]', 'https://chat.example/h', '{}', CURRENT_TIMESTAMP, "
                "CURRENT_TIMESTAMP, :salt, '[]')"), {"salt": "0" * 64})
            for n, moment in enumerate(["2026-11-20 10:00:02", "2026-11-20 10:00:01",
                                        "2026-11-20 10:00:03"]):
                connection.execute(text(
                    "INSERT INTO outbox_events (id, app_id, identity_id, type, payload, "
                    "created_at) VALUES (:id, 'app-1', 'person', 'account.linked', '{}', "
                    ":at)"), {"id": f"event-{n}", "at": moment})
        migrate.upgrade(empty_database)
        with engine.connect() as connection:
            rows = connection.execute(text(
                "SELECT id, seq, status, attempts, next_attempt_at FROM outbox_events "
                "ORDER BY seq")).all()
    finally:
        engine.dispose()
    assert [r.id for r in rows] == ["event-1", "event-0", "event-2"]
    assert all(r.status == "pending" and r.attempts == 0 and r.next_attempt_at for r in rows)

    hub = build_hub(cheap_settings(empty_database), clock=FakeClock(
        datetime(2026, 11, 25, tzinfo=UTC)))
    try:
        now = hub.clock.now()
        with hub.unit_of_work() as uow:
            assert uow.outbox.claim(now, now + timedelta(minutes=1), 10) == []
        assert "no secret" in queue_overview(hub)[0].endpoint
        rotate_webhook_secret(hub, "Chat", timedelta(hours=1))
        with hub.unit_of_work() as uow:
            claimed = uow.outbox.claim(now, now + timedelta(minutes=1), 10)
        assert [c.id for c in claimed] == ["event-1"]  # the others wait: same person
        chat = register_app(hub, "Pics", ["https://pics.example/cb"], "https://pics.example/h")
        write_events(hub, chat.app.id, ["someone"])  # numbering goes on after the old ones
        with hub.unit_of_work() as uow:
            assert [e.seq for e in uow.outbox.for_app(chat.app.id)] == [4]
    finally:
        hub.close()


def test_signing_keys_made_before_0007_sign_since_they_were_created(empty_database):
    """0007 on a database with a retired key (still published) and the key that replaced
    it: both keep their roles, the current one signs on, and both stay in JWKS."""
    migrate.upgrade(empty_database, "0006")
    hub = build_hub(cheap_settings(empty_database), clock=FakeClock(
        datetime(2026, 11, 25, 12, 0, tzinfo=UTC)))
    jwk = {"kty": "RSA", "n": "x", "e": "AQAB"}
    try:
        with hub.engine.begin() as connection:
            for kid, created, retired, until in (
                    ("old-key", "2026-11-20 09:00:00", "2026-11-25 11:55:00",
                     "2026-11-25 12:10:00"),
                    ("current-key", "2026-11-25 11:55:00", None, None)):
                connection.execute(text(
                    "INSERT INTO signing_keys (kid, alg, public_jwk, private_jwk_sealed, "
                    "created_at, retired_at, publish_until) VALUES (:kid, 'RS256', :jwk, "
                    ":sealed, :created, :retired, :until)"),
                    {"kid": kid, "jwk": json.dumps({**jwk, "kid": kid}),
                     "sealed": hub.secret_box.seal(json.dumps(
                         RSAKey.generate_key(2048, parameters={"kid": kid}).as_dict(
                             private=True))),
                     "created": created, "retired": retired, "until": until})
        migrate.upgrade(empty_database)
        with hub.engine.connect() as connection:
            rows = dict(connection.execute(text(
                "SELECT kid, signs_from FROM signing_keys")).all())
        assert str(rows["current-key"]).startswith("2026-11-25 11:55:00")
        assert str(rows["old-key"]).startswith("2026-11-20 09:00:00")
        states = {key.kid: key.state for key in list_signing_keys(hub)}
        assert states == {"current-key": "signing",
                          "old-key": "published until 2026-11-25 12:10 UTC"}
        assert active_signing_key(hub).kid == "current-key"
        assert {k["kid"] for k in published_jwks(hub)["keys"]} == {"current-key", "old-key"}
    finally:
        hub.close()


def test_0008_keeps_links_active_and_seals_existing_ledgers_on_request(empty_database):
    """A ledger and a link written before 0008: the link stays active and usable; the
    entries verify once `ledger seal` (run by `serve` on start) has sealed them."""
    migrate.upgrade(empty_database, "0007")
    hub = build_hub(cheap_settings(empty_database), clock=FakeClock())
    try:
        with hub.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO identities (id, email, password_hash, password_changed_at, "
                "created_at) VALUES ('p1', 'ada@example.com', 'x', :at, :at)"),
                {"at": "2026-11-20 09:00:00"})
            connection.execute(text(
                "INSERT INTO member_apps (id, name, client_id, client_secret_digest, "
                "redirect_uris, webhook_url, capabilities, created_at, secret_rotated_at, "
                "subject_salt, post_logout_redirect_uris) VALUES ('a1', 'Chat', 'app_c', "
                "'d', '[]', 'https://chat.example/hooks', '{}', :at, :at, 'salt', '[]')"),
                {"at": "2026-11-20 09:00:00"})
            connection.execute(text(
                "INSERT INTO linked_accounts (id, identity_id, app_id, app_user_id, handle, "
                "status, sign_in_enabled, linked_at) VALUES ('l1', 'p1', 'a1', 'u1', '@ada', "
                "'active', true, :at)"), {"at": "2026-11-20 09:00:00"})
            previous = None
            for seq in (1, 2):
                entry = next_entry(previous, f"2026-11-20T09:00:0{seq}.000000Z", "link",
                                   {"app": "Chat", "n": seq})
                connection.execute(text(
                    "INSERT INTO ledger_entries (identity_id, seq, at, kind, body, prev_hash, "
                    "hash) VALUES ('p1', :seq, :at, :kind, :body, :prev, :hash)"),
                    {"seq": seq, "at": entry.at, "kind": entry.kind,
                     "body": json.dumps(dict(entry.body)), "prev": entry.prev_hash,
                     "hash": entry.hash})
                previous = entry
            assert previous is not None
            connection.execute(text(
                "INSERT INTO ledger_heads (identity_id, seq, hash, digest_key_sealed) VALUES "
                "('p1', 2, :hash, :key)"), {"hash": previous.hash,
                                             "key": hub.secret_box.seal("a2V5")})
        migrate.upgrade(empty_database)
        with hub.unit_of_work() as uow:
            assert grant_user_for(uow, "l1", 0) is not None  # still active, still signs in
        before = verify_ledger(hub, "p1")
        assert not before.ok and "no seal" in (before.problem or "")
        assert seal_unsealed(hub) == 2
        assert verify_ledger(hub, "p1").ok
    finally:
        hub.close()


def test_0010_profiles_leaves_existing_links_unsynced_and_profiles_usable(empty_database):
    """A person with an active link before 0010: after it, they have no profile yet, the
    link syncs nothing (off by default), and both can be set; downgrading keeps the link."""
    migrate.upgrade(empty_database, "0008")
    hub = build_hub(cheap_settings(empty_database), clock=FakeClock())
    try:
        person = sign_up(hub, "ada@example.com", "correct horse battery",
                         RequestOrigin("203.0.113.5", "Firefox")).identity_id
        app = register_app(hub, "Chat", ["https://chat.example/cb"],
                           "https://chat.example/hook", {"receives": ["account_details"]}).app
        with hub.unit_of_work() as uow:
            link_id = link_now(uow, hub, person, uow.member_apps.by_id(app.id), "u1").id
            uow.commit()
        migrate.upgrade(empty_database)
        assert read_profile(hub, person).name is None
        assert [s.enabled for s in sync_switches(hub, person)] == [
            {"name": False, "photo": False, "avatar": False}]
        set_sync(hub, person, link_id, "name", True)
        edit_profile(hub, person, {"name": "Ada"})
        assert read_profile(hub, person).name == "Ada"
        migrate.downgrade(empty_database, "0008")
        with hub.unit_of_work() as uow:
            assert grant_user_for(uow, link_id, 0) is not None
    finally:
        hub.close()


def test_the_media_store_arrives_on_a_database_that_holds_data(empty_database):
    """0009_media_store on a database with a person and an app: both stay, and the
    person can then have a profile photo that the app is granted."""
    from accounts_center.services.media import grant_media, media_for_app
    from accounts_center.services.profile_photos import profile_photo_of, set_profile_photo
    from tests.image_files import jpeg_with_gps

    migrate.upgrade(empty_database, "0008")
    hub = build_hub(cheap_settings(empty_database), clock=FakeClock())
    origin = RequestOrigin("203.0.113.5", "Firefox")
    ada = sign_up(hub, "ada@example.com", "correct horse battery", origin).identity_id
    pics = register_app(hub, "Pics", ["https://pics.example/cb"], "https://pics.example/h")
    hub.close()

    migrate.upgrade(empty_database, "0009_media_store")
    engine = make_engine(empty_database)
    try:
        assert migrate.current_revision(engine) == "0009_media_store"
    finally:
        engine.dispose()

    hub = build_hub(cheap_settings(empty_database), clock=FakeClock())
    try:
        assert log_in(hub, "ada@example.com", "correct horse battery", origin).is_full
        photo = set_profile_photo(hub, ada, jpeg_with_gps())
        assert profile_photo_of(hub, ada) == photo
        with hub.unit_of_work() as uow:
            grant_media(uow, photo.small, pics.app.id)
            uow.commit()
        assert media_for_app(hub, pics.app, photo.small).media_type == "image/jpeg"
    finally:
        hub.close()
    migrate.downgrade(empty_database, "0008")  # and back, the tables gone
    engine = make_engine(empty_database)
    try:
        assert "media_blobs" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_0011_creations_arrives_on_a_database_that_holds_data(empty_database):
    """0011 on a database with a person, a profile photo and a linked app that declares
    creations: all stay, the person has no creations yet, then makes one the app lists;
    downgrading drops the table and keeps the rest."""
    from accounts_center.services.app_creations import creations_for_app
    from accounts_center.services.creations import list_creations, upload_creation
    from accounts_center.services.profile_photos import profile_photo_of, set_profile_photo
    from tests.image_files import jpeg_with_gps

    migrate.upgrade(empty_database, "0010_profiles")
    hub = build_hub(cheap_settings(empty_database), clock=FakeClock())
    try:
        ada = sign_up(hub, "ada@example.com", "correct horse battery",
                      RequestOrigin("203.0.113.5", "Firefox")).identity_id
        pics = register_app(hub, "Pics", ["https://pics.example/cb"],
                            "https://pics.example/h", {"creations": True}).app
        photo = set_profile_photo(hub, ada, jpeg_with_gps())
        with hub.unit_of_work() as uow:
            link_now(uow, hub, ada, uow.member_apps.by_id(pics.id), "pics-ada")
            uow.commit()
        migrate.upgrade(empty_database)
        assert list_creations(hub, ada) == []
        assert profile_photo_of(hub, ada) == photo
        made = upload_creation(hub, ada, jpeg_with_gps(), "First")
        [listed] = creations_for_app(hub, show_app(hub, "Pics"), "pics-ada")
        assert listed["id"] == made.id
        migrate.downgrade(empty_database, "0010_profiles")
        assert "creations" not in inspect(hub.engine).get_table_names()
        assert profile_photo_of(hub, ada) == photo
    finally:
        hub.close()


def test_0012_crossposts_arrives_on_a_database_that_holds_data(empty_database):
    """0012 on a database with a person linked to a Status source and a Story destination
    (and a creation): all stay, every pair is off and the matrix is the default; then the
    person chooses and a post goes out; downgrading drops the tables and keeps the rest."""
    from accounts_center.domain.categories import CrossPostType
    from accounts_center.services.creations import list_creations, upload_creation
    from accounts_center.services.crosspost_routes import (
        crosspost_choices,
        direction_matrix,
        set_crosspost_choice,
    )
    from accounts_center.services.crossposts import create_crosspost
    from tests.image_files import jpeg_with_gps

    migrate.upgrade(empty_database, "0011_creations")
    hub = build_hub(cheap_settings(empty_database), clock=FakeClock())
    try:
        ada = sign_up(hub, "ada@example.com", "correct horse battery",
                      RequestOrigin("203.0.113.5", "Firefox")).identity_id
        chat = register_app(hub, "Chat", ["https://chat.example/cb"], "https://chat.example/h",
                            {"crosspost": {"sources": ["status"]}}).app
        pics = register_app(hub, "Pics", ["https://pics.example/cb"], "https://pics.example/h",
                            {"crosspost": {"destinations": ["story"]}, "creations": True}).app
        with hub.unit_of_work() as uow:
            chat_link = link_now(uow, hub, ada, uow.member_apps.by_id(chat.id), "chat-ada").id
            pics_link = link_now(uow, hub, ada, uow.member_apps.by_id(pics.id), "pics-ada").id
            uow.commit()
        made = upload_creation(hub, ada, jpeg_with_gps(), "Kept")
        migrate.upgrade(empty_database)
        assert direction_matrix(hub).allows(CrossPostType.STATUS, CrossPostType.STORY)
        [pair] = crosspost_choices(hub, ada)
        assert (pair.source_app, pair.destination_app, pair.mode.value) == ("Chat", "Pics",
                                                                            "off")
        assert set_crosspost_choice(hub, ada, chat_link, pics_link, "status", "story",
                                    "always")
        posted = create_crosspost(hub, show_app(hub, "Chat"), "chat-ada", "status",
                                  jpeg_with_gps(), "Hello", None, [])
        assert [c.state for c in posted.destinations] == ["sent"]
        migrate.downgrade(empty_database, "0011_creations")
        tables = set(inspect(hub.engine).get_table_names())
        assert not tables & {"crossposts", "crosspost_copies", "crosspost_choices",
                             "crosspost_directions"}
        assert [c.id for c in list_creations(hub, ada)] == [made.id]
        assert show_app(hub, "Pics").capabilities.crosspost_destinations == {
            CrossPostType.STORY}
    finally:
        hub.close()
