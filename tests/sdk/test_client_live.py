"""The SDK against the real hub over HTTP (issue 12, point 1): what an app does, start to
finish — link, sign in, refresh, push and read data, see refusals, unlink."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest

from accounts_center_sdk import (
    AccountsCenter,
    AsyncAccountsCenter,
    AuthorizationFailed,
    CreationNotFound,
    CreationsNotDeclared,
    FieldNotSynced,
    InvalidRequest,
    NeverShared,
    OAuthError,
    Pending,
    PolicyDenied,
    SignedIn,
    UnknownAppUser,
)
from tests.hub_browser import Browser, query_of
from tests.live_hub import LiveHub, free_port, running_hub


def run_on_its_own_loop(flow: Coroutine[Any, Any, None]) -> None:
    """asyncio.run in a thread: Playwright's sync API keeps a loop running in this one
    when browser tests ran earlier in the session."""
    with ThreadPoolExecutor(max_workers=1) as thread:
        thread.submit(asyncio.run, flow).result()


CAPABILITIES = {"sends": ["device", "activity", "account_details"],
                "receives": ["account_details"]}


@pytest.fixture(scope="module")
def live_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveHub]:
    with running_hub(tmp_path_factory.mktemp("sdk-hub")) as hub:
        yield hub


@pytest.fixture(scope="module")
def registered(live_hub: LiveHub, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    caps = tmp_path_factory.mktemp("caps") / "chat.json"
    caps.write_text(json.dumps(CAPABILITIES))
    app_url = f"http://127.0.0.1:{free_port()}"  # never contacted: the browser stops there
    done = live_hub.cli("apps", "add", "Chat", "--redirect-uri", f"{app_url}/callback",
                        "--webhook-url", f"{app_url}/hooks", "--capabilities", str(caps),
                        "--json")
    assert done.returncode == 0, done.stderr
    return {**json.loads(done.stdout), "redirect_uri": f"{app_url}/callback"}


@pytest.fixture
def chat(live_hub: LiveHub, registered: dict[str, str]) -> Iterator[AccountsCenter]:
    with AccountsCenter(live_hub.base_url, registered["client_id"],
                        registered["client_secret"], registered["redirect_uri"]) as hub:
        yield hub


def back_at_the_app(person: Browser, url: str, confirm: bool | None = None,
                    sync: tuple[str, ...] = ()) -> dict[str, str]:
    """The browser goes to the hub (and confirms or cancels a link when asked) until the
    hub sends it back to the app: the callback's query."""
    page = person.go(url)
    if confirm is not None:
        assert page.status_code == 200, page.text
        page = person.submit(page, "confirm" if confirm else "cancel",
                             **({"sync": list(sync)} if sync else {}))
    assert page.status_code in (302, 303), page.text
    return query_of(urljoin(str(page.request.url), page.headers["location"]))


def link(chat: AccountsCenter, person: Browser, app_user_id: str,
         sync: tuple[str, ...] = ()) -> SignedIn:
    auth = chat.start_link(app_user_id, f"@{app_user_id}")
    kept = auth.pending.to_json()  # what the app keeps in the user's session
    return chat.finish(Pending.from_json(kept),
                       back_at_the_app(person, auth.url, True, sync))


def test_link_then_continue_with_accounts_center_names_the_same_user(chat, person):
    linked = link(chat, person, "ada")
    assert linked.intent == "link" and linked.app_user_id == "ada"
    auth = chat.start_sign_in()
    signed_in = chat.finish(auth.pending, back_at_the_app(person, auth.url))
    assert (signed_in.intent, signed_in.app_user_id, signed_in.sub) == (
        "sign_in", "ada", linked.sub)
    assert signed_in.claims["aud"] == chat._ops.client_id


def test_a_cancelled_link_is_access_denied_and_links_nothing(chat, person):
    auth = chat.start_link("bob", "@bob")
    with pytest.raises(AuthorizationFailed) as cancelled:
        chat.finish(auth.pending, back_at_the_app(person, auth.url, confirm=False))
    assert cancelled.value.error == "access_denied"
    with pytest.raises(UnknownAppUser):
        chat.read("bob", "account_details")


def test_refresh_rotates_and_the_old_refresh_token_is_refused(chat, person):
    tokens = link(chat, person, "cyd").tokens
    fresh = chat.refresh(tokens.refresh_token)
    assert fresh.access_token != tokens.access_token
    assert fresh.refresh_token and fresh.refresh_token != tokens.refresh_token
    with pytest.raises(OAuthError) as refused:
        chat.refresh(tokens.refresh_token)
    assert refused.value.error == "invalid_grant"


def test_data_flows_through_the_policy_and_refusals_carry_the_problem(chat, person):
    link(chat, person, "dee")
    chat.push("dee", "account_details", {"display_name": "Dee"}, purpose="cross_app_features")
    chat.push("dee", "device", {"user_agent": "Firefox on Linux"})
    items = chat.read("dee", "account_details")
    assert items[0]["fields"] == {"display_name": "Dee"}
    with pytest.raises(PolicyDenied) as denied:
        chat.read("dee", "device", purpose="security_and_integrity")  # not in `receives`
    assert denied.value.type.endswith("/policy/receiver-not-declared")
    with pytest.raises(NeverShared) as never:
        chat.push("dee", "activity", {"last_message": "hi"}, purpose="cross_app_features")
    assert "last_message" in never.value.field


def test_after_unlink_the_data_api_refuses_the_user(chat, person):
    link(chat, person, "eve")
    chat.unlink("eve")
    with pytest.raises(UnknownAppUser) as refused:
        chat.push("eve", "device", {"user_agent": "x"})
    assert refused.value.status == 404 and refused.value.problem["type"].endswith(
        "/unknown-app-user")


def test_the_async_client_signs_in_and_reads(live_hub, registered, chat, person):
    link(chat, person, "fay")
    chat.push("fay", "account_details", {"display_name": "Fay"}, purpose="cross_app_features")

    async def flow() -> None:
        async with AsyncAccountsCenter(live_hub.base_url, registered["client_id"],
                                       registered["client_secret"],
                                       registered["redirect_uri"]) as hub:
            auth = await hub.start_sign_in()
            callback = await asyncio.to_thread(back_at_the_app, person, auth.url)
            signed_in = await hub.finish(auth.pending, callback)
            assert signed_in.app_user_id == "fay"
            assert (await hub.read("fay", "account_details"))[0]["fields"]["display_name"] \
                == "Fay"
    run_on_its_own_loop(flow())


def test_an_app_writes_and_reads_the_profile_fields_the_person_syncs(chat, person):
    link(chat, person, "gus", sync=("name",))
    assert chat.update_profile("gus", name="Gus") == {"name": True}
    assert chat.read_profile("gus")["profile"] == {"name": "Gus"}
    with pytest.raises(FieldNotSynced) as refused:
        chat.update_profile("gus", photo="sha256:1")
    assert refused.value.type.endswith("/profile/field-not-synced")
    with pytest.raises(InvalidRequest):
        chat.update_profile("gus", name="")
    chat.unlink("gus")
    with pytest.raises(UnknownAppUser):
        chat.read_profile("gus")


def test_the_async_client_reads_and_updates_the_profile(live_hub, registered, chat, person):
    link(chat, person, "hal", sync=("name",))

    async def flow() -> None:
        async with AsyncAccountsCenter(live_hub.base_url, registered["client_id"],
                                       registered["client_secret"],
                                       registered["redirect_uri"]) as hub:
            assert await hub.update_profile("hal", name="Hal") == {"name": True}
            assert (await hub.read_profile("hal"))["profile"] == {"name": "Hal"}
    run_on_its_own_loop(flow())


@pytest.fixture(scope="module")
def pics_registered(live_hub: LiveHub,
                    tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    caps = tmp_path_factory.mktemp("caps") / "pics.json"
    caps.write_text(json.dumps({"receives": ["account_details"], "creations": True}))
    app_url = f"http://127.0.0.1:{free_port()}"
    done = live_hub.cli("apps", "add", "Pics", "--redirect-uri", f"{app_url}/callback",
                        "--webhook-url", f"{app_url}/hooks", "--capabilities", str(caps),
                        "--json")
    assert done.returncode == 0, done.stderr
    return {**json.loads(done.stdout), "redirect_uri": f"{app_url}/callback"}


@pytest.fixture
def pics(live_hub: LiveHub, pics_registered: dict[str, str]) -> Iterator[AccountsCenter]:
    with AccountsCenter(live_hub.base_url, pics_registered["client_id"],
                        pics_registered["client_secret"],
                        pics_registered["redirect_uri"]) as hub:
        yield hub


def test_an_app_adds_lists_and_fetches_creations(pics, chat, person):
    from tests.image_files import jpeg_with_gps

    link(pics, person, "ivy")
    made = pics.add_creation("ivy", jpeg_with_gps(), "image/jpeg", title="Sunset")
    assert (made.kind, made.title, made.made_in, made.width) == ("image", "Sunset", "Pics",
                                                                 300)
    assert pics.list_creations("ivy") == [made]
    assert pics.get_creation("ivy", made.id) == made
    picture = httpx.get(made.url, timeout=10)
    assert picture.status_code == 200 and picture.content.startswith(b"\xff\xd8")
    with pytest.raises(CreationNotFound):
        pics.get_creation("ivy", "no-such-creation")
    link(chat, person, "ivy-chat")
    with pytest.raises(CreationsNotDeclared):  # Chat did not declare creations
        chat.list_creations("ivy-chat")
    pics.unlink("ivy")
    with pytest.raises(UnknownAppUser):
        pics.list_creations("ivy")


def test_the_async_client_lists_creations(live_hub, pics_registered, pics, person):
    from tests.image_files import encoded

    link(pics, person, "jo")
    made = pics.add_creation("jo", encoded("PNG", (40, 30), mode="RGBA"), "image/png")

    async def flow() -> None:
        async with AsyncAccountsCenter(live_hub.base_url, pics_registered["client_id"],
                                       pics_registered["client_secret"],
                                       pics_registered["redirect_uri"]) as hub:
            # The same creation; its URL is signed afresh on each answer, so its expiry
            # (whole seconds) may differ from the one minted a moment before.
            listed = await hub.list_creations("jo")
            assert [replace(c, url="") for c in listed] == [replace(made, url="")]
            assert httpx.get(listed[0].url, timeout=10).status_code == 200
            assert (await hub.get_creation("jo", made.id)).media_type == "image/png"
    run_on_its_own_loop(flow())
