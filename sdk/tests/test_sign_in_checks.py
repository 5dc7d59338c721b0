"""What the SDK refuses on its own before an app believes a sign-in: a callback that is
not this browser's, an ID token that does not verify, and how it follows key rotation."""

from __future__ import annotations

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey

from accounts_center_sdk import (
    AccountsCenter,
    AsyncAccountsCenter,
    AuthorizationFailed,
    CallbackRejected,
    HubUnavailable,
    InvalidIDToken,
    OAuthError,
    Pending,
)
from accounts_center_sdk.provider import KEY_REFETCH_INTERVAL_SECONDS
from fake_hub import CLIENT_ID, ISSUER, REDIRECT_URI, FakeHub, run_on_its_own_loop


def client_for(fake: FakeHub) -> AccountsCenter:
    return AccountsCenter(ISSUER, CLIENT_ID, "secret", REDIRECT_URI,
                          http=httpx.Client(transport=httpx.MockTransport(fake.handle)),
                          clock=lambda: fake.now)


def sign_in(fake: FakeHub, hub: AccountsCenter, **callback_changes: str | None):
    auth = hub.start_sign_in()
    callback = {"code": fake.code_for(auth.url), "state": auth.pending.state, "iss": ISSUER}
    for name, value in callback_changes.items():
        if value is None:
            callback.pop(name)
        else:
            callback[name] = value
    return hub.finish(auth.pending, callback)


def test_a_good_callback_gives_the_app_user_and_pairwise_sub(fake_hub):
    signed_in = sign_in(fake_hub, client_for(fake_hub))
    assert (signed_in.app_user_id, signed_in.sub, signed_in.intent) == (
        "u1", "pairwise-sub", "sign_in")
    assert signed_in.tokens.access_token == "at" and signed_in.tokens.refresh_token == "rt"
    assert not signed_in.tokens.expired(now=fake_hub.now)
    token_call = next(r for r in fake_hub.requests if r.url.path == "/oauth2/token")
    assert token_call.headers["authorization"].startswith("Basic ")
    assert b"code_verifier=" in token_call.content


@pytest.mark.parametrize("changes, why", [
    ({"state": "someone-elses"}, "state"),
    ({"state": None}, "state"),
    ({"iss": "https://evil.test"}, "Accounts Center"),
    ({"iss": None}, "Accounts Center"),  # the hub sends iss (RFC 9207): it must be there
    ({"code": None}, "no code"),
])
def test_a_callback_that_is_not_this_browsers_is_dropped_before_any_code_exchange(
        fake_hub, changes, why):
    with pytest.raises(CallbackRejected, match=why):
        sign_in(fake_hub, client_for(fake_hub), **changes)
    assert not [r for r in fake_hub.requests if r.url.path == "/oauth2/token"]


def test_an_error_from_the_hub_is_raised_with_its_code_only_for_this_browsers_state(fake_hub):
    hub = client_for(fake_hub)
    auth = hub.start_sign_in()
    with pytest.raises(AuthorizationFailed) as failed:
        hub.finish(auth.pending, {"error": "access_denied", "error_description": "no",
                                  "state": auth.pending.state, "iss": ISSUER})
    assert failed.value.error == "access_denied" and not isinstance(
        failed.value, CallbackRejected)
    with pytest.raises(CallbackRejected):  # an injected error for another request
        hub.finish(auth.pending, {"error": "access_denied", "state": "x", "iss": ISSUER})


@pytest.mark.parametrize("claims", [
    {"nonce": "replayed-from-another-request"},
    {"aud": "app_other"},
    {"aud": [CLIENT_ID, "app_other"]},  # several audiences and no azp of this app
    {"iss": "https://evil.test"},
    {"exp": 1_000},
])
def test_an_id_token_that_does_not_verify_is_refused(fake_hub, claims):
    fake_hub.claim_overrides = claims
    with pytest.raises(InvalidIDToken):
        sign_in(fake_hub, client_for(fake_hub))


@pytest.mark.parametrize("header, key", [
    # An HMAC keyed with the client secret, as in the classic algorithm-confusion attack.
    ({"alg": "HS256", "kid": "k1"}, OctKey.import_key("the-client-secret-" * 4)),
    ({"alg": "none", "kid": "k1"}, None),
])
def test_an_id_token_signed_symmetrically_or_not_at_all_is_refused(fake_hub, header, key):
    claims = {"iss": ISSUER, "aud": CLIENT_ID, "sub": "s", "iat": int(fake_hub.now),
              "exp": int(fake_hub.now) + 600, "app_user_id": "u1"}
    if key is None:
        token = (jwt.encode({"alg": "RS256", "kid": "k1"}, claims, fake_hub.keys[0])
                 .rsplit(".", 1)[0] + ".")
        token = token.replace(token.split(".")[0], "eyJhbGciOiJub25lIiwia2lkIjoiazEifQ")
    else:
        token = jwt.encode(header, claims, key, algorithms=["HS256"])
    fake_hub.id_token = lambda nonce, app_user_id: token  # type: ignore[method-assign]
    with pytest.raises(InvalidIDToken):
        sign_in(fake_hub, client_for(fake_hub))


def test_a_rotated_key_is_fetched_once_and_tokens_of_both_keys_verify(fake_hub):
    hub = client_for(fake_hub)
    sign_in(fake_hub, hub)
    fake_hub.rotate("k2")
    fake_hub.now += KEY_REFETCH_INTERVAL_SECONDS
    assert sign_in(fake_hub, hub).app_user_id == "u1"
    fake_hub.signing_kid = "k1"  # an old key's token, while it is still published
    sign_in(fake_hub, hub)
    assert fake_hub.jwks_fetches() == 2


def test_unknown_key_ids_do_not_make_the_app_hammer_the_hub(fake_hub):
    hub = client_for(fake_hub)
    sign_in(fake_hub, hub)
    forged = RSAKey.generate_key(2048, parameters={"kid": "forged"})  # never published
    claims = {"iss": ISSUER, "aud": CLIENT_ID, "sub": "s", "app_user_id": "u1"}
    fake_hub.id_token = lambda nonce, app_user_id: jwt.encode(  # type: ignore[method-assign]
        {"alg": "RS256", "kid": "forged"}, {**claims, "nonce": nonce,
                                            "iat": int(fake_hub.now),
                                            "exp": int(fake_hub.now) + 600}, forged)
    fake_hub.now += KEY_REFETCH_INTERVAL_SECONDS
    for _ in range(5):
        with pytest.raises(InvalidIDToken):
            sign_in(fake_hub, hub)
    assert fake_hub.jwks_fetches() == 2  # the first, and one refetch for the new kid


def test_a_link_answered_for_another_user_is_refused(fake_hub):
    hub = client_for(fake_hub)
    auth = hub.start_link("u1", "@ada")
    assert auth.url == (f"{ISSUER}/oauth2/authorize?client_id={CLIENT_ID}&request_uri="
                        "urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3Aabc")
    fake_hub.issued["c"] = {"nonce": auth.pending.nonce, "app_user_id": "u2"}
    with pytest.raises(CallbackRejected, match="another user"):
        hub.finish(auth.pending, {"code": "c", "state": auth.pending.state, "iss": ISSUER})


def test_the_pending_request_survives_the_session_and_nothing_else_passes_for_it(fake_hub):
    hub = client_for(fake_hub)
    auth = hub.start_link("u1", "@ada", birth_date="2001-02-03")
    kept = Pending.from_json(auth.pending.to_json())
    assert kept == auth.pending and kept.app_user_id == "u1"
    par = next(r for r in fake_hub.requests if r.url.path == "/oauth2/par")
    assert b"intent=link" in par.content and b"birth_date=2001-02-03" in par.content
    whole = '"state": "s", "nonce": "n", "code_verifier": "v"'
    for tampered in ('{"intent": "link"}', "not json", "[]",
                     f'{{"intent": "admin", {whole}, "created_at": 0}}',
                     f'{{"intent": "link", {whole}, "created_at": "yesterday"}}',
                     f'{{"intent": "link", {whole}, "created_at": 0, "app_user_id": 7}}',
                     f'{{"intent": "link", {whole}, "created_at": 0, "extra": 1}}'):
        with pytest.raises(CallbackRejected):
            Pending.from_json(tampered)
    fake_hub.now += 31 * 60
    with pytest.raises(CallbackRejected, match="too old"):
        hub.finish(kept, {"code": fake_hub.code_for(auth.url), "state": kept.state,
                          "iss": ISSUER})


def test_a_spent_code_is_the_hubs_oauth_error_with_its_body(fake_hub):
    hub = client_for(fake_hub)
    auth = hub.start_sign_in()
    with pytest.raises(OAuthError) as refused:
        hub.finish(auth.pending, {"code": "unknown", "state": auth.pending.state,
                                  "iss": ISSUER})
    assert refused.value.error == "invalid_grant" and refused.value.status == 400
    assert refused.value.problem == {"error": "invalid_grant", "error_description": "code spent"}


def test_a_discovery_document_for_another_issuer_is_not_used(fake_hub):
    fake_hub.answers["/.well-known/openid-configuration"] = httpx.Response(200, json={
        "issuer": "https://evil.test", "authorization_endpoint": "https://evil.test/a",
        "token_endpoint": "https://evil.test/t", "jwks_uri": "https://evil.test/j",
        "pushed_authorization_request_endpoint": "https://evil.test/p"})
    with pytest.raises(HubUnavailable, match="issuer"):
        client_for(fake_hub).start_sign_in()


def test_the_async_client_makes_the_same_checks(fake_hub):
    async def flow() -> None:
        async with AsyncAccountsCenter(
                ISSUER, CLIENT_ID, "secret", REDIRECT_URI, clock=lambda: fake_hub.now,
                http=httpx.AsyncClient(transport=httpx.MockTransport(fake_hub.handle))) as hub:
            auth = await hub.start_sign_in(prompt="none")
            assert "prompt=none" in auth.url
            callback = {"code": fake_hub.code_for(auth.url), "state": auth.pending.state,
                        "iss": ISSUER}
            assert (await hub.finish(auth.pending, callback)).app_user_id == "u1"
            with pytest.raises(CallbackRejected):
                await hub.finish(auth.pending, {**callback, "state": "other"})
    run_on_its_own_loop(flow())
