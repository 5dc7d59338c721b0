"""Key rotation: new tokens use the new key, the old key stays published until what it
signed has expired (SECURITY-CHECKLIST 12, 13, 49)."""


import json

import pytest
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, OctKey
from sqlalchemy import select
from typer.testing import CliRunner

from accounts_center.cli.main import app as cli
from accounts_center.services.signing_keys import published_jwks, rotate_signing_key
from accounts_center.store.oauth_models import SigningKeyRow
from tests.oidc.conftest import link
from tests.support import TEST_SECRET_KEY


def test_rotation_keeps_the_old_key_published_until_its_tokens_expired(hub, clock, chat,
                                                                      visitor):
    visitor.sign_up()
    old_token = link(chat, visitor)["id_token"]
    old_kid = jwt.decode(old_token, KeySet.import_key_set(published_jwks(hub)),
                         algorithms=["RS256"]).header["kid"]
    new_kid = rotate_signing_key(hub)
    jwks = published_jwks(hub)
    assert {k["kid"] for k in jwks["keys"]} == {old_kid, new_kid}
    jwt.decode(old_token, KeySet.import_key_set(jwks), algorithms=["RS256"])  # still verifies
    clock.advance(minutes=16)
    assert [k["kid"] for k in published_jwks(hub)["keys"]] == [new_kid]


def test_new_id_tokens_are_signed_with_the_new_key(hub, chat, visitor):
    visitor.sign_up()
    new_kid = rotate_signing_key(hub)
    token = link(chat, visitor)["id_token"]
    assert jwt.decode(token, KeySet.import_key_set(published_jwks(hub)),
                      algorithms=["RS256"]).header["kid"] == new_kid


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


def test_the_cli_rotates_and_lists_keys(database_url, monkeypatch, tmp_path):
    monkeypatch.setenv("ACCOUNTS_CENTER_DATABASE_URL", database_url)
    monkeypatch.setenv("ACCOUNTS_CENTER_SECRET_KEY", TEST_SECRET_KEY)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    first = runner.invoke(cli, ["keys", "rotate"])
    second = runner.invoke(cli, ["keys", "rotate"])
    assert first.exit_code == second.exit_code == 0
    listed = runner.invoke(cli, ["keys", "list"], env={"COLUMNS": "200"}).output
    assert "signing" in listed and "published until" in listed
