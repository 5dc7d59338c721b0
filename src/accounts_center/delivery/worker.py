"""The delivery worker: claims due outbox events, sends each as a signed webhook, and
writes back what happened.

Any number of workers may run against one PostgreSQL: a claim locks the rows it takes
(``FOR UPDATE SKIP LOCKED``) and leases them for ``delivery_lease_seconds``, so no event is
in flight at two workers at once; a worker that dies leaves its leases to run out, and the
events are delivered again (receivers drop the repeat by its ``webhook-id``). On SQLite one
transaction writes at a time, so claims take turns there too.

It sleeps until an event is committed: LISTEN/NOTIFY on PostgreSQL, an in-process wake-up
on SQLite (the worker inside ``serve``), and a slow poll as a safety net (retries falling
due, events written by other processes on SQLite).

The worker also expires cross-posts whose ``expires_at`` passed
(`services/crossposts.expire_due_crossposts`, one indexed query when none is due), waking
with the loop (a commit, the poll) and no later than when the next one falls due (within
``EXPIRY_GRANULARITY_SECONDS``), so a post expires on time to a few seconds. Workers
racing claim each post once. On PostgreSQL a sweeper task does it beside the deliveries,
so that a long sweep (many posts due at once, a batch per transaction) never holds up
delivering the events it writes: those go out while the next batch is swept. On SQLite,
with one writer at a time, such a task would only keep the write lock from the claims,
so each turn of the loop sweeps a batch, then claims.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import httpx

from accounts_center.delivery.metrics import DeliveryMetrics, metrics_of
from accounts_center.delivery.notifications import PostgresListener
from accounts_center.delivery.signing import signature_header
from accounts_center.delivery.transport import KeepAliveTransport
from accounts_center.domain.delivery import (
    Outcome,
    RetryPolicy,
    envelope,
    outcome_of,
    short_error,
)
from accounts_center.domain.events import BACKCHANNEL_LOGOUT
from accounts_center.hub import Hub
from accounts_center.services.backchannel_logout import logout_token
from accounts_center.services.crossposts import expire_due_crossposts
from accounts_center.services.retention import remove_expired
from accounts_center.store.outbox import Claimed, Settlement, on_events_committed
from accounts_center.store.outbox_models import DEAD, DELIVERED, PENDING

log = logging.getLogger("accounts_center.delivery")

MAX_RESPONSE_BYTES = 64 * 1024  # read no more of a receiver's answer (CHECKLIST 48)
USER_AGENT = "AccountsCenter-Webhooks/1"
PRUNE_EVERY_SECONDS = 3600.0
EXPIRY_BATCH = 100  # cross-posts expired per transaction
EXPIRY_GRANULARITY_SECONDS = 1.0  # the shortest sleep before an expiry falls due


@dataclass(frozen=True)
class Target:
    url: str
    secrets: tuple[str, ...]
    # A back-channel logout: the form field the app's logout endpoint reads instead.
    logout_token: str | None = None


@dataclass(frozen=True)
class Attempt:
    event: Claimed
    started: datetime
    duration_ms: int
    status_code: int | None
    error: str | None


class DeliveryWorker:
    def __init__(self, hub: Hub, *, metrics: DeliveryMetrics | None = None,
                 draw: Callable[[], float] = random.random,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        settings = hub.settings
        self.hub = hub
        self.metrics = metrics or metrics_of(hub)
        self.policy = RetryPolicy(settings.delivery_max_attempts,
                                  settings.delivery_backoff_base_seconds,
                                  settings.delivery_backoff_max_seconds)
        self.timeout = settings.delivery_timeout_seconds
        self.lease = timedelta(seconds=settings.delivery_lease_seconds)
        self.concurrency = settings.delivery_concurrency
        self.poll = settings.delivery_poll_seconds
        self._draw = draw
        # Built here, so a bad delivery_ca_file stops the command at once (ValueError).
        self._transport = transport or KeepAliveTransport(self.concurrency,
                                                          settings.delivery_ca_file)
        self._opened: dict[str, str] = {}  # sealed → secret, so each is unsealed once
        self._names: dict[str, str] = {}  # app id → name, for metrics
        self._in_flight: set[asyncio.Task[None]] = set()
        self._finished: list[Attempt] = []
        self._next_prune = 0.0

    # --- the loop ---------------------------------------------------------------------
    async def run(self, stop: asyncio.Event) -> None:
        """Delivers until ``stop`` is set, then lets what is in flight finish."""
        loop = asyncio.get_running_loop()
        self._wake, self._settled = asyncio.Event(), asyncio.Event()
        self._sweep = asyncio.Event()
        self._stop = stop

        def wake() -> None:
            loop.call_soon_threadsafe(self._wake.set)
            loop.call_soon_threadsafe(self._sweep.set)  # a post may expire sooner now

        unregister = on_events_committed(wake)
        listener = (PostgresListener(self.hub.engine, wake).start()
                    if self.hub.engine.dialect.name == "postgresql" else None)
        client = httpx.AsyncClient(
            follow_redirects=False,
            timeout=httpx.Timeout(self.timeout),
            transport=self._transport,
            headers={"user-agent": USER_AGENT, "content-type": "application/json"})
        recorder = asyncio.create_task(self._record_forever())
        sweeper = (asyncio.create_task(self._sweep_forever(stop))
                   if self.hub.engine.dialect.name == "postgresql" else None)
        stopping = asyncio.create_task(stop.wait())
        try:
            while not stop.is_set():
                self._wake.clear()
                expired, sleep = await self._expire() if sweeper is None else (0, self.poll)
                room = self.concurrency - len(self._in_flight)
                claimed: list[tuple[Claimed, Target]] = []
                if room > 0:
                    try:
                        claimed = await asyncio.to_thread(self._claim, room)
                    except Exception as error:  # the database is away: wait, try again
                        log.warning("cannot claim events: %s", type(error).__name__)
                        await asyncio.wait({stopping}, timeout=self.poll)
                        continue
                for event, target in claimed:
                    task = asyncio.create_task(self._deliver(client, event, target))
                    self._in_flight.add(task)
                    task.add_done_callback(self._in_flight.discard)
                if (room > 0 and len(claimed) == room) or expired == EXPIRY_BATCH:
                    continue  # more may be waiting; room is made as deliveries settle
                waker = asyncio.create_task(self._wake.wait())
                await asyncio.wait({waker, stopping}, timeout=sleep,
                                   return_when=asyncio.FIRST_COMPLETED)
                waker.cancel()
        finally:
            unregister()
            if listener is not None:
                listener.stop()
            if sweeper is not None:
                self._sweep.set()  # it sees the stop after its batch at most
                await sweeper
            if self._in_flight:
                await asyncio.wait(set(self._in_flight))
            recorder.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await recorder
            await asyncio.to_thread(self._settle, self._take_finished())
            stopping.cancel()
            await client.aclose()

    async def _record_forever(self) -> None:
        while True:
            await self._settled.wait()
            self._settled.clear()
            finished = self._take_finished()
            try:
                await asyncio.to_thread(self._settle, finished)
            except Exception:  # the database is away: keep them, try again shortly
                log.exception("could not record %d delivery attempts", len(finished))
                self._finished[:0] = finished
                await asyncio.sleep(1.0)
                self._settled.set()
                continue
            self._wake.set()  # room was made, and later events of these people may go

    async def _sweep_forever(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self._sweep.clear()
            expired, sleep = await self._expire()
            if expired == EXPIRY_BATCH:
                continue  # more are due: the next batch at once
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._sweep.wait(), timeout=sleep)

    async def _expire(self) -> tuple[int, float]:
        """The cross-post expiry sweep: how many expired, and how long the loop may sleep
        (the poll, or less when an expiry falls due sooner)."""
        try:
            expired, upcoming = await asyncio.to_thread(
                expire_due_crossposts, self.hub, self.hub.clock.now(), EXPIRY_BATCH)
        except Exception as error:  # the database is away: the next turn tries again
            log.warning("cannot expire cross-posts: %s", type(error).__name__)
            return 0, self.poll
        if upcoming is None:
            return expired, self.poll
        until = (upcoming - self.hub.clock.now()).total_seconds()
        return expired, min(self.poll, max(EXPIRY_GRANULARITY_SECONDS, until))

    def _take_finished(self) -> list[Attempt]:
        finished, self._finished = self._finished, []
        return finished

    # --- database work (on a thread) --------------------------------------------------
    def _claim(self, limit: int) -> list[tuple[Claimed, Target]]:
        now = self.hub.clock.now()
        with self.hub.unit_of_work() as uow:
            claimed = uow.outbox.claim(now, now + self.lease, limit)
            rows = uow.outbox.targets(c.app_id for c in claimed) if claimed else []
            if time.monotonic() >= self._next_prune:
                self._next_prune = time.monotonic() + PRUNE_EVERY_SECONDS
                uow.outbox.prune_delivered(
                    now - timedelta(days=self.hub.settings.delivery_retention_days))
                remove_expired(uow, now)  # codes, tokens, archives…: services/retention.py
            uow.commit()
        targets, apps = {}, {row.id: row for row in rows}
        for row in rows:
            self._names[row.id] = row.name
            if row.webhook_secret_sealed is None:
                continue  # only its back-channel logouts were claimed
            in_force = [self._open(row.webhook_secret_sealed)]
            if row.webhook_previous_secret_sealed and row.webhook_previous_until and \
                    row.webhook_previous_until > now:
                in_force.append(self._open(row.webhook_previous_secret_sealed))
            targets[row.id] = Target(row.webhook_url, tuple(in_force))
        ready = []
        for event in claimed:
            if event.type == BACKCHANNEL_LOGOUT:
                app = apps.get(event.app_id)
                if app is not None and app.backchannel_logout_uri:
                    # Signed now, as it goes: the token lives two minutes, a retry
                    # gets a new one.
                    token = logout_token(self.hub, app.client_id, str(event.payload["sub"]))
                    ready.append((event, Target(app.backchannel_logout_uri, (), token)))
            elif event.app_id in targets:
                ready.append((event, targets[event.app_id]))
        return ready

    def _open(self, sealed: str) -> str:
        if sealed not in self._opened:
            self._opened[sealed] = self.hub.secret_box.open(sealed)
        return self._opened[sealed]

    def _settle(self, attempts: list[Attempt]) -> None:
        if not attempts:
            return
        now = self.hub.clock.now()
        settlements, gone = [], set()
        for attempt in attempts:
            made = attempt.event.attempts + 1
            outcome = outcome_of(attempt.status_code)
            if outcome is Outcome.DELIVERED:
                status, next_at = DELIVERED, now
            elif outcome is Outcome.GONE and attempt.event.type != BACKCHANNEL_LOGOUT:
                status, next_at = PENDING, now  # waits for the endpoint to be enabled
                gone.add(attempt.event.app_id)
            elif self.policy.gives_up_after(made):
                status, next_at = DEAD, now
            else:
                status = PENDING
                next_at = now + timedelta(seconds=self.policy.delay(made, self._draw()))
            settlements.append(Settlement(
                attempt.event, attempt.started, attempt.duration_ms, attempt.status_code,
                attempt.error, status, next_at))
        with self.hub.unit_of_work() as uow:
            uow.outbox.settle(settlements, self.hub.new_id)
            for app_id in gone:
                uow.outbox.disable_endpoint(app_id, now, "the endpoint answered 410 Gone")
            uow.commit()
        self.metrics.settled(settlements, now, self._names)

    # --- HTTP -------------------------------------------------------------------------
    async def _deliver(self, client: httpx.AsyncClient, event: Claimed,
                       target: Target) -> None:
        started = self.hub.clock.now()
        if target.logout_token is not None:
            # OpenID Connect Back-Channel Logout 1.0 §2.5: a form POST of the token.
            body = urlencode({"logout_token": target.logout_token}).encode()
            headers = {"content-type": "application/x-www-form-urlencoded"}
        else:
            body = envelope(event.type, event.created_at, event.payload)
            signed_at = datetime.now(UTC)  # the receiver checks it against its own clock
            headers = {
                "webhook-id": event.id,
                "webhook-timestamp": str(int(signed_at.timestamp())),
                "webhook-signature": signature_header(target.secrets, event.id, signed_at,
                                                      body),
            }
        status: int | None = None
        error: str | None = None
        clock = time.perf_counter()
        try:
            async with asyncio.timeout(self.timeout):
                async with client.stream("POST", target.url, content=body,
                                         headers=headers) as response:
                    status = response.status_code
                    await _read_at_most(response, MAX_RESPONSE_BYTES)
            if not 200 <= status < 300:
                error = f"HTTP {status}"
        except (TimeoutError, httpx.TimeoutException):
            error = f"no answer within {self.timeout:g} s"
        except httpx.HTTPError as failure:
            # The message names the failure, never the URL (it may carry a token).
            error = short_error(f"{type(failure).__name__}: {failure}")
        except Exception as failure:  # recorded as a failed attempt
            log.exception("delivery of %s failed unexpectedly", event.id)
            error = short_error(f"could not deliver: {type(failure).__name__}")
        duration_ms = int((time.perf_counter() - clock) * 1000)
        self._finished.append(Attempt(event, started, duration_ms, status, error))
        self._settled.set()


async def _read_at_most(response: httpx.Response, limit: int) -> None:
    """Reads the answer up to ``limit`` bytes and stops there (the rest is not wanted)."""
    read = 0
    try:
        async for chunk in response.aiter_raw():
            read += len(chunk)
            if read >= limit:
                break
    except httpx.StreamConsumed:  # an in-memory answer, already read
        return


# --- the HTTP/1.1 connections ------------------------------------------------------------
class WorkerThread:
    """A worker on its own thread and event loop, inside another program (``serve``)."""

    def __init__(self, worker: DeliveryWorker) -> None:
        self._worker = worker
        self._loop = asyncio.new_event_loop()
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._main, name="delivery-worker",
                                        daemon=True)

    def start(self) -> WorkerThread:
        self._thread.start()
        self._ready.wait(10)
        return self

    def _main(self) -> None:
        asyncio.set_event_loop(self._loop)

        async def main() -> None:
            self._stop = asyncio.Event()
            self._ready.set()
            await self._worker.run(self._stop)

        try:
            self._loop.run_until_complete(main())
        finally:
            self._loop.close()

    def stop(self, timeout: float = 15.0) -> None:
        if self._stop is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout)
