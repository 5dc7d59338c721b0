"""The back channel's errors are the ones a spec-strict client library expects: RFC 6749
§5.2 at the token endpoint (and PAR), RFC 7009 at revocation, RFC 7662 at introspection
(issue 11, point 3; SECURITY-CHECKLIST 15, 17)."""

from urllib.parse import urlencode

import pytest

from tests.oidc.conftest import App, link, query_of

REALM_CHALLENGE = 'Basic realm="accounts-center"'
FORM = {"content-type": "application/x-www-form-urlencoded"}


def post_raw(app: App, path: str, pairs: list[tuple[str, str]], auth=True):
    """A form body exactly as given, repeated names included."""
    return app.client.post(path, content=urlencode(pairs), headers=FORM,
                           auth=app.auth if auth else None)


def assert_rfc6749_error(response, status: int, error: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error"] == error
    assert set(response.json()) <= {"error", "error_description"}


def test_an_unknown_token_type_hint_is_ignored_and_the_token_still_revoked(chat, visitor):
    visitor.sign_up()
    tokens = link(chat, visitor)
    revoked = chat.client.post("/oauth2/revoke", auth=chat.auth, data={
        "token": tokens["refresh_token"], "token_type_hint": "id_token"})
    assert revoked.status_code == 200, revoked.text
    assert chat.refresh(tokens["refresh_token"]).json()["error"] == "invalid_grant"
    assert chat.client.get("/oauth2/userinfo", headers={
        "authorization": f"Bearer {tokens['access_token']}"}).status_code == 401


def test_an_unknown_token_type_hint_is_ignored_by_introspection(chat, visitor):
    visitor.sign_up()
    tokens = link(chat, visitor)
    for token, hint in ((tokens["access_token"], "urn:example:custom"),
                        (tokens["refresh_token"], "access_token")):  # unknown, or wrong
        answer = chat.client.post("/oauth2/introspect", auth=chat.auth,
                                  data={"token": token, "token_type_hint": hint})
        assert answer.status_code == 200, answer.text
        assert answer.json()["active"] is True


def test_introspecting_a_refresh_token_names_a_registered_token_type(chat, visitor):
    visitor.sign_up()
    tokens = link(chat, visitor)
    answer = chat.client.post("/oauth2/introspect", auth=chat.auth,
                              data={"token": tokens["refresh_token"]}).json()
    # "refresh_token" is no access token type; RFC 8693 registered N_A for such tokens.
    assert answer["active"] is True and answer["token_type"] == "N_A"
    access = chat.client.post("/oauth2/introspect", auth=chat.auth,
                              data={"token": tokens["access_token"]}).json()
    assert access["token_type"] == "Bearer"


ENDPOINTS = {
    "/oauth2/token": {"grant_type": "refresh_token", "refresh_token": "x"},
    "/oauth2/revoke": {"token": "x"},
    "/oauth2/introspect": {"token": "x"},
    "/oauth2/par": {"response_type": "code", "redirect_uri": "https://chat.example/callback",
                    "scope": "openid"},
}


@pytest.mark.parametrize("path", list(ENDPOINTS))
@pytest.mark.parametrize("how", ["basic", "post", "none"])
def test_a_client_that_cannot_authenticate_gets_401_with_the_realm(chat, path, how):
    data = dict(ENDPOINTS[path])
    auth = None
    if how == "basic":
        auth = (chat.client_id, "wrong")
    elif how == "post":
        data |= {"client_id": chat.client_id, "client_secret": "wrong"}
    response = chat.client.post(path, data=data, auth=auth)
    assert_rfc6749_error(response, 401, "invalid_client")
    assert response.headers["www-authenticate"] == REALM_CHALLENGE


@pytest.mark.parametrize(("path", "data", "error"), [
    ("/oauth2/token", {"grant_type": "authorization_code", "code": "nope",
                       "redirect_uri": "https://chat.example/callback"}, "invalid_grant"),
    ("/oauth2/token", {"grant_type": "password"}, "unsupported_grant_type"),
    ("/oauth2/token", {"code": "nope"}, "invalid_request"),  # no grant_type
    ("/oauth2/token", {"grant_type": "", "code": "nope"}, "invalid_request"),
    ("/oauth2/revoke", {"token": "x", "token_type_hint": "id_token"}, None),
    ("/oauth2/revoke", {}, "invalid_request"),
    ("/oauth2/introspect", {"token": "x", "token_type_hint": "id_token"}, None),
    ("/oauth2/introspect", {"token": ""}, "invalid_request"),
])
def test_only_client_authentication_failures_are_401s(chat, path, data, error):
    response = chat.client.post(path, data=data, auth=chat.auth)
    assert "www-authenticate" not in response.headers
    if error is None:
        assert response.status_code == 200, response.text
    else:
        assert_rfc6749_error(response, 400, error)


def test_a_repeated_parameter_at_the_token_endpoint_is_refused_and_spends_nothing(
        chat, visitor):
    visitor.sign_up()
    link(chat, visitor)
    callback = visitor.go("/oauth2/authorize?" + urlencode(chat.authorization_params()))
    code = query_of(callback.headers["location"])["code"]
    base = [("grant_type", "authorization_code"), ("code", code),
            ("redirect_uri", chat.redirect_uri), ("code_verifier", chat.verifier)]
    for extra in (("code", "other"), ("code", code), ("grant_type", "refresh_token"),
                  ("code_verifier", chat.verifier)):
        refused = post_raw(chat, "/oauth2/token", [*base, extra])
        assert_rfc6749_error(refused, 400, "invalid_request")
        assert "more than once" in refused.json()["error_description"]
    # Nothing was read: the code is still good for one proper redemption.
    assert chat.redeem(code).status_code == 200


@pytest.mark.parametrize(("path", "pairs"), [
    ("/oauth2/revoke", [("token", "a"), ("token", "b")]),
    ("/oauth2/introspect", [("token", "a"), ("token", "a")]),
    ("/oauth2/introspect", [("token", "a"), ("token_type_hint", "access_token"),
                            ("token_type_hint", "refresh_token")]),
    ("/oauth2/par", [("response_type", "code"), ("scope", "openid"), ("scope", "openid"),
                     ("redirect_uri", "https://chat.example/callback")]),
])
def test_a_repeated_parameter_elsewhere_on_the_back_channel_is_invalid_request(
        chat, path, pairs):
    assert_rfc6749_error(post_raw(chat, path, pairs), 400, "invalid_request")


def test_a_repeated_token_is_not_revoked(chat, visitor):
    visitor.sign_up()
    tokens = link(chat, visitor)
    refused = post_raw(chat, "/oauth2/revoke", [("token", tokens["refresh_token"]),
                                                ("token", "something-else")])
    assert_rfc6749_error(refused, 400, "invalid_request")
    assert chat.refresh(tokens["refresh_token"]).status_code == 200


def test_a_repeated_authorization_parameter_is_invalid_request(chat, visitor):
    visitor.sign_up()
    link(chat, visitor)
    params = [*chat.authorization_params().items(), ("scope", "openid")]
    answer = visitor.client.get("/oauth2/authorize?" + urlencode(params))
    assert answer.status_code == 303
    back = query_of(answer.headers["location"])
    assert back["error"] == "invalid_request" and "code" not in back
    assert back["state"] == chat.state and back["iss"] == "http://127.0.0.1:8000"


def test_userinfo_refusals_name_the_realm(chat):
    for authorization in ("", "Bearer not-a-token"):
        refused = chat.client.get("/oauth2/userinfo", headers={"authorization": authorization})
        assert refused.status_code == 401
        assert refused.headers["www-authenticate"].startswith('Bearer realm="accounts-center"')
