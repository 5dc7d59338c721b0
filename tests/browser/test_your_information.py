"""In a real browser: the ad toggle, the ledger check and the download (issue 4)."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from tests.browser.conftest import Console
from tests.live_hub import LiveHub, hub_on, running_hub
from tests.support import link_now

from accounts_center.domain.login_names import parse_login_name
from accounts_center.domain.origin import RequestOrigin
from accounts_center.hub import Hub
from accounts_center.services.data_flows import push_data
from accounts_center.services.member_apps import register_app, show_app

ORIGIN = RequestOrigin("127.0.0.1", "browser test")


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveHub]:
    with running_hub(tmp_path_factory.mktemp("your-information")) as hub:
        yield hub


@pytest.fixture(scope="module")
def same_database(live: LiveHub) -> Iterator[Hub]:
    """The live hub's database and secret key, to set up what apps would have done."""
    hub = hub_on(live)
    register_app(hub, "Pics", ["https://pics.example/cb"], "https://pics.example/hooks",
                 {"sends": ["activity"], "receives": ["activity"], "ad_use": True})
    yield hub
    hub.close()


def linked_person(page: Page, live: LiveHub, hub: Hub) -> None:
    person = Console(live.base_url).sign_up(page)
    app = show_app(hub, "Pics")
    with hub.unit_of_work() as uow:
        identity = uow.identities.by_login_name(parse_login_name(person.email))
        assert identity is not None
        link_now(uow, hub, identity.id, uow.member_apps.by_id(app.id), person.email, "@ada")
        uow.commit()
    push_data(hub, app, person.email, "activity", "cross_app_features", {"posts": 3})


def test_ad_toggle_ledger_check_and_download(page: Page, live: LiveHub,
                                            same_database: Hub, tmp_path) -> None:
    linked_person(page, live, same_database)
    page.goto(live.base_url + "/ad-preferences")
    expect(page.get_by_text("Pics: Off")).to_be_visible()
    page.get_by_role("button", name="Turn on ads with your information in Pics").click()
    expect(page.get_by_role("status")).to_contain_text("on for that app")
    expect(page.get_by_text("Pics: On")).to_be_visible()

    page.goto(live.base_url + "/your-information")
    expect(page.get_by_text("Pics sent activity for features across your apps: allowed")
           ).to_be_visible()
    expect(page.get_by_text("Told Pics that you added your Pics account")).to_be_visible()
    page.get_by_role("button", name="Check the ledger").click()
    expect(page.locator("#ledger-check")).to_contain_text("entries are intact")

    # A receipt kept, then checked: the ledger still extends it.
    with page.expect_download() as receipt_info:
        page.get_by_role("link", name="Download a receipt of your ledger now").click()
    kept = tmp_path / "receipt.jwt"
    receipt_info.value.save_as(kept)
    page.get_by_label("Check a receipt you kept").fill(kept.read_text().strip())
    page.get_by_role("button", name="Check the receipt").click()
    expect(page.locator("#receipt-check")).to_contain_text("still holds entry")
    page.get_by_label("Check a receipt you kept").fill("not a receipt")
    page.get_by_role("button", name="Check the receipt").click()
    expect(page.locator("#receipt-check")).to_contain_text("not a receipt")

    page.get_by_role("button", name="Download your information").click()
    expect(page.get_by_role("heading", name="Download your information")).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Save your information (ZIP)").click()
    saved = tmp_path / "information.zip"
    download_info.value.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        assert {"README.txt", "ledger.json", "consents.json", "receipt.jwt"} <= set(
            archive.namelist())
        assert '"granted": true' in archive.read("consents.json").decode()


def test_the_timeline_reads_in_the_persons_time_zone(browser, live: LiveHub,
                                                     same_database: Hub) -> None:
    """Issue 11, point 9: the server writes UTC; the page shows the browser's zone."""
    context = browser.new_context(timezone_id="Asia/Tokyo", locale="en-GB")
    try:
        page = context.new_page()
        linked_person(page, live, same_database)
        page.goto(live.base_url + "/your-information")
        first = page.locator("ol.timeline time").first
        expect(first).to_contain_text("GMT+9")
        utc = first.get_attribute("datetime") or ""
        assert (first.get_attribute("title") or "").endswith("UTC") and utc.endswith("Z")
    finally:
        context.close()
