"""Authlib request objects built from already-read Starlette request data (Authlib is
synchronous; the body is read by the async handler first)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from authlib.oauth2.rfc6749 import OAuth2Payload, OAuth2Request
from starlette.datastructures import Headers


class FormPayload(OAuth2Payload):
    def __init__(self, items: Iterable[tuple[str, str]]) -> None:
        self._datalist: defaultdict[str, list[str]] = defaultdict(list)
        for key, value in items:
            self._datalist[key].append(value)
        self._data = {key: values[0] for key, values in self._datalist.items()}

    @property
    def data(self) -> dict[str, str]:
        return self._data

    @property
    def datalist(self) -> defaultdict[str, list[str]]:
        return self._datalist


class HubOAuth2Request(OAuth2Request):
    def __init__(self, method: str, uri: str, headers: Mapping[str, str],
                 query: Iterable[tuple[str, str]], form: Iterable[tuple[str, str]],
                 uow: Any = None) -> None:
        # Header look-ups must ignore case (Authlib asks for "Authorization").
        if not isinstance(headers, Headers):
            headers = Headers(headers=dict(headers))
        super().__init__(method=method, uri=uri, headers=headers)
        query, form = list(query), list(form)
        self._args = dict(query)
        self._form = dict(form)
        self.payload = FormPayload(form if method == "POST" else query)
        # The dicts above keep one value of each: a name sent twice is an error, never a
        # silent choice (RFC 6749 §3.1, §3.2), so the endpoints ask for these first.
        self.repeated = repeated_names(form if method == "POST" else query)
        self.uow = uow

    @property
    def args(self) -> dict[str, str | None]:
        return dict(self._args)

    @property
    def form(self) -> dict[str, str]:
        return self._form


def repeated_names(items: Iterable[tuple[str, str]]) -> list[str]:
    """The parameter names given more than once, in the order first seen."""
    seen: set[str] = set()
    repeated: list[str] = []
    for name, _ in items:
        if name in seen and name not in repeated:
            repeated.append(name)
        seen.add(name)
    return repeated
