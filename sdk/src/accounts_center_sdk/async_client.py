"""``AsyncAccountsCenter``: the same calls as ``AccountsCenter``, for asyncio apps."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, TypeVar

import httpx

from accounts_center_sdk.client import DEFAULT_TIMEOUT
from accounts_center_sdk.creations import Creation
from accounts_center_sdk.crossposts import CopyReported, CrossPost, CrossPostDestination
from accounts_center_sdk.flows import Authorization, Pending, SignedIn, Tokens
from accounts_center_sdk.operations import Operation, Operations, unreachable

T = TypeVar("T")


class AsyncAccountsCenter:
    """See ``AccountsCenter``; every method is a coroutine."""

    def __init__(self, issuer: str, client_id: str, client_secret: str, redirect_uri: str,
                 *, http: httpx.AsyncClient | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self._ops = Operations(issuer, client_id, client_secret, redirect_uri, clock)
        self._owns_http = http is None
        self._http = http or httpx.AsyncClient(timeout=DEFAULT_TIMEOUT, follow_redirects=False)

    async def start_link(self, app_user_id: str, handle: str,
                         birth_date: str | None = None) -> Authorization:
        return await self._run(self._ops.start_link(app_user_id, handle, birth_date))

    async def start_sign_in(self, prompt: str | None = None,
                            max_age: int | None = None) -> Authorization:
        return await self._run(self._ops.start_sign_in(prompt, max_age))

    async def finish(self, pending: Pending, callback: Mapping[str, str]) -> SignedIn:
        return await self._run(self._ops.finish(pending, callback))

    async def refresh(self, refresh_token: str) -> Tokens:
        return await self._run(self._ops.refresh(refresh_token))

    async def revoke(self, token: str) -> None:
        await self._run(self._ops.revoke(token))

    async def unlink(self, app_user_id: str) -> None:
        await self._run(self._ops.unlink(app_user_id))

    async def push(self, app_user_id: str, category: str, fields: Mapping[str, Any],
                   purpose: str = "security_and_integrity") -> None:
        await self._run(self._ops.push(app_user_id, category, fields, purpose))

    async def read(self, app_user_id: str, category: str,
                   purpose: str = "cross_app_features") -> list[dict[str, Any]]:
        return await self._run(self._ops.read(app_user_id, category, purpose))

    async def read_profile(self, app_user_id: str) -> dict[str, Any]:
        return await self._run(self._ops.read_profile(app_user_id))

    async def update_profile(self, app_user_id: str, **fields: Any) -> dict[str, bool]:
        return await self._run(self._ops.update_profile(app_user_id, fields))

    async def list_creations(self, app_user_id: str) -> list[Creation]:
        return await self._run(self._ops.list_creations(app_user_id))

    async def get_creation(self, app_user_id: str, creation_id: str) -> Creation:
        return await self._run(self._ops.get_creation(app_user_id, creation_id))

    async def add_creation(self, app_user_id: str, content: bytes, media_type: str,
                           title: str | None = None) -> Creation:
        return await self._run(self._ops.add_creation(app_user_id, content, media_type,
                                                      title))

    async def crosspost_destinations(self, app_user_id: str,
                                     post_type: str) -> list[CrossPostDestination]:
        return await self._run(self._ops.crosspost_destinations(app_user_id, post_type))

    async def create_crosspost(self, app_user_id: str, *, post_type: str, media: bytes,
                               media_type: str, caption: str | None = None,
                               expires_at: datetime | None = None,
                               destinations: Sequence[str] = ()) -> CrossPost:
        return await self._run(self._ops.create_crosspost(
            app_user_id, post_type, media, media_type, caption, expires_at, destinations))

    async def get_crosspost(self, crosspost_id: str) -> CrossPost:
        return await self._run(self._ops.get_crosspost(crosspost_id))

    async def delete_crosspost(self, crosspost_id: str) -> CrossPost:
        return await self._run(self._ops.delete_crosspost(crosspost_id))

    async def report_crosspost_copy(self, crosspost_id: str, *, state: str,
                                    item_id: str | None = None,
                                    post_type: str | None = None) -> CopyReported:
        return await self._run(self._ops.report_crosspost_copy(crosspost_id, state, item_id,
                                                               post_type))

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> AsyncAccountsCenter:
        return self

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        trace: TracebackType | None) -> None:
        await self.aclose()

    async def _run(self, operation: Operation[T]) -> T:
        try:
            request = next(operation)
            while True:
                try:
                    response = await self._http.send(request)
                except httpx.TransportError as error:
                    raise unreachable(error) from error
                request = operation.send(response)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]
