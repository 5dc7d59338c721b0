"""Age reconciliation: the youngest claim applies until the person confirms; apps that
receive age get only the band, by an `age.reconciled` event when it changes; apps that do
not receive age are not told (CHECKLIST 44; issue 10, point 1)."""

from __future__ import annotations

import json

from sqlalchemy import text

from tests.oidc.conftest import link
from tests.support import csrf_from


def push_birth_date(app, user, birth_date):
    return app.client.post(f"/v1/app/users/{user}/data/age", auth=app.auth,
                           json={"purpose": "cross_app_features",
                                 "fields": {"birth_date": birth_date}})


def events(hub, app, kind="age.reconciled"):
    with hub.unit_of_work() as uow:
        return [row.payload for row in uow.outbox.for_app(app.credentials.app.id)
                if row.type == kind]


def band(app, user):
    answer = app.client.get(f"/v1/app/users/{user}/data/age", auth=app.auth,
                            params={"purpose": "cross_app_features"})
    return answer.json()["items"][0]["fields"]["age_band"]


def test_a_younger_claim_lowers_the_band_for_apps_that_receive_age_and_only_the_band_travels(
        hub, chat, pics, visitor):
    visitor.sign_up()
    link(chat, visitor, app_user_id="chat-ada")
    link(pics, visitor, app_user_id="pics-ada")
    assert push_birth_date(pics, "pics-ada", "1990-05-01").status_code == 201
    assert [e["age_band"] for e in events(hub, pics)] == ["18_plus"]
    assert push_birth_date(pics, "pics-ada", "2012-01-15").status_code == 201
    assert [e["age_band"] for e in events(hub, pics)] == ["18_plus", "13_17"]
    push_birth_date(pics, "pics-ada", "2011-01-15")  # same band: no new event
    assert len(events(hub, pics)) == 2
    assert json.dumps(events(hub, pics)).count("age_band") == 2
    assert "1990" not in json.dumps(events(hub, pics))
    assert "2012" not in json.dumps(events(hub, pics))
    assert band(pics, "pics-ada") == "13_17"
    # Chat does not declare that it receives age: it is never told, and the person's
    # ledger says so each time.
    assert events(hub, chat) == []
    page = visitor.client.get("/your-information?kind=event").text
    assert "Chat was not told your age band" in page


def test_the_persons_confirmation_wins_and_is_ledgered(hub, chat, pics, visitor):
    visitor.sign_up()
    link(pics, visitor, app_user_id="pics-ada")
    push_birth_date(pics, "pics-ada", "1990-05-01")
    push_birth_date(pics, "pics-ada", "2012-01-15")
    page = visitor.client.get("/your-information").text
    assert "13 to 17" in page and "the youngest one applies" in page
    confirmed = visitor.client.post("/your-information/age", data={
        "birth_date": "1990-05-01", "csrf_token": csrf_from(page)})
    assert confirmed.status_code == 303
    assert band(pics, "pics-ada") == "18_plus"
    assert [e["age_band"] for e in events(hub, pics)][-1] == "18_plus"
    after = visitor.client.get("/your-information?kind=age").text
    assert "18 or over" in after and "The age band your apps see became 18 or over" in after
    assert "1990-05-01" not in visitor.client.get("/your-information").text


def test_a_birth_date_that_is_not_a_date_or_in_the_future_is_refused(pics, visitor):
    visitor.sign_up()
    link(pics, visitor, app_user_id="pics-ada")
    push_birth_date(pics, "pics-ada", "2000-01-01")
    page = visitor.client.get("/your-information").text
    for bad in ("soon", "2999-01-01"):
        refused = visitor.client.post("/your-information/age", data={
            "birth_date": bad, "csrf_token": csrf_from(page)})
        assert refused.status_code == 422 and "birth_date" in refused.text


def test_a_birth_date_brought_at_link_time_is_reconciled_like_a_push(hub, chat, pics,
                                                                      visitor):
    visitor.sign_up()
    link(chat, visitor, app_user_id="chat-ada")
    link(pics, visitor, app_user_id="pics-ada", birth_date="2013-03-03")
    assert band(pics, "pics-ada") == "13_17"
    assert [e["age_band"] for e in events(hub, pics)] == ["13_17"]
    assert events(hub, chat) == []
    with hub.engine.connect() as connection:
        stored = connection.execute(text("SELECT params FROM authorization_requests")).all()
        pending = connection.execute(text("SELECT activation FROM linked_accounts")).all()
    assert "2013-03-03" not in str(stored) and "2013-03-03" not in str(pending)


def test_a_malformed_birth_date_in_a_link_request_is_refused(pics):
    answer = pics.client.post("/oauth2/par", auth=pics.auth, data=pics.authorization_params(
        intent="link", app_user_id="pics-ada", handle="@ada", birth_date="13/03/2013"))
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_request"
    answer = pics.client.post("/oauth2/par", auth=pics.auth, data=pics.authorization_params(
        birth_date="2013-03-03"))
    assert answer.status_code == 400
