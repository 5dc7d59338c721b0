"""The console's "Your information" and "Ad preferences" pages (DESIGN §4.7)."""

from __future__ import annotations

import io
import json
import re
import time
import zipfile

from sqlalchemy import text

from accounts_center.domain.ledger import Entry, verify
from accounts_center.services.your_information import TIMELINE_LIMIT
from tests.oidc.conftest import link
from tests.support import csrf_from


def push(app, user, category, purpose, fields):
    return app.client.post(f"/v1/app/users/{user}/data/{category}", auth=app.auth,
                           json={"purpose": purpose, "fields": fields})


def download(visitor):
    """Start the archive, follow its progress until it is ready, fetch the file."""
    page = visitor.client.get("/your-information").text
    started = visitor.client.post("/your-information/download",
                                  data={"csrf_token": csrf_from(page)})
    assert started.status_code == 303
    job_page = started.headers["location"]
    assert visitor.client.get(job_page).status_code == 200
    deadline = time.monotonic() + 10
    while True:
        status = visitor.client.get(job_page + "/status").text
        if "Your file is ready" in status or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert "Your file is ready" in status, status
    return visitor.client.get(job_page + "/file")


def test_an_empty_account_has_an_honest_empty_state(visitor):
    visitor.sign_up()
    page = visitor.client.get("/your-information")
    assert page.status_code == 200 and "Nothing has been shared" in page.text
    assert "Download your information" in page.text


def test_flows_per_app_and_the_timeline_are_shown(chat, pics, visitor):
    visitor.sign_up()
    link(chat, visitor, app_user_id="chat-ada")
    link(pics, visitor, app_user_id="pics-ada")
    push(chat, "chat-ada", "device", "security_and_integrity", {"model": "Pixel 9"})
    pics.client.get("/v1/app/users/pics-ada/data/activity", auth=pics.auth,
                    params={"purpose": "advertising"})  # refused: no consent
    page = visitor.client.get("/your-information").text
    assert "What moved in the last 30 days" in page
    assert "Chat sent device information for security and integrity: allowed" in page
    assert ("Pics asked for activity for advertising: refused: you have not allowed ads "
            "with your information there") in page
    assert "Pixel 9" not in page and "security_and_integrity" not in page
    only_links = visitor.client.get("/your-information", params={"kind": "link"}).text
    assert "You added your Chat account" in only_links and "Pics asked for" not in only_links


def test_what_an_app_wrote_is_shown_as_data_never_as_the_hubs_words(chat, visitor):
    """Issue 11, point 9: an unknown category or purpose reads "an unknown …", and what
    the app sent appears only as escaped data beside it."""
    visitor.sign_up()
    link(chat, visitor, app_user_id="chat-ada")
    push(chat, "chat-ada", "<img src=x onerror=alert(1)>", "security_and_integrity",
         {"x": 1})
    push(chat, "chat-ada", "device", "resale", {"model": "x"})
    page = visitor.client.get("/your-information").text
    assert ("Chat sent an unknown category for security and integrity: refused: "
            "Accounts Center knows no such information") in page
    assert '<code class="raw">&lt;img src=x onerror=alert(1)&gt;</code>' in page
    assert "Chat sent device information for an unknown purpose" in page
    assert '<code class="raw">resale</code>' in page
    assert "<img src=x" not in page


def test_the_ledger_says_who_removed_an_account(chat, pics, visitor):
    visitor.sign_up()
    link(chat, visitor, app_user_id="chat-ada")
    link(pics, visitor, app_user_id="pics-ada")
    chat.client.delete("/v1/app/links/chat-ada", auth=chat.auth)
    page = visitor.client.get("/accounts").text
    remove = re.search(r'href="(/accounts/[^"]+/remove)"', page)
    assert remove is not None
    confirm = visitor.client.get(remove.group(1)).text
    done = visitor.client.post(remove.group(1), data={"csrf_token": csrf_from(confirm)})
    assert done.status_code == 303
    timeline = visitor.client.get("/your-information", params={"kind": "unlink"}).text
    assert "Chat removed this account from Accounts Center" in timeline
    assert "You removed your Pics account" in timeline


def test_the_timeline_pages_back_beyond_two_hundred_entries(hub, chat, visitor):
    visitor.sign_up()
    link(chat, visitor, app_user_id="chat-ada")  # entries 1 and 2
    for n in range(TIMELINE_LIMIT + 10):
        push(chat, "chat-ada", "device", "security_and_integrity", {"n": n})
    newest = visitor.client.get("/your-information").text
    numbers = [int(n) for n in re.findall(r'<li value="(\d+)">', newest)]
    assert numbers[0] == TIMELINE_LIMIT + 12 and len(numbers) == TIMELINE_LIMIT
    older = re.search(r'href="(/your-information\?kind=&amp;before=(\d+))#', newest)
    assert older is not None and int(older.group(2)) == numbers[-1]
    page_two = visitor.client.get(older.group(1).replace("&amp;", "&")).text
    assert [int(n) for n in re.findall(r'<li value="(\d+)">', page_two)] == list(
        range(numbers[-1] - 1, 0, -1))
    assert "Older entries" not in page_two and "Newest entries" in page_two
    assert "You added your Chat account" in page_two


def test_the_ledger_check_passes_and_then_names_a_tampered_entry(hub, chat, visitor):
    visitor.sign_up()
    link(chat, visitor, app_user_id="chat-ada")
    push(chat, "chat-ada", "device", "security_and_integrity", {"model": "Pixel 9"})
    page = visitor.client.get("/your-information").text
    checked = visitor.client.post("/your-information/verify",
                                  data={"csrf_token": csrf_from(page)},
                                  headers={"HX-Request": "true"})
    assert checked.status_code == 200 and "all 3 entries are intact" in checked.text
    with hub.engine.begin() as connection:
        connection.execute(text("UPDATE ledger_entries SET kind = 'consent' WHERE seq = 3"))
    tampered = visitor.client.post("/your-information/verify",
                                   data={"csrf_token": csrf_from(page)})
    assert "does not check out" in tampered.text and "number 3" in tampered.text


def test_checking_needs_the_csrf_token(chat, visitor):
    visitor.sign_up()
    refused = visitor.client.post("/your-information/verify", data={"csrf_token": "x"})
    assert refused.status_code == 403


def test_ad_toggle_is_off_by_default_and_applies_to_the_next_request(chat, pics, visitor):
    visitor.sign_up()
    link(pics, visitor, app_user_id="pics-ada")
    page = visitor.client.get("/ad-preferences").text
    assert "Pics: Off" in page
    read = lambda: pics.client.get("/v1/app/users/pics-ada/data/activity",  # noqa: E731
                                   auth=pics.auth, params={"purpose": "advertising"})
    assert read().status_code == 403
    turned = visitor.client.post(f"/ad-preferences/{pics.credentials.app.id}",
                                 data={"granted": "on", "csrf_token": csrf_from(page)})
    assert turned.status_code == 303
    assert "Pics: On" in visitor.client.get("/ad-preferences").text
    assert read().status_code == 200
    visitor.client.post(f"/ad-preferences/{pics.credentials.app.id}",
                        data={"granted": "off", "csrf_token": csrf_from(page)})
    assert read().status_code == 403


def test_apps_without_ads_offer_nothing_to_choose(chat, visitor):
    visitor.sign_up()
    link(chat, visitor)
    page = visitor.client.get("/ad-preferences").text
    assert "nothing to choose" in page
    refused = visitor.client.post(f"/ad-preferences/{chat.credentials.app.id}",
                                  data={"granted": "on", "csrf_token": csrf_from(page)})
    assert refused.status_code == 422


def test_after_removal_shared_data_stays_listed_and_can_be_erased(hub, chat, pics, visitor):
    visitor.sign_up()
    link(chat, visitor, app_user_id="chat-ada")
    link(pics, visitor, app_user_id="pics-ada")
    push(chat, "chat-ada", "device", "security_and_integrity", {"model": "Pixel 9"})
    chat.client.delete("/v1/app/links/chat-ada", auth=chat.auth)
    page = visitor.client.get("/your-information").text
    assert "Chat (removed)" in page and "device information (1)" in page
    erased = visitor.client.post(f"/your-information/erase/{chat.credentials.app.id}",
                                 data={"csrf_token": csrf_from(page)})
    assert erased.status_code == 303
    after = visitor.client.get("/your-information?done=erased").text
    assert "Chat (removed)" not in after and "You erased what Chat shared (1 items)" in after
    with hub.unit_of_work() as uow:
        events = [row.type for row in uow.outbox.for_app(pics.credentials.app.id)]
    assert "data.erasure_requested" in events
    again = visitor.client.post(f"/your-information/erase/{chat.credentials.app.id}",
                                data={"csrf_token": csrf_from(page)})
    assert again.status_code == 404


def test_the_download_holds_everything_and_a_verifiable_ledger(chat, visitor):
    visitor.sign_up("ada@example.com")
    link(chat, visitor, app_user_id="chat-ada")
    push(chat, "chat-ada", "device", "security_and_integrity", {"model": "Pixel 9"})
    answer = download(visitor)
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    names = set(archive.namelist())
    assert {"README.txt", "profile.json", "links.json", "consents.json", "shared_data.json",
            "sessions.json", "security_events.json", "ledger.json"} <= names
    profile = json.loads(archive.read("profile.json"))
    assert profile["email"] == "ada@example.com"
    assert json.loads(archive.read("shared_data.json"))[0]["fields"] == {"model": "Pixel 9"}
    ledger = json.loads(archive.read("ledger.json"))
    entries = [Entry(e["seq"], e["at"], e["kind"], e["body"], e["prev_hash"], e["hash"])
               for e in ledger["entries"]]
    assert verify(entries, ledger["head_seq"], ledger["head_hash"]).ok
    assert "password" not in json.dumps(json.loads(archive.read("profile.json")))


def test_the_download_shows_progress_and_belongs_to_its_owner_only(hub, client, chat,
                                                                    visitor):
    from accounts_center.services.archives import archive_job, start_archive
    from accounts_center.services.your_information import ARCHIVE_PARTS

    visitor.sign_up("ada@example.com")
    link(chat, visitor)
    with hub.unit_of_work() as uow:
        ada = uow.session.execute(text("SELECT id FROM identities")).scalar_one()
    job = start_archive(hub, ada, wait=True)
    finished = archive_job(hub, ada, job)
    assert (finished.status, finished.done, finished.total) == ("ready", ARCHIVE_PARTS,
                                                                ARCHIVE_PARTS)
    page = visitor.client.get(f"/your-information/download/{job}")
    assert page.status_code == 200 and "Save your information (ZIP)" in page.text
    visitor.client.post("/logout", data={"csrf_token": csrf_from(page.text)})
    from tests.oidc.conftest import Browser

    other = Browser(visitor.client)
    other.sign_up("bob@example.com")
    for path in (f"/your-information/download/{job}", f"/your-information/download/{job}/file",
                 f"/your-information/download/{job}/status", "/your-information/download/x"):
        assert other.client.get(path).status_code == 404, path


def test_erasing_removes_the_downloads_made_before_it(chat, visitor):
    visitor.sign_up("ada@example.com")
    link(chat, visitor, app_user_id="chat-ada")
    push(chat, "chat-ada", "device", "security_and_integrity", {"model": "Pixel 9"})
    before = download(visitor)
    assert b"Pixel 9" in zipfile.ZipFile(io.BytesIO(before.content)).read("shared_data.json")
    earlier_file = str(before.url)
    page = visitor.client.get("/your-information").text
    visitor.client.post(f"/your-information/erase/{chat.credentials.app.id}",
                        data={"csrf_token": csrf_from(page)})
    assert visitor.client.get(earlier_file).status_code == 404
    after = download(visitor)
    assert json.loads(zipfile.ZipFile(io.BytesIO(after.content)).read(
        "shared_data.json")) == []


def test_a_fourth_download_at_once_is_refused_on_the_page_and_nothing_starts(hub, visitor):
    visitor.sign_up()
    page = visitor.client.get("/your-information").text
    for _ in range(3):
        started = visitor.client.post("/your-information/download",
                                      data={"csrf_token": csrf_from(page)})
        assert started.status_code == 303
    refused = visitor.client.post("/your-information/download",
                                  data={"csrf_token": csrf_from(page)})
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    assert "You can have 3 downloads of your information at a time" in refused.text
    assert "Download your information" in refused.text  # the page itself, with the form
    with hub.unit_of_work() as uow:
        assert uow.session.execute(text("SELECT COUNT(*) FROM archive_jobs")).scalar() == 3


def test_the_archive_readme_says_exactly_how_to_check_a_value(chat, visitor):
    """Issue 11, point 11: the recipe in README.txt, run as written, matches a digest."""
    visitor.sign_up("ada@example.com")
    link(chat, visitor, app_user_id="chat-ada")
    push(chat, "chat-ada", "device", "security_and_integrity", {"model": "Pixel 9"})
    archive = zipfile.ZipFile(io.BytesIO(download(visitor).content))
    readme = archive.read("README.txt").decode()
    recipe = readme.split("In Python:\n\n", 1)[1].split("\n\n", 1)[0]
    ledger = json.loads(archive.read("ledger.json"))
    entry = next(e for e in ledger["entries"]
                 if e["kind"] == "decision" and "model" in e["body"].get("fields", {}))
    lines = [line.strip() for line in recipe.strip().splitlines()]
    namespace: dict = {"ledger": ledger, "entry": entry}
    exec("\n".join(lines[:-1]), namespace)  # noqa: S102 - our own README's recipe
    assert eval(lines[-1], namespace) is True  # noqa: S307
    namespace["message"] = b'"Pixel 10"'
    assert eval(lines[-1], namespace) is False  # noqa: S307
