"""`accounts-center prune`: what an operator runs to delete what has expired at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from accounts_center.domain.origin import RequestOrigin
from accounts_center.hub import build_hub
from accounts_center.services.archives import start_archive
from accounts_center.services.authorize_throttling import count_anonymous_authorize
from accounts_center.services.sign_up import sign_up
from tests.support import FakeClock, cheap_settings


def test_prune_deletes_what_expired_and_says_how_much(run, database_url):
    two_hours_ago = FakeClock(datetime.now(UTC) - timedelta(hours=2))
    hub = build_hub(cheap_settings(database_url), clock=two_hours_ago)
    try:
        ada = sign_up(hub, "ada@example.com", "correct horse battery",
                      RequestOrigin("203.0.113.5", "Firefox")).identity_id
        start_archive(hub, ada, wait=True)
        count_anonymous_authorize(hub, "203.0.113.5")
        result = run("prune")
        assert result.exit_code == 0, result.output
        # Two counters of hours ago: the sign-up's and the anonymous authorize call's.
        assert "1 archives" in result.output and "2 request counters" in result.output
        with hub.unit_of_work() as uow:
            assert uow.session.execute(text("SELECT COUNT(*) FROM archive_jobs")).scalar() == 0
        again = run("prune")
        assert again.exit_code == 0 and "0 archives" in again.output
    finally:
        hub.close()


def test_prune_on_a_database_that_is_not_migrated_fails_in_one_line(run, monkeypatch,
                                                                     tmp_path):
    monkeypatch.setenv("ACCOUNTS_CENTER_DATABASE_URL", f"sqlite:///{tmp_path / 'new.db'}")
    result = run("prune")
    assert result.exit_code == 1
    assert result.output.strip().count("\n") == 0
    assert "run `accounts-center db upgrade` first" in result.output
