"""The sharing ledger's chain: it verifies for every history and catches every change,
deletion, swap or cut (SECURITY-CHECKLIST 43)."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from accounts_center.domain.ledger import (
    Entry,
    field_digests,
    next_entry,
    value_digest,
    verify,
)

bodies = st.dictionaries(st.sampled_from(["app", "category", "purpose", "reason", "fields"]),
                         st.one_of(st.text(max_size=12), st.integers(), st.booleans()),
                         max_size=4)
histories = st.lists(st.tuples(st.sampled_from(["decision", "consent", "link", "unlink"]),
                               bodies), min_size=1, max_size=25)


def chain(history) -> list[Entry]:
    entries: list[Entry] = []
    for index, (kind, body) in enumerate(history):
        entries.append(next_entry(entries[-1] if entries else None,
                                  f"2026-11-25T10:{index // 60:02d}:{index % 60:02d}Z",
                                  kind, body))
    return entries


@settings(max_examples=200)
@given(histories)
def test_every_generated_history_verifies(history):
    entries = chain(history)
    result = verify(entries, entries[-1].seq, entries[-1].hash)
    assert result.ok and result.checked == len(entries) and result.head_hash == entries[-1].hash


@settings(max_examples=200)
@given(histories, st.data())
def test_changing_any_single_entry_is_caught_at_that_entry(history, data):
    entries = chain(history)
    index = data.draw(st.integers(0, len(entries) - 1))
    target = entries[index]
    what = data.draw(st.sampled_from(["kind", "at", "body"]))
    if what == "kind":
        changed = dataclasses.replace(target, kind=target.kind + "!")
    elif what == "at":
        changed = dataclasses.replace(target, at="2030-01-01T00:00:00Z")
    else:
        changed = dataclasses.replace(target, body={**target.body, "reason": "forged"}
                                      if target.body.get("reason") != "forged" else {})
    tampered = [*entries[:index], changed, *entries[index + 1:]]
    result = verify(tampered, entries[-1].seq, entries[-1].hash)
    assert not result.ok and result.first_bad_seq == target.seq


@settings(max_examples=200)
@given(histories.filter(lambda h: len(h) >= 2), st.data())
def test_deleting_or_swapping_entries_is_caught(history, data):
    entries = chain(history)
    index = data.draw(st.integers(0, len(entries) - 1))
    deleted = [*entries[:index], *entries[index + 1:]]
    result = verify(deleted, entries[-1].seq, entries[-1].hash)
    assert not result.ok and result.first_bad_seq == entries[index].seq
    first = data.draw(st.integers(0, len(entries) - 2))
    swapped = list(entries)
    swapped[first], swapped[first + 1] = swapped[first + 1], swapped[first]
    result = verify(swapped, entries[-1].seq, entries[-1].hash)
    assert not result.ok and result.first_bad_seq == entries[first].seq


def test_a_rewritten_chain_does_not_match_the_recorded_head():
    entries = chain([("decision", {"reason": "allowed"}), ("consent", {"on": True})])
    forged = chain([("decision", {"reason": "allowed"}), ("consent", {"on": False})])
    result = verify(forged, entries[-1].seq, entries[-1].hash)
    assert not result.ok and result.first_bad_seq == 2


def test_values_are_recorded_as_keyed_digests_only():
    key = b"k" * 32
    recorded = field_digests(key, {"birth_date": "2011-04-02", "model": "Pixel 9"})
    assert set(recorded) == {"birth_date", "model"}
    assert "2011-04-02" not in str(recorded)
    assert recorded["birth_date"] == value_digest(key, "2011-04-02")
    assert recorded["birth_date"] != value_digest(b"x" * 32, "2011-04-02")
