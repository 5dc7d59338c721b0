"""Key rotation: a new key is published before it signs, for longer than apps cache the
JWKS, and the old key stays published until what it signed has expired
(SECURITY-CHECKLIST 12, 13, 49)."""


import base64
import json
from datetime import timedelta

import pytest
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, OctKey
from sqlalchemy import select
from typer.testing import CliRunner

from accounts_center.cli.main import app as cli
from accounts_center.domain.key_schedule import JWKS_MAX_AGE_SECONDS, PREPUBLICATION
from accounts_center.services.signing_keys import (
    ALGORITHM,
    active_signing_key,
    published_jwks,
    rotate_signing_key,
)
from accounts_center.store.oauth_models import SigningKeyRow
from tests.oidc.conftest import link, query_of
from tests.support import TEST_SECRET_KEY

ID_TOKEN_MINUTES = 10


def sign_in(chat, visitor) -> str:
    """Single sign-on of the logged-in, linked person: a fresh ID token."""
    response = visitor.go("/oauth2/authorize?" + "&".join(
        f"{k}={v}" for k, v in chat.authorization_params().items()))
    assert response.status_code == 303, response.text
    tokens = chat.redeem(query_of(response.headers["location"])["code"])
    assert tokens.status_code == 200, tokens.text
    return tokens.json()["id_token"]


def header_kid(token: str) -> str:
    header = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))["kid"]


def kids(jwks: dict) -> set[str]:
    return {key["kid"] for key in jwks["keys"]}


def verifies(token: str, jwks: dict) -> bool:
    try:
        jwt.decode(token, KeySet.import_key_set(jwks), algorithms=["RS256"])
    except (JoseError, ValueError):
        return False
    return True


def test_a_new_key_is_published_at_once_but_signs_only_after_the_jwks_cache_lifetime(
        hub, clock, chat, visitor):
    visitor.sign_up()
    link(chat, visitor)
    old = header_kid(sign_in(chat, visitor))
    new = rotate_signing_key(hub)
    assert new.signs_from == clock.now() + PREPUBLICATION
    assert timedelta(seconds=JWKS_MAX_AGE_SECONDS) < PREPUBLICATION
    assert kids(published_jwks(hub)) == {old, new.kid}
    clock.advance(seconds=PREPUBLICATION.total_seconds() - 1)
    assert header_kid(sign_in(chat, visitor)) == old  # apps may not hold the new key yet
    clock.advance(seconds=1)
    assert header_kid(sign_in(chat, visitor)) == new.kid


def test_the_jwks_max_age_is_the_one_the_schedule_assumes(chat):
    assert chat.client.get("/oauth2/jwks").headers["cache-control"] == (
        f"public, max-age={JWKS_MAX_AGE_SECONDS}")


def test_an_app_caching_the_key_set_never_meets_an_id_token_it_cannot_verify(
        hub, clock, chat, visitor):
    """Every minute, around two rotations: a new ID token must carry a kid that was in
    the JWKS served ten minutes before (the app's cache plus a proxy's), and stay
    verifiable by a fresh JWKS until it expires."""
    visitor.sign_up()
    link(chat, visitor)
    served: list[dict] = []
    issued: list[tuple[int, str]] = []
    for minute in range(60):
        if minute in (5, 9):
            rotate_signing_key(hub)
        served.append(chat.client.get("/oauth2/jwks").json())
        token = sign_in(chat, visitor)
        cached = served[max(0, minute - 2 * JWKS_MAX_AGE_SECONDS // 60)]
        assert verifies(token, cached), f"minute {minute}: kid not in the cached key set"
        issued.append((minute, token))
        clock.advance(minutes=1)
    for minute, token in issued:
        for later in range(minute, min(minute + ID_TOKEN_MINUTES + 1, len(served))):
            assert verifies(token, served[later]), f"issued {minute}, checked {later}"
    assert len({header_kid(token) for _, token in issued}) == 3  # all three keys signed


def test_the_old_key_stays_published_until_what_it_signed_after_the_takeover_expired(
        hub, clock, chat, visitor):
    visitor.sign_up()
    link(chat, visitor)
    old = header_kid(sign_in(chat, visitor))
    new = rotate_signing_key(hub)
    clock.advance(seconds=PREPUBLICATION.total_seconds() - 1)
    last_of_old = sign_in(chat, visitor)
    assert header_kid(last_of_old) == old
    clock.advance(minutes=ID_TOKEN_MINUTES + 1)  # that token has expired; leeway remains
    assert old in kids(published_jwks(hub)) and verifies(last_of_old, published_jwks(hub))
    clock.advance(minutes=5)
    assert kids(published_jwks(hub)) == {new.kid}


def test_a_fresh_hub_signs_with_its_first_key_at_once(hub, clock, chat, visitor):
    first = rotate_signing_key(hub)
    assert first.at_once and first.signs_from == clock.now()
    visitor.sign_up()
    link(chat, visitor)
    assert header_kid(sign_in(chat, visitor)) == first.kid


def test_rotating_again_before_the_new_key_signs_publishes_each_key_before_it_signs(
        hub, clock, chat, visitor):
    visitor.sign_up()
    link(chat, visitor)
    first = header_kid(sign_in(chat, visitor))
    second = rotate_signing_key(hub)
    clock.advance(minutes=1)
    third = rotate_signing_key(hub)
    assert kids(published_jwks(hub)) == {first, second.kid, third.kid}
    clock.advance(seconds=(second.signs_from - clock.now()).total_seconds())
    assert header_kid(sign_in(chat, visitor)) == second.kid
    clock.advance(seconds=(third.signs_from - clock.now()).total_seconds())
    assert header_kid(sign_in(chat, visitor)) == third.kid


def test_a_key_falling_due_between_header_and_signature_still_signs_what_the_header_names(
        hub, clock):
    """Authlib asks for the header's kid and for the key in two calls: should the new key
    fall due in between, the token is still signed by the key its header names."""
    rotate_signing_key(hub)
    rotate_signing_key(hub)
    before = active_signing_key(hub)
    clock.advance(seconds=PREPUBLICATION.total_seconds())
    after = active_signing_key(hub, cached_ok=True)
    assert before.kid != after.kid
    token = jwt.encode({"alg": ALGORITHM, "kid": before.kid}, {"sub": "x"}, after.private,
                       algorithms=[ALGORITHM])
    assert header_kid(token) == before.kid and verifies(token, published_jwks(hub))


def test_private_keys_are_encrypted_at_rest_and_never_published(hub):
    rotate_signing_key(hub)
    with hub.unit_of_work() as uow:
        row = uow.session.scalars(select(SigningKeyRow)).one()
        assert '"d"' not in row.private_jwk_sealed and "d" not in row.public_jwk
    assert all("d" not in key and "p" not in key for key in published_jwks(hub)["keys"])


@pytest.mark.parametrize("forgery", ["none", "hmac-with-public-key"])
def test_tokens_with_alg_none_or_hmac_do_not_verify_against_our_jwks(hub, forgery):
    jwks = published_jwks(hub)
    if forgery == "none":
        forged = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."
    else:
        public = json.dumps(jwks["keys"][0]).encode()
        forged = jwt.encode({"alg": "HS256", "kid": jwks["keys"][0]["kid"]}, {"sub": "x"},
                            OctKey.import_key(public), algorithms=["HS256"])
    with pytest.raises(JoseError):
        jwt.decode(forged, KeySet.import_key_set(jwks), algorithms=["RS256"])


def test_the_cli_rotates_and_lists_keys_with_their_state(database_url, monkeypatch,
                                                         tmp_path):
    monkeypatch.setenv("ACCOUNTS_CENTER_DATABASE_URL", database_url)
    monkeypatch.setenv("ACCOUNTS_CENTER_SECRET_KEY", TEST_SECRET_KEY)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    first = runner.invoke(cli, ["keys", "rotate"], env={"COLUMNS": "200"})
    second = runner.invoke(cli, ["keys", "rotate"], env={"COLUMNS": "200"})
    assert first.exit_code == second.exit_code == 0
    assert "signs from now" in first.output
    assert "is published now and signs from" in second.output
    listed = runner.invoke(cli, ["keys", "list"], env={"COLUMNS": "200"}).output
    assert "published, signs from" in listed
    assert "signing until" in listed and "then published until" in listed
