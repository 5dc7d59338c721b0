"""Age bands and conservative reconciliation (DESIGN §2: the youngest claim applies until
the person confirms a birth date). Apps only ever see the band."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum

from accounts_center.domain.errors import InvalidInput


class AgeBand(StrEnum):
    UNDER_13 = "under_13"
    TEEN = "13_17"
    ADULT = "18_plus"


def parse_birth_date(text: object) -> date:
    if not isinstance(text, str) or len(text) != 10:
        raise InvalidInput("birth_date must be a date as YYYY-MM-DD", field="birth_date")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput("birth_date must be a date as YYYY-MM-DD",
                           field="birth_date") from None


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def band_of(birth: date, today: date) -> AgeBand:
    years = age_on(birth, today)
    if years < 13:
        return AgeBand.UNDER_13
    return AgeBand.TEEN if years < 18 else AgeBand.ADULT


def reconciled_birth_date(claims: Iterable[date], confirmed: date | None) -> date | None:
    """The person's confirmation wins; otherwise the youngest claim (latest birth date)."""
    if confirmed is not None:
        return confirmed
    return max(claims, default=None)
