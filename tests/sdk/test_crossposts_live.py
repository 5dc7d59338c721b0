"""The SDK's cross-posting calls against the real hub over HTTP (issue 14, point 8): Chat
posts a Status for its user, the person having set Pics to `always`; Pics' webhook
endpoint receives what the SDK parses as `CrossPostCreated` (its picture fetchable),
reports its copy, and hears `CrossPostDeleted` when Chat deletes the post. Every
refusal arrives as its typed exception."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from accounts_center.services.crosspost_routes import set_crosspost_choice
from accounts_center_sdk import (
    AccountsCenter,
    AsyncAccountsCenter,
    CrossPost,
    CrossPostCreated,
    CrossPostDeleted,
    CrossPostDestination,
    CrossPostDestinationNotOffered,
    CrossPostNotFound,
    CrossPostTypeNotDeclared,
    Event,
    InvalidRequest,
    PolicyDenied,
    WebhookReceiver,
)
from tests.delivery.support import wait_for
from tests.hub_browser import Browser
from tests.image_files import jpeg_with_gps
from tests.live_hub import LiveHub, free_port, hub_on, running_hub
from tests.sdk.test_client_live import link, run_on_its_own_loop

CAPABILITIES = {
    "Chat": {"crosspost": {"sources": ["status"], "destinations": ["status"]}},
    "Pics": {"crosspost": {"destinations": ["story"]}},
}


class Hooks:
    """Pics' webhook endpoint: a real HTTP server that verifies each delivery with the
    SDK and keeps the typed events."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.receiver: WebhookReceiver | None = None
        hooks = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                assert hooks.receiver is not None
                event = hooks.receiver.receive(body, dict(self.headers.items()))
                hooks.receiver.applied(event)
                hooks.events.append(event)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *_: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def of(self, kind: type[Event], crosspost_id: str) -> list[Event]:
        return [e for e in self.events
                if isinstance(e, kind) and getattr(e, "crosspost_id", None) == crosspost_id]


@pytest.fixture(scope="module")
def hooks() -> Iterator[Hooks]:
    endpoint = Hooks()
    thread = threading.Thread(target=endpoint.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield endpoint
    finally:
        endpoint.server.shutdown()
        endpoint.server.server_close()


@pytest.fixture(scope="module")
def live_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveHub]:
    with running_hub(tmp_path_factory.mktemp("sdk-crosspost-hub"),
                     ACCOUNTS_CENTER_DELIVERY_POLL_SECONDS="0.2") as hub:
        yield hub


def register(live_hub: LiveHub, name: str, webhook_url: str,
             tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    caps = tmp_path_factory.mktemp("caps") / f"{name.lower()}.json"
    caps.write_text(json.dumps(CAPABILITIES[name]))
    app_url = f"http://127.0.0.1:{free_port()}"
    done = live_hub.cli("apps", "add", name, "--redirect-uri", f"{app_url}/callback",
                        "--webhook-url", webhook_url, "--capabilities", str(caps), "--json")
    assert done.returncode == 0, done.stderr
    return {**json.loads(done.stdout), "redirect_uri": f"{app_url}/callback"}


@pytest.fixture(scope="module")
def apps(live_hub: LiveHub, hooks: Hooks,
         tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    chat = register(live_hub, "Chat", f"http://127.0.0.1:{free_port()}/hooks",
                    tmp_path_factory)
    pics = register(live_hub, "Pics", hooks.url, tmp_path_factory)
    hooks.receiver = WebhookReceiver(pics["webhook_secret"])
    return {"chat": chat, "pics": pics}


def client(live_hub: LiveHub, registered: dict[str, str]) -> AccountsCenter:
    return AccountsCenter(live_hub.base_url, registered["client_id"],
                          registered["client_secret"], registered["redirect_uri"])


@pytest.fixture
def chat(live_hub: LiveHub, apps: dict[str, dict[str, str]]) -> Iterator[AccountsCenter]:
    with client(live_hub, apps["chat"]) as hub:
        yield hub


@pytest.fixture
def pics(live_hub: LiveHub, apps: dict[str, dict[str, str]]) -> Iterator[AccountsCenter]:
    with client(live_hub, apps["pics"]) as hub:
        yield hub


def choose(live_hub: LiveHub, source: tuple[str, str], destination: tuple[str, str],
           mode: str) -> None:
    """The person's choice for (app name, app user id) → (app name, app user id), as the
    Connected experiences page makes it."""
    hub = hub_on(live_hub)
    try:
        with hub.unit_of_work() as uow:
            links = []
            for name, user in (source, destination):
                app = uow.member_apps.by_name(name)
                assert app is not None
                row = uow.links.active_for_app_user(app.id, user)
                assert row is not None
                links.append((row.identity_id, row.id))
        [(identity, source_link), (_, destination_link)] = links
        set_crosspost_choice(hub, identity, source_link, destination_link, "status", "story",
                             mode)
    finally:
        hub.close()


def linked(chat: AccountsCenter, pics: AccountsCenter, person: Browser, live_hub: LiveHub,
           who: str, mode: str) -> None:
    link(chat, person, f"{who}-chat")
    link(pics, person, f"{who}-pics")
    choose(live_hub, ("Chat", f"{who}-chat"), ("Pics", f"{who}-pics"), mode)


def test_a_status_reaches_an_always_destination_and_its_deletion_follows(
        live_hub, hooks, chat, pics, person):
    linked(chat, pics, person, live_hub, "ada", "always")
    [where] = chat.crosspost_destinations("ada-chat", "status")
    assert isinstance(where, CrossPostDestination)
    assert (where.app, where.type, where.mode) == ("Pics", "story", "always")

    made = chat.create_crosspost("ada-chat", post_type="status", media=jpeg_with_gps(),
                                 media_type="image/jpeg", caption="Sunset")
    assert isinstance(made, CrossPost) and made.caption == "Sunset"
    assert [(c.destination.app, c.state) for c in made.destinations] == [("Pics", "sent")]

    wait_for(lambda: bool(hooks.of(CrossPostCreated, made.id)), timeout=20,
             what="Pics to receive crosspost.created")
    [created] = hooks.of(CrossPostCreated, made.id)
    assert isinstance(created, CrossPostCreated)
    assert (created.post_type, created.caption, created.media_type, created.expires_at) == (
        "story", "Sunset", "image/jpeg", None)
    picture = httpx.get(created.media_url, timeout=10)
    assert picture.status_code == 200 and picture.content.startswith(b"\xff\xd8")

    reported = pics.report_crosspost_copy(made.id, state="created", item_id="story-1")
    assert (reported.crosspost_id, reported.type, reported.state, reported.item_id) == (
        made.id, "story", "created", "story-1")
    assert [c.state for c in chat.get_crosspost(made.id).destinations] == ["created"]

    gone = chat.delete_crosspost(made.id)
    assert gone.deleted_at is not None
    wait_for(lambda: bool(hooks.of(CrossPostDeleted, made.id)), timeout=20,
             what="Pics to receive crosspost.deleted")
    assert chat.delete_crosspost(made.id).deleted_at == gone.deleted_at  # again: no-op
    assert len(hooks.of(CrossPostDeleted, made.id)) == 1


def test_an_ask_destination_is_reached_only_when_picked(live_hub, chat, pics, person):
    linked(chat, pics, person, live_hub, "bea", "ask")
    [pics_there] = chat.crosspost_destinations("bea-chat", "status")
    assert pics_there.mode == "ask"
    made = chat.create_crosspost("bea-chat", post_type="status", media=jpeg_with_gps(),
                                 media_type="image/jpeg", destinations=[pics_there.id])
    assert [c.destination.id for c in made.destinations] == [pics_there.id]
    with pytest.raises(CrossPostDestinationNotOffered) as refused:
        chat.create_crosspost("bea-chat", post_type="status", media=jpeg_with_gps(),
                              media_type="image/jpeg", destinations=["made-up"])
    assert isinstance(refused.value, InvalidRequest)
    assert refused.value.type.endswith("/crosspost/destination-not-offered")


def test_refusals_arrive_typed(live_hub, chat, pics, person):
    linked(chat, pics, person, live_hub, "cy", "always")
    with pytest.raises(CrossPostTypeNotDeclared) as undeclared:  # Pics is no source
        pics.crosspost_destinations("cy-pics", "story")
    assert isinstance(undeclared.value, PolicyDenied) and undeclared.value.status == 403
    made = chat.create_crosspost("cy-chat", post_type="status", media=jpeg_with_gps(),
                                 media_type="image/jpeg")
    with pytest.raises(CrossPostNotFound):  # not Pics' post to read
        pics.get_crosspost(made.id)
    with pytest.raises(CrossPostNotFound):  # nor a copy Chat was sent
        chat.report_crosspost_copy(made.id, state="created", item_id="x")


def test_the_async_client_posts_and_reads(live_hub, apps, chat, pics, person):
    linked(chat, pics, person, live_hub, "dot", "always")

    async def flow() -> None:
        registered = apps["chat"]
        async with AsyncAccountsCenter(live_hub.base_url, registered["client_id"],
                                       registered["client_secret"],
                                       registered["redirect_uri"]) as hub:
            [where] = await hub.crosspost_destinations("dot-chat", "status")
            made = await hub.create_crosspost("dot-chat", post_type="status",
                                              media=jpeg_with_gps(), media_type="image/jpeg")
            assert [c.destination for c in made.destinations] == [where]
            assert await hub.get_crosspost(made.id) == made
            assert (await hub.delete_crosspost(made.id)).deleted_at is not None
    run_on_its_own_loop(flow())
