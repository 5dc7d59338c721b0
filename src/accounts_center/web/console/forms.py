"""Form field types shared by the console and provider pages: every field is bounded, and
holds no control character but tab and line breaks (PostgreSQL text cannot hold NUL; no
field a person types needs the others)."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Form
from pydantic import AfterValidator

from accounts_center.domain.errors import AccountsCenterError, InvalidInputs

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _without_control_characters(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("must not contain control characters")
    return value


FormText = Annotated[str, Form(max_length=1024), AfterValidator(_without_control_characters)]
# ID token hints are JWTs: longer than any field a person types.
LongFormText = Annotated[str, Form(max_length=8192),
                         AfterValidator(_without_control_characters)]


def field_errors(error: AccountsCenterError) -> dict[str, list[str]]:
    """Each message of a refused form under the field it is about, to show next to that
    field; "" holds those about the form as a whole (a throttled address)."""
    grouped: dict[str, list[str]] = {}
    for problem in error.problems if isinstance(error, InvalidInputs) else (error,):
        grouped.setdefault(problem.field or "", []).append(problem.detail)
    return grouped
