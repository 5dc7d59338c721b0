"""`accounts-center ledger verify` as an operator (or an auditor) runs it."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from accounts_center.cli.main import app
from accounts_center.domain.ledger_kinds import LedgerKind
from accounts_center.domain.origin import RequestOrigin
from accounts_center.hub import build_hub
from accounts_center.services.ledger import append_entry
from accounts_center.services.sign_up import sign_up
from tests.support import TEST_SECRET_KEY, cheap_settings


@pytest.fixture
def person_with_ledger(database_url):
    hub = build_hub(cheap_settings(database_url))
    try:
        session = sign_up(hub, "ada@example.com", "correct horse battery",
                          RequestOrigin("127.0.0.1", "test"))
        with hub.unit_of_work() as uow:
            for index in range(3):
                append_entry(uow, hub, session.identity_id, LedgerKind.DECISION,
                             {"reason": "allowed", "n": index}, hub.clock.now(),
                             values={"model": f"phone {index}"})
            uow.commit()
        yield hub, session.identity_id
    finally:
        hub.close()


@pytest.fixture
def run(database_url, monkeypatch, tmp_path):
    monkeypatch.setenv("ACCOUNTS_CENTER_DATABASE_URL", database_url)
    monkeypatch.setenv("ACCOUNTS_CENTER_SECRET_KEY", TEST_SECRET_KEY)
    monkeypatch.chdir(tmp_path)
    return lambda *args: CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})


def test_an_untouched_ledger_verifies(run, person_with_ledger):
    _, person = person_with_ledger
    everyone = run("ledger", "verify")
    assert everyone.exit_code == 0 and "3 entries verify" in everyone.output
    one = run("ledger", "verify", "--person", person)
    assert one.exit_code == 0 and "1 ledger(s), 3 entries" in one.output


@pytest.mark.parametrize(("tamper", "first_bad"), [
    ("UPDATE ledger_entries SET kind = 'consent' WHERE seq = 2", 2),
    ("DELETE FROM ledger_entries WHERE seq = 1", 1),
    ("DELETE FROM ledger_entries WHERE seq = 3", 3),
])
def test_a_changed_or_deleted_entry_is_named_and_the_exit_is_non_zero(
        run, person_with_ledger, tamper, first_bad):
    hub, person = person_with_ledger
    with hub.engine.begin() as connection:
        connection.execute(text(tamper))
    result = run("ledger", "verify")
    assert result.exit_code == 1
    assert f"first bad entry: {first_bad}" in result.output
    assert person in result.output and len(result.output.strip().splitlines()) == 1
