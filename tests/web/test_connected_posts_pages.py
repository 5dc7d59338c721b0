"""Cross-posts on the "Connected experiences" page (issue 14, points 5 to 7): the recent
posts, newest first, each copy's state in plain words, "delete everywhere" after a
confirmation page (CSRF-protected), and the copies apps the person removed still hold,
each of which they may ask that app to delete."""

from __future__ import annotations

import re

import pytest

from accounts_center.domain.origin import RequestOrigin
from accounts_center.services.crosspost_routes import set_crosspost_choice
from accounts_center.services.crossposts import create_crosspost, report_copy
from accounts_center.services.links import unlink_account
from accounts_center.services.member_apps import register_app
from tests.image_files import jpeg_with_gps
from tests.support import csrf_from, link_now
from tests.web.conftest import person_id, sign_up_through_form

CAPABILITIES = {"Chat": {"crosspost": {"sources": ["status"]}},
                "Social": {"crosspost": {"destinations": ["story"]}},
                "Pics": {"crosspost": {"destinations": ["story"]}}}
PAGE = "/connected-experiences"


class Posted:
    def __init__(self, hub, client) -> None:
        self.hub, self.client = hub, client
        self.person = person_id(hub)
        self.apps = {name: register_app(hub, name, [f"https://{name.lower()}.example/cb"],
                                        f"https://{name.lower()}.example/h", caps).app
                     for name, caps in CAPABILITIES.items()}
        with hub.unit_of_work() as uow:
            self.links = {name: link_now(uow, hub, self.person, uow.member_apps.by_id(app.id),
                                         f"{name.lower()}-ada").id
                          for name, app in self.apps.items()}
            uow.commit()
        for destination in ("Social", "Pics"):
            set_crosspost_choice(hub, self.person, self.links["Chat"], self.links[destination],
                                 "status", "story", "always")

    def post(self, caption: str, width: int = 640) -> str:
        return create_crosspost(self.hub, self.apps["Chat"], "chat-ada", "status",
                                jpeg_with_gps(width=width), caption, None, []).id

    def remove(self, name: str) -> None:
        unlink_account(self.hub, self.person, self.links[name],
                       RequestOrigin("127.0.0.1", "test"))


@pytest.fixture
def posted(hub, person, clock) -> Posted:
    return Posted(hub, person)


def confirm(client, path: str):
    page = client.get(path)
    assert page.status_code == 200, page.text
    return client.post(path, data={"csrf_token": csrf_from(page.text)})


def test_recent_posts_show_newest_first_with_each_copys_state(hub, clock, posted):
    first = posted.post("Beach")
    clock.advance(minutes=1)
    posted.post("Sunset", width=320)
    report_copy(hub, posted.apps["Social"], first, "created", "story-1")
    report_copy(hub, posted.apps["Pics"], first, "deleted", None)
    page = posted.client.get(PAGE).text
    assert page.index("“Sunset”") < page.index("“Beach”")
    beach = page[page.index(f'id="xp-{first}"'):]
    assert "Story in Social:</span> delivered" in beach
    assert "Story in Pics:</span> Pics deleted its copy" in beach
    assert "sent, waiting for Social to post it" in page  # Sunset's
    assert page.count("Delete everywhere") == 2


def test_delete_everywhere_asks_first_then_deletes_and_says_so(hub, posted):
    made = posted.post("Beach")
    path = f"{PAGE}/posts/{made}/delete"
    page = posted.client.get(path).text
    assert "Delete this post everywhere?" in page
    assert "Pics and Social are told to delete their copies." in page
    assert "Chat, where you posted it, is asked to delete it too." in page
    done = confirm(posted.client, path)
    assert done.status_code == 303
    after = posted.client.get(done.headers["location"]).text
    assert "The apps that hold it were asked to delete it." in after
    assert "Story in Social:</span> deleted there too" in after
    assert "Delete everywhere" not in after  # nothing left to delete
    assert "/media/" not in after  # its picture left the hub


def test_delete_everywhere_needs_the_token_and_the_persons_own_post(hub, posted, client):
    made = posted.post("Beach")
    path = f"{PAGE}/posts/{made}/delete"
    assert posted.client.post(path, data={"csrf_token": "forged"}).status_code == 403
    for missing in (f"{PAGE}/posts/nope/delete", f"{PAGE}/posts/{'x' * 40}/delete"):
        answer = posted.client.get(missing)
        assert answer.status_code in (404, 422) and "<h1>" in answer.text
    assert "deleted there too" not in posted.client.get(PAGE).text
    posted.client.post("/logout", data={"csrf_token": csrf_from(
        posted.client.get("/security").text)})
    sign_up_through_form(client, login="bob@example.com")
    assert client.get(path).status_code == 404
    assert client.post(path, data={"csrf_token": csrf_from(client.get(PAGE).text)}
                       ).status_code == 404
    assert "Beach" not in client.get(PAGE).text


def test_copies_kept_by_a_removed_app_are_listed_and_can_be_asked_for(hub, posted):
    made = posted.post("Beach")
    posted.remove("Pics")
    page = posted.client.get(PAGE).text
    assert "Copies kept by apps you removed" in page
    assert "<strong>Pics</strong> keeps a story: “Beach”" in page
    assert "kept by Pics: you removed that account" in page
    links = re.findall(r'href="(/connected-experiences/posts/[^"]+/kept/[^"]+/delete)"', page)
    assert len(links) == 1
    done = confirm(posted.client, links[0])
    assert done.status_code == 303
    after = posted.client.get(done.headers["location"]).text
    assert "The app was told to delete its copy." in after
    assert "Copies kept by apps you removed" not in after
    assert "Story in Pics:</span> deleted there too" in after
    assert "Story in Social:</span> sent" in after  # the post itself stays up
    again = posted.client.get(links[0])
    assert again.status_code == 404 and "No copy of this post is kept" in again.text
    assert made in after


def test_no_posts_no_sections(posted):
    page = posted.client.get(PAGE).text
    assert "Your recent cross-posts" not in page
    assert "Copies kept by apps you removed" not in page
