"""No input to the provider's endpoints, however malformed, gives a 500 (CHECKLIST 37)."""

from urllib.parse import urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

KEYS = st.sampled_from(["response_type", "client_id", "redirect_uri", "scope", "state",
                        "nonce", "code_challenge", "code_challenge_method", "prompt",
                        "max_age", "request_uri", "grant_type", "code", "code_verifier",
                        "refresh_token", "token", "token_type_hint", "intent",
                        "app_user_id", "handle", "client_secret"])
VALUES = st.one_of(st.text(max_size=60), st.sampled_from(
    ["code", "S256", "plain", "openid", "none", "login", "link", "authorization_code",
     "refresh_token", "-1", "99999999999999999999", "urn:ietf:params:oauth:request_uri:x",
     "https://chat.example/callback", "\x00", "%ff"]))
PAIRS = st.lists(st.tuples(KEYS, VALUES), max_size=12)
FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(pairs=PAIRS)
def test_authorize_never_fails(chat, visitor, clock, pairs):
    clock.advance(minutes=1)  # each example in a minute of its own: never throttled
    pairs = [("client_id", chat.client_id), *pairs]
    assert visitor.client.get("/oauth2/authorize", params=pairs).status_code < 500


@FUZZ
@given(pairs=PAIRS, endpoint=st.sampled_from(["/oauth2/token", "/oauth2/par",
                                              "/oauth2/revoke"]),
       authenticated=st.booleans())
def test_back_channel_endpoints_never_fail(chat, pairs, endpoint, authenticated):
    response = chat.client.post(
        endpoint, content=urlencode(pairs), auth=chat.auth if authenticated else None,
        headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code < 500
    assert "error" in response.json() or response.status_code in (200, 201)


@FUZZ
@given(header=st.text(max_size=300))
def test_userinfo_never_fails(chat, header):
    try:
        response = chat.client.get("/oauth2/userinfo", headers={"authorization": header})
    except ValueError:  # the HTTP client itself refuses the header: nothing was sent
        return
    assert response.status_code == 401


def test_nul_bytes_in_identifiers_are_refused_or_simply_not_found(chat, visitor):
    # In the address: refused before any handler runs (tests/oidc/test_hostile_input.py).
    # In the token endpoint's own body: the lookup finds nothing, as PostgreSQL cannot
    # store NUL (store/base.py, storable).
    visitor.sign_up()
    page = visitor.client.get("/accounts").text
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    assert visitor.client.get("/oauth2/authorize?client_id=%00").status_code == 422
    assert visitor.client.get("/oauth2/authorize/continue/%00").status_code == 422
    assert visitor.client.post("/accounts/%00/remove",
                               data={"csrf_token": token}).status_code == 422
    assert chat.client.delete("/v1/app/links/%00", auth=chat.auth).status_code == 422
    response = chat.client.post("/oauth2/token", data={
        "grant_type": "refresh_token", "refresh_token": "x", "client_id": "\x00",
        "client_secret": "y"})
    assert response.status_code in (400, 401) and response.json()["error"]
