import pytest

from accounts_center.domain.errors import InvalidInput
from accounts_center.domain.login_names import LoginKind, parse_login_name


@pytest.mark.parametrize(("typed", "kind", "value"), [
    ("Ada@Example.COM ", LoginKind.EMAIL, "ada@example.com"),
    ("+44 20 7946 0958", LoginKind.PHONE, "+442079460958"),
    ("0044 (20) 7946-0958", LoginKind.PHONE, "+442079460958"),
    ("+1.415.555.0100", LoginKind.PHONE, "+14155550100"),
])
def test_what_people_type_is_normalised_to_one_login_name(typed, kind, value):
    name = parse_login_name(typed)
    assert (name.kind, name.value) == (kind, value)


@pytest.mark.parametrize("typed", ["", "   ", "ada@", "@example.com", "ada@example",
                                   "a b@example.com", "07946 0958", "+0123456789",
                                   "+12", "not a name", "ada@@example.com",
                                   "x" * 65 + "@example.com", "ada\x00@example.com"])
def test_unusable_login_names_are_refused_with_a_message(typed):
    with pytest.raises(InvalidInput) as refused:
        parse_login_name(typed)
    assert refused.value.field == "login"
    assert refused.value.detail
