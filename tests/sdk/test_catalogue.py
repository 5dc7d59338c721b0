"""The SDK's typed events and the hub's event catalogue (`domain/events.py`) are one list:
a type or a field added on one side only fails here (issue 10, point 2)."""

from __future__ import annotations

import dataclasses

from accounts_center.domain.events import CATALOGUE, COMMON_FIELDS, EventType
from accounts_center_sdk import Event
from accounts_center_sdk import webhooks as sdk


def test_the_sdk_knows_exactly_the_catalogues_event_types():
    assert set(sdk._TYPES) == {event.value for event in EventType}


def test_each_typed_event_has_exactly_the_catalogues_fields():
    for event_type, spec in CATALOGUE.items():
        cls, fields = sdk._TYPES[event_type.value]
        assert fields == spec.fields, event_type
        own = {f.name for f in dataclasses.fields(cls)} - {
            f.name for f in dataclasses.fields(Event)}
        assert own == set(spec.fields), event_type


def test_every_event_carries_the_common_fields_on_both_sides():
    assert sdk.COMMON_FIELDS == COMMON_FIELDS
    assert set(COMMON_FIELDS) <= {f.name for f in dataclasses.fields(Event)}
