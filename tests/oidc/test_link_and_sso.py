"""Linking and single sign-on end to end, in-process (DESIGN §4.1, §4.2)."""

from urllib.parse import urlencode

from accounts_center.services.member_apps import rotate_secret
from tests.oidc.conftest import link, query_of
from tests.support import csrf_from


def test_adding_an_account_links_it_and_the_app_learns_it_from_the_code(chat, visitor):
    visitor.sign_up()
    tokens = link(chat, visitor)
    claims = chat.verify_id_token(tokens["id_token"])
    assert claims["app_user_id"] == "chat-user-1"
    assert claims["aud"] == chat.client_id and claims["nonce"] == chat.nonce
    assert claims["iss"] == "http://127.0.0.1:8000"
    assert tokens["refresh_token"] and tokens["token_type"].lower() == "bearer"
    userinfo = chat.client.get("/oauth2/userinfo",
                               headers={"authorization": f"Bearer {tokens['access_token']}"})
    assert userinfo.json() == {"sub": claims["sub"], "app_user_id": "chat-user-1"}


def test_a_linked_person_signs_in_with_one_click(chat, visitor):
    visitor.sign_up()
    link(chat, visitor)
    response = visitor.go("/oauth2/authorize?" + "&".join(
        f"{k}={v}" for k, v in chat.authorization_params().items()))
    assert response.status_code == 303
    params = query_of(response.headers["location"])
    assert params["iss"] == "http://127.0.0.1:8000" and params["state"] == chat.state
    claims = chat.verify_id_token(chat.redeem(params["code"]).json()["id_token"])
    assert claims["app_user_id"] == "chat-user-1"


def test_sign_in_without_a_link_is_refused_with_a_way_to_add_it(chat, visitor):
    visitor.sign_up()
    page = visitor.go("/oauth2/authorize?" + "&".join(
        f"{k}={v}" for k, v in chat.authorization_params().items()))
    assert page.status_code == 403
    assert "https://chat.example/connect" in page.text
    back = page.text.split('<a href="https://chat.example/callback?')[1].split('"')[0]
    assert "error=access_denied" in back


def test_refresh_rotates_and_reuse_revokes_the_family(chat, visitor):
    visitor.sign_up()
    first = link(chat, visitor)
    second = chat.refresh(first["refresh_token"])
    assert second.status_code == 200
    rotated = second.json()
    assert rotated["refresh_token"] != first["refresh_token"]
    replay = chat.refresh(first["refresh_token"])
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    assert chat.refresh(rotated["refresh_token"]).status_code == 400  # family revoked


def test_signing_up_in_the_middle_of_adding_an_account_continues_to_the_disclosure(
        chat, visitor):
    request_uri = chat.push_link("chat-user-1", "@ada")
    login = visitor.go(f"/oauth2/authorize?client_id={chat.client_id}&request_uri={request_uri}")
    signup_href = login.text.split('New here? <a href="')[1].split('"')[0]
    page = visitor.client.get(signup_href.replace("&amp;", "&"))
    done = visitor.client.post("/signup", data={
        "login": "new@example.com", "password": "correct horse battery",
        "csrf_token": csrf_from(page.text),
        "next": page.text.split('name="next" value="')[1].split('"')[0]})
    assert done.headers["location"].startswith("/oauth2/authorize/continue/")
    assert "What is never shared" in visitor.client.get(done.headers["location"]).text


def test_jwks_can_be_cached_but_tokens_cannot(chat):
    assert chat.client.get("/oauth2/jwks").headers.get_list("cache-control") == [
        "public, max-age=300"]
    assert chat.client.post("/oauth2/token", data={}).headers.get_list("cache-control") == [
        "no-store"]


def test_a_rotated_client_secret_stops_working_at_the_token_endpoint_at_once(
        hub, chat, visitor):
    visitor.sign_up()
    tokens = link(chat, visitor)
    assert chat.refresh(tokens["refresh_token"]).status_code == 200  # the client is cached
    old_secret = chat.credentials.client_secret
    chat.credentials = rotate_secret(hub, chat.client_id)
    refused = chat.client.post("/oauth2/token", auth=(chat.client_id, old_secret), data={
        "grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})
    assert refused.status_code == 401 and refused.json()["error"] == "invalid_client"


def test_the_disclosures_form_may_end_at_the_app_and_nowhere_else(chat, visitor):
    # Browsers hold a form's redirects to form-action: confirming ends at the app.
    visitor.sign_up()
    request_uri = chat.push_link("chat-user-1", "@ada")
    page = visitor.go(f"/oauth2/authorize?client_id={chat.client_id}&request_uri={request_uri}")
    policy = page.headers["content-security-policy"]
    assert "form-action 'self' https://chat.example;" in policy
    assert "frame-ancestors 'none'" in policy and "script-src 'self';" in policy


def test_the_login_page_on_the_way_to_an_app_may_end_at_that_app_and_nowhere_else(
        chat, visitor):
    """Its form's redirects go on to the app's callback: form-action names that app's
    origin, for this browser's pending request only."""
    started = visitor.client.get("/oauth2/authorize?" + urlencode(chat.authorization_params()))
    login = visitor.go(started.headers["location"])
    assert "/login?next=/oauth2/authorize/continue/" in str(login.url)
    policy = login.headers["content-security-policy"]
    assert "form-action 'self' https://chat.example;" in policy
    stranger = visitor.client.get(
        "/login?next=/oauth2/authorize/continue/00000000-0000-0000-0000-000000000000")
    assert "form-action 'self';" in stranger.headers["content-security-policy"]
    plain = visitor.client.get("/login?next=/accounts")
    assert "form-action 'self';" in plain.headers["content-security-policy"]


def test_sign_in_tells_the_app_only_who_its_own_user_is(chat, visitor):
    """The rule `domain.policy.own_account_claims`: the ID token, userinfo and
    introspection carry the pairwise sub and the app's own user id, and no person data."""
    visitor.sign_up()
    tokens = link(chat, visitor)
    protocol = {"iss", "aud", "exp", "iat", "auth_time", "nonce", "at_hash", "c_hash"}
    claims = chat.verify_id_token(tokens["id_token"])
    assert set(claims) - protocol == {"sub", "app_user_id"}
    userinfo = chat.client.get("/oauth2/userinfo", headers={
        "authorization": f"Bearer {tokens['access_token']}"}).json()
    assert userinfo == {"sub": claims["sub"], "app_user_id": "chat-user-1"}
    introspected = chat.client.post("/oauth2/introspect", auth=chat.auth,
                                    data={"token": tokens["access_token"]}).json()
    assert set(introspected) - {"active", "client_id", "token_type", "scope", "aud", "iss",
                                "iat", "exp"} == {"sub", "app_user_id"}
