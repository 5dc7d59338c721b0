import pytest
from hypothesis import given
from hypothesis import strategies as st

from accounts_center.domain.capabilities import parse_capabilities
from accounts_center.domain.categories import NEVER_SHARED, DataCategory
from accounts_center.domain.errors import InvalidInput, NeverSharedCategory

SHAREABLE = [c.value for c in DataCategory]


def test_a_full_document_is_parsed_and_round_trips():
    document = {"sends": ["device", "activity"], "receives": ["account_details"],
                "crosspost": {"sources": ["status"], "destinations": []},
                "creations": True, "ad_use": False, "multiple_accounts_per_identity": False}
    parsed = parse_capabilities(document)
    assert parsed.sends == {DataCategory.DEVICE, DataCategory.ACTIVITY}
    assert parse_capabilities(parsed.to_document()) == parsed


def test_an_empty_document_declares_nothing():
    parsed = parse_capabilities({})
    assert not parsed.sends and not parsed.receives and not parsed.ad_use


@pytest.mark.parametrize(("document", "field"), [
    ({"sends": ["device", "telepathy"]}, "sends[1]"),
    ({"receives": "device"}, "receives"),
    ({"sends": [3]}, "sends[0]"),
    ({"crosspost": {"sources": ["reel"]}}, "crosspost.sources[0]"),
    ({"crosspost": {"targets": []}}, "crosspost.targets"),
    ({"crosspost": []}, "crosspost"),
    ({"ad_use": "yes"}, "ad_use"),
    ({"send": ["device"]}, "send"),
    (["device"], "(root)"),
])
def test_errors_name_the_field_that_is_wrong(document, field):
    with pytest.raises(InvalidInput) as refused:
        parse_capabilities(document)
    assert refused.value.field == field
    assert field in refused.value.detail or field == "(root)"


@given(never=st.sampled_from(sorted(NEVER_SHARED)),
       others=st.lists(st.sampled_from(SHAREABLE), max_size=5),
       where=st.sampled_from(["sends", "receives"]),
       position=st.integers(min_value=0, max_value=5))
def test_no_capability_document_can_make_a_never_shared_category_shareable(
        never, others, where, position):
    listed = list(others)
    listed.insert(min(position, len(listed)), never)
    with pytest.raises(NeverSharedCategory) as refused:
        parse_capabilities({where: listed})
    assert never in refused.value.detail
    assert refused.value.field == f"{where}[{listed.index(never)}]"
