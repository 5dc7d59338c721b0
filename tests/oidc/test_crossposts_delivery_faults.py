"""A destination that is down while a cross-post fans out (issue 14, point 9): the real
delivery worker keeps its `crosspost.created` for a retry, and once the endpoint is back
it receives the post and then — written while the post was still waiting for its
retry — the deletion, in that order. The outbox holds each app's events for one person
in order: the deletion is not even tried before the post is through, while the other
destination, which was up, is told of both at once.

The worker runs on a thread with a short retry schedule and a mock transport standing
for the apps' endpoints; every wait polls with a deadline that only guards against a
hang."""

from __future__ import annotations

import json
import threading
from collections import Counter, defaultdict
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import select

from accounts_center.clock import SystemClock
from accounts_center.hub import Hub, build_hub
from accounts_center.services.crossposts import create_crosspost, delete_crosspost
from accounts_center.store.outbox_models import OutboxEventRow
from tests.delivery.support import wait_for, worker_running
from tests.image_files import jpeg_with_gps
from tests.oidc.crosspost_family import Family, chat_to_both
from tests.support import cheap_settings

SOCIAL, PICS = "social.example", "pics.example"


class Endpoints:
    """The apps' webhook endpoints: Social's can be down (503, or the connection
    refused); what each endpoint accepted, in order, and what Social turned away."""

    def __init__(self, failure: str) -> None:
        self.failure = failure
        self.social_up = threading.Event()
        self.social_up.set()
        self.accepted: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
        self.turned_away: Counter[str] = Counter()
        self._lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        kind, post = body["type"], body["data"].get("crosspost_id")
        with self._lock:
            if request.url.host == SOCIAL and not self.social_up.is_set():
                self.turned_away[kind] += 1
                if self.failure == "refused":
                    raise httpx.ConnectError("connection refused", request=request)
                return httpx.Response(503)
            self.accepted[request.url.host].append((kind, post))
        return httpx.Response(204)

    def crossposts(self, host: str) -> list[tuple[str, str | None]]:
        with self._lock:
            return [(kind, post) for kind, post in self.accepted[host]
                    if kind.startswith("crosspost.")]


def pending(hub: Hub) -> list[tuple[str, str, int]]:
    """(app id, type, attempts) of each event not yet delivered."""
    with hub.unit_of_work() as uow:
        return [(row.app_id, row.type, row.attempts) for row in uow.session.scalars(
            select(OutboxEventRow).where(OutboxEventRow.status == "pending")
            .order_by(OutboxEventRow.seq))]


@pytest.fixture
def linked(hub, client, visitor) -> Family:
    return chat_to_both(hub, client, visitor, social="always", pics="always")


@pytest.fixture
def live(database_url, linked) -> Iterator[Hub]:
    """A hub on the system clock, retrying after a fraction of a second, for good."""
    built = build_hub(cheap_settings(
        database_url, delivery_backoff_base_seconds=0.2, delivery_backoff_max_seconds=0.4,
        delivery_max_attempts=100, delivery_poll_seconds=0.2), clock=SystemClock())
    yield built
    built.close()


@pytest.mark.parametrize("failure", ["503", "refused"])
def test_a_destination_down_during_fan_out_gets_the_post_then_its_deletion(
        live, linked, failure):
    endpoints = Endpoints(failure)
    chat = linked.chat.credentials.app
    social = linked.social.credentials.app.id
    with worker_running(live, endpoints):
        # What linking wrote goes out first, so that Social's queue is empty.
        wait_for(lambda: pending(live) == [], what="the linking events")
        endpoints.social_up.clear()
        made = create_crosspost(live, chat, "chat-ada", "status", jpeg_with_gps(), "Hi",
                                None, []).id
        wait_for(lambda: endpoints.crossposts(PICS) == [("crosspost.created", made)],
                 what="Pics, which is up, to get the post")
        wait_for(lambda: endpoints.turned_away["crosspost.created"] >= 2,
                 what="Social to turn the post away, and again on a retry")

        delete_crosspost(live, chat, made)
        # Written while the post waits for its next try: both still to go to Social.
        assert [(app, kind) for app, kind, _ in pending(live)
                if app == social] == [(social, "crosspost.created"),
                                      (social, "crosspost.deleted")]
        wait_for(lambda: endpoints.crossposts(PICS) == [("crosspost.created", made),
                                                        ("crosspost.deleted", made)],
                 what="Pics, not held up by Social, to hear of the deletion")
        tried = endpoints.turned_away["crosspost.created"]
        wait_for(lambda: endpoints.turned_away["crosspost.created"] >= tried + 2,
                 what="more retries of the post with the deletion waiting behind it")
        assert endpoints.turned_away["crosspost.deleted"] == 0  # never tried before it
        assert endpoints.crossposts(SOCIAL) == []

        endpoints.social_up.set()
        wait_for(lambda: len(endpoints.crossposts(SOCIAL)) == 2,
                 what="Social, back, to get both")
        assert endpoints.crossposts(SOCIAL) == [("crosspost.created", made),
                                                ("crosspost.deleted", made)]
        wait_for(lambda: pending(live) == [], what="nothing left to deliver")
    assert endpoints.turned_away["crosspost.deleted"] == 0
    assert endpoints.crossposts(PICS) == [("crosspost.created", made),
                                          ("crosspost.deleted", made)]
