"""The HTTP transport of the delivery worker: HTTP/1.1 with keep-alive, built on h11 (the
protocol library under httpx's own transport) and asyncio streams, plugged into httpx.

Why not httpx's default pool (httpcore): it looks over every pooled connection, with a
system call for each, whenever a request starts or ends. With dozens of webhooks in
flight that cost milliseconds of CPU per delivery: two workers managed 52 of 500 events/s
offered (p99 9.4 s), and still p99 0.2 to 4.4 s with the pool cut to 8 connections and
`sniffio` installed (`docs/benchmarks.md`). This transport keeps a stack of idle
connections per origin instead, which is all a webhook sender needs.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Callable

import h11
import httpx


class KeepAliveTransport(httpx.AsyncBaseTransport):
    """HTTP/1.1 with keep-alive, for POSTing small webhooks to many receivers at once.

    httpx's default pool (httpcore) looks over every pooled connection, with a system call
    for each, whenever a request starts or ends: with dozens of deliveries in flight that
    cost several milliseconds of CPU per webhook. Here each origin keeps a stack of idle
    connections; a request takes one (or opens one) and gives it back when the answer was
    read to its end and the server keeps the connection open. A reused connection that the
    server had closed meanwhile is noticed before a byte of answer arrives, and the request
    is sent once more on a new connection (webhooks are delivered at least once anyway).
    TLS is verified as httpx verifies it. Timeouts are the caller's (``asyncio.timeout``).
    """

    def __init__(self, max_idle_per_origin: int, ca_file: str | None = None) -> None:
        """``ca_file``: PEM certificates of private authorities to trust besides the
        public ones (receivers inside an organisation); ValueError when unreadable."""
        self._max_idle = max_idle_per_origin
        self._idle: dict[tuple[str, str, int], list[_Connection]] = {}
        self._tls = trust(ca_file)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        if url.scheme not in ("http", "https"):
            raise httpx.UnsupportedProtocol(f"unsupported scheme {url.scheme!r}")
        origin = (url.scheme, url.host, url.port or (443 if url.scheme == "https" else 80))
        body = await request.aread()
        target = url.raw_path
        headers = list(request.headers.raw)
        idle = self._idle.setdefault(origin, [])
        while idle:
            connection = idle.pop()
            if not connection.usable():
                connection.close()
                continue
            try:
                return await connection.send(request, target, headers, body, self._give_back)
            except _StaleConnection:
                connection.close()
        connection = await self._open(origin)
        try:
            return await connection.send(request, target, headers, body, self._give_back)
        except _StaleConnection as stale:
            connection.close()
            raise httpx.RemoteProtocolError("the server closed the connection without an "
                                            "answer", request=request) from stale

    async def _open(self, origin: tuple[str, str, int]) -> _Connection:
        scheme, host, port = origin
        tls = None
        if scheme == "https":
            tls = self._tls
        try:
            reader, writer = await asyncio.open_connection(
                host, port, ssl=tls, server_hostname=host if tls else None, limit=2 ** 16)
        except OSError as error:
            raise httpx.ConnectError(f"{type(error).__name__}: {error}") from error
        return _Connection(origin, reader, writer)

    def _give_back(self, connection: _Connection) -> None:
        idle = self._idle.setdefault(connection.origin, [])
        if len(idle) < self._max_idle and connection.usable():
            idle.append(connection)
        else:
            connection.close()

    async def aclose(self) -> None:
        for idle in self._idle.values():
            for connection in idle:
                connection.close()
        self._idle.clear()


def trust(ca_file: str | None) -> ssl.SSLContext:
    """What httpx verifies with (certifi's authorities, hostname checked), plus
    ``ca_file``'s."""
    context = httpx.create_ssl_context()
    if ca_file:
        try:
            context.load_verify_locations(cafile=ca_file)
        except (OSError, ssl.SSLError) as error:
            raise ValueError(f"delivery_ca_file: cannot read certificates from {ca_file}: "
                             f"{getattr(error, 'strerror', None) or error}") from None
    return context


class _StaleConnection(Exception):
    """A reused connection failed before any byte of the answer came back."""


class _Connection:
    def __init__(self, origin: tuple[str, str, int], reader: asyncio.StreamReader,
                 writer: asyncio.StreamWriter) -> None:
        self.origin, self.reader, self.writer = origin, reader, writer
        self.state = h11.Connection(h11.CLIENT)
        self.used = False

    def usable(self) -> bool:
        return (not self.writer.is_closing() and not self.reader.at_eof()
                and self.state.our_state is h11.IDLE and self.state.their_state is h11.IDLE)

    def close(self) -> None:
        self.writer.close()

    async def send(self, request: httpx.Request, target: bytes,
                   headers: list[tuple[bytes, bytes]], body: bytes,
                   give_back: Callable[[_Connection], None]) -> httpx.Response:
        reused, self.used = self.used, True
        state = self.state
        try:
            data = state.send(h11.Request(method=request.method, target=target,
                                          headers=headers))
            data += state.send(h11.Data(data=body)) + state.send(h11.EndOfMessage())
            self.writer.write(data)
            await self.writer.drain()
            answer = await self._next_event(reused)
        except _StaleConnection:
            raise
        except h11.ProtocolError as error:
            self.close()
            raise httpx.RemoteProtocolError(str(error), request=request) from error
        except OSError as error:
            self.close()
            if reused:
                raise _StaleConnection from error
            raise httpx.ReadError(f"{type(error).__name__}: {error}",
                                  request=request) from error
        except BaseException:  # cancelled (the caller's timeout): the connection is spent
            self.close()
            raise
        if not isinstance(answer, h11.Response):  # pragma: no cover - h11 allows no other
            self.close()
            raise httpx.RemoteProtocolError("no response", request=request)
        return httpx.Response(answer.status_code, headers=list(answer.headers),
                              stream=_Body(self, request, give_back), request=request)

    async def _next_event(self, reused: bool = False) -> h11.Event:
        first = True
        while True:
            event = self.state.next_event()
            if event is h11.NEED_DATA:
                chunk = await self.reader.read(65536)
                if not chunk and reused and first:
                    raise _StaleConnection
                first = False
                self.state.receive_data(chunk)
                continue
            if isinstance(event, h11.InformationalResponse):
                continue
            return event  # type: ignore[return-value]

    def finish(self, give_back: Callable[[_Connection], None]) -> None:
        """After the whole answer: reuse the connection if both sides keep it open."""
        if self.state.our_state is h11.DONE and self.state.their_state is h11.DONE:
            try:
                self.state.start_next_cycle()
            except h11.ProtocolError:
                self.close()
                return
            give_back(self)
        else:
            self.close()


class _Body(httpx.AsyncByteStream):
    def __init__(self, connection: _Connection, request: httpx.Request,
                 give_back: Callable[[_Connection], None]) -> None:
        self._connection, self._request, self._give_back = connection, request, give_back
        self._complete = self._closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        connection = self._connection
        try:
            while True:
                event = await connection._next_event()
                if isinstance(event, h11.Data):
                    yield bytes(event.data)
                elif isinstance(event, h11.EndOfMessage):
                    self._complete = True
                    return
                else:
                    raise httpx.RemoteProtocolError("the answer was cut short",
                                                    request=self._request)
        except h11.ProtocolError as error:
            raise httpx.RemoteProtocolError(str(error), request=self._request) from error
        except OSError as error:
            raise httpx.ReadError(f"{type(error).__name__}: {error}",
                                  request=self._request) from error

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._complete:
            self._connection.finish(self._give_back)
        else:
            self._connection.close()
