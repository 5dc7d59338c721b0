"""Appending to the sharing ledger from several processes keeps one unbroken chain."""

from __future__ import annotations

from accounts_center.domain.ledger_kinds import LedgerKind
from accounts_center.domain.origin import RequestOrigin
from accounts_center.hub import build_hub
from accounts_center.services.ledger import append_entry, verify_ledger
from accounts_center.services.sign_up import sign_up
from tests.support import cheap_settings


def test_two_processes_appending_in_turn_keep_one_chain(database_url):
    first, second = (build_hub(cheap_settings(database_url)) for _ in range(2))
    try:
        person = sign_up(first, "ada@example.com", "correct horse battery",
                         RequestOrigin("127.0.0.1", "test")).identity_id
        for index, hub in enumerate([first, second, first, first, second, first]):
            with hub.unit_of_work() as uow:
                appended = append_entry(uow, hub, person, LedgerKind.DECISION, {"n": index},
                                        hub.clock.now(), values={"model": f"m{index}"})
                uow.commit()
            assert appended.entry.seq == index + 1
        result = verify_ledger(first, person)
        assert result.ok and result.checked == 6
    finally:
        first.close()
        second.close()


def test_an_append_rolled_back_leaves_no_trace_and_the_next_one_continues(hub):
    person = sign_up(hub, "ada@example.com", "correct horse battery",
                     RequestOrigin("127.0.0.1", "test")).identity_id
    with hub.unit_of_work() as uow:
        append_entry(uow, hub, person, LedgerKind.DECISION, {"n": 1}, hub.clock.now())
        uow.commit()
    with hub.unit_of_work() as uow:  # rolled back: the process's idea of the head is stale
        append_entry(uow, hub, person, LedgerKind.DECISION, {"n": 2}, hub.clock.now())
    with hub.unit_of_work() as uow:
        appended = append_entry(uow, hub, person, LedgerKind.DECISION, {"n": 3}, hub.clock.now())
        uow.commit()
    assert appended.entry.seq == 2
    assert verify_ledger(hub, person).ok
