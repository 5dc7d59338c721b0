import pytest

from accounts_center.domain.errors import InvalidInput
from accounts_center.domain.password_policy import MAX_LENGTH, MIN_LENGTH, check_new_password


def test_a_long_enough_password_is_accepted():
    check_new_password("correct horse battery", login_value="ada@example.com")


@pytest.mark.parametrize("password", ["x" * (MIN_LENGTH - 1), "x" * (MAX_LENGTH + 1),
                                      "Ada@Example.com"])
def test_short_huge_or_login_equal_passwords_are_refused(password):
    with pytest.raises(InvalidInput, match="password"):
        check_new_password(password, login_value="ada@example.com")
