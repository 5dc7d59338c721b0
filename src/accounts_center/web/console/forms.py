"""Form field types shared by the console and provider pages: every field is bounded."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form

FormText = Annotated[str, Form(max_length=1024)]
# ID token hints are JWTs: longer than any field a person types.
LongFormText = Annotated[str, Form(max_length=8192)]
