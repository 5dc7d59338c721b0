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
from accounts_center.services.receipts import receipt_now
from accounts_center.services.sign_up import sign_up
from tests.ledger_tampering import cut_tail, rewrite_from
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


def test_a_full_rewrite_is_named_by_its_seal(run, person_with_ledger):
    hub, person = person_with_ledger
    rewrite_from(hub, person, 2)
    result = run("ledger", "verify")
    assert result.exit_code == 1 and "first bad entry: 2" in result.output
    assert "seal" in result.output


def test_receipts_given_out_prove_the_ledger_still_extends_them(run, person_with_ledger,
                                                                 tmp_path):
    hub, person = person_with_ledger
    receipts = tmp_path / "receipts.txt"
    receipts.write_text(receipt_now(hub, person) + "\n\n")
    kept = run("ledger", "verify", "--receipt", str(receipts))
    assert kept.exit_code == 0 and "1 receipt(s) are extended" in kept.output
    cut_tail(hub, person, 1)
    assert run("ledger", "verify").exit_code == 0  # the database alone cannot tell
    cut = run("ledger", "verify", "--receipt", str(receipts))
    assert cut.exit_code == 1 and "entry 3 is missing" in cut.output
    assert f"{receipts}:1" in cut.output and len(cut.output.strip().splitlines()) == 1


def test_a_file_without_a_valid_receipt_gets_one_line_and_exit_2(run, person_with_ledger,
                                                                 tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("eyJhbGciOiJub25lIn0.e30.\n")
    result = run("ledger", "verify", "--receipt", str(bad))
    assert result.exit_code == 2 and "not valid" in result.output
    assert len(result.output.strip().splitlines()) == 1
    missing = run("ledger", "verify", "--receipt", str(tmp_path / "nope.txt"))
    assert missing.exit_code == 2 and "cannot read" in missing.output


def test_seal_seals_entries_written_before_seals(run, person_with_ledger):
    hub, _ = person_with_ledger
    with hub.engine.begin() as connection:
        connection.execute(text("UPDATE ledger_entries SET seal = NULL"))
    assert run("ledger", "verify").exit_code == 1
    sealed = run("ledger", "seal")
    assert sealed.exit_code == 0 and "Sealed 3 entries" in sealed.output
    assert run("ledger", "verify").exit_code == 0
    assert "Every entry is sealed" in run("ledger", "seal").output
