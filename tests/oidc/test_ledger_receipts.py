"""A ledger that someone who can write the database cannot rewrite unseen (issue 10,
point 5): every entry carries the hub's seal, so a rewrite with every hash recomputed is
named; heads handed out as signed receipts (console, downloads, events) catch a cut-off
tail; a receipt signed with a key someone wrote into the database is refused."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from sqlalchemy import text

from accounts_center.domain.login_names import parse_login_name
from accounts_center.domain.pairwise import pairwise_subject
from accounts_center.services.ledger import seal_unsealed, verify_ledger
from accounts_center.services.receipts import (
    RECEIPT_TYPE,
    InvalidReceipt,
    blinded,
    check_receipts,
)
from accounts_center.services.signing_keys import published_jwks
from tests.ledger_tampering import cut_tail, head_of, person_of, rewrite_from
from tests.oidc.conftest import Browser, link
from tests.oidc.test_your_information import download, push
from tests.support import csrf_from


@pytest.fixture
def ledger(hub, chat, visitor):
    """A person with a linked Chat account and a few data flows in their ledger."""
    visitor.sign_up("ada@example.com")
    link(chat, visitor, app_user_id="chat-ada")
    for model in ("Pixel 9", "Pixel 10", "Pixel 11"):
        push(chat, "chat-ada", "device", "security_and_integrity", {"model": model})
    return person_of(hub)


def console_receipt(visitor) -> str:
    answer = visitor.client.get("/your-information/receipt")
    assert answer.status_code == 200
    assert "attachment" in answer.headers["content-disposition"]
    return answer.text.strip()


def console_check(visitor, receipt: str) -> str:
    page = visitor.client.get("/your-information").text
    return visitor.client.post("/your-information/receipt/check", data={
        "receipt": receipt, "csrf_token": csrf_from(page)}).text


def test_a_rewritten_past_is_named_even_with_every_hash_recomputed(hub, ledger, visitor):
    assert verify_ledger(hub, ledger).ok
    rewrite_from(hub, ledger, 3)
    result = verify_ledger(hub, ledger)
    assert not result.ok and result.first_bad_seq == 3
    assert "seal" in (result.problem or "")
    page = visitor.client.get("/your-information").text
    checked = visitor.client.post("/your-information/verify",
                                  data={"csrf_token": csrf_from(page)}).text
    assert "does not check out" in checked and "number 3" in checked


def test_the_consoles_receipt_catches_a_cut_off_tail(hub, ledger, visitor):
    receipt = console_receipt(visitor)
    assert "still holds entry" in console_check(visitor, receipt)
    cut_tail(hub, ledger, head_of(hub, ledger) - 2)
    assert verify_ledger(hub, ledger).ok  # the database alone cannot tell
    [result] = check_receipts(hub, [receipt])
    assert not result.ok and "missing" in (result.problem or "")
    assert "does not match this receipt" in console_check(visitor, receipt)


def test_a_receipt_of_a_rewritten_ledger_names_the_rewritten_entry(hub, ledger, visitor):
    receipt = console_receipt(visitor)
    rewrite_from(hub, ledger, 2)
    [result] = check_receipts(hub, [receipt])
    assert not result.ok and result.first_bad_seq == 2


def test_every_event_carries_a_receipt_that_verifies_and_cannot_link_two_apps(
        hub, chat, pics, visitor):
    visitor.sign_up()
    link(chat, visitor, app_user_id="chat-ada")
    link(pics, visitor, app_user_id="pics-ada")
    keys = KeySet.import_key_set(published_jwks(hub))
    receipts = {}
    for app in (chat, pics):
        with hub.unit_of_work() as uow:
            [payload] = [e.payload for e in uow.outbox.for_app(app.credentials.app.id)]
        token = jwt.decode(payload["ledger_receipt"], keys, algorithms=["RS256"])
        assert token.header["typ"] == RECEIPT_TYPE
        claims = token.claims
        assert claims["aud"] == app.client_id
        assert claims["sub"] == pairwise_subject(app.credentials.app.subject_salt,
                                                 person_of(hub))
        # Neither app user id nor the hub's person id ("ada" alone would match the hex of a
        # digest now and then).
        shown = json.dumps(claims)
        assert "chat-ada" not in shown and "pics-ada" not in shown
        assert person_of(hub) not in shown
        receipts[app.client_id] = payload["ledger_receipt"]
        # The head is blinded: whoever holds the ledger can match it, the app alone not.
        with hub.engine.connect() as connection:
            head = connection.execute(text(
                "SELECT hash FROM ledger_entries WHERE seq = :s"),
                {"s": claims["ledger_seq"]}).scalar()
        assert claims["ledger_head"] == blinded(claims["ledger_blind"], head)
        assert claims["ledger_head"] != head
    assert all(result.ok for result in check_receipts(hub, list(receipts.values())))
    # The person can check an app's receipt too (the console tries only them).
    assert all(result.ok for result in check_receipts(hub, list(receipts.values()),
                                                      person_of(hub)))
    [other] = check_receipts(hub, [receipts[chat.client_id]], "someone-else")
    assert not other.ok


def test_the_download_holds_a_receipt_of_the_ledger_it_contains(hub, ledger, visitor):
    archive = zipfile.ZipFile(io.BytesIO(download(visitor).content))
    receipt = archive.read("receipt.jwt").decode().strip()
    claims = jwt.decode(receipt, KeySet.import_key_set(published_jwks(hub)),
                        algorithms=["RS256"]).claims
    kept = json.loads(archive.read("ledger.json"))
    assert (claims["ledger_seq"], claims["ledger_head"]) == (kept["head_seq"],
                                                              kept["head_hash"])
    assert "receipt.jwt" in archive.read("README.txt").decode()
    [result] = check_receipts(hub, [receipt])
    assert result.ok


def test_a_receipt_signed_with_a_key_written_into_the_database_is_refused(hub, ledger,
                                                                           visitor):
    forged_key = RSAKey.generate_key(2048, parameters={"kid": "intruder"})
    with hub.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO signing_keys (kid, alg, public_jwk, private_jwk_sealed, created_at, "
            "signs_from) VALUES ('intruder', 'RS256', :jwk, 'not-sealed-by-the-hub', :at, :at)"),
            {"jwk": json.dumps(dict(forged_key.as_dict(private=False))),
             "at": hub.clock.now().replace(tzinfo=None)})
    forged = jwt.encode({"alg": "RS256", "kid": "intruder", "typ": RECEIPT_TYPE},
                        {"iss": hub.settings.issuer, "sub": ledger, "iat": 0,
                         "ledger_seq": 1, "ledger_head": "0" * 64}, forged_key)
    with pytest.raises(InvalidReceipt):
        check_receipts(hub, [forged])
    assert "not a receipt of this Accounts Center" in console_check(visitor, forged)
    assert "not a receipt" in console_check(visitor, "garbage")


def test_another_persons_receipt_does_not_check_in_my_console(hub, ledger, client, chat):
    bob = Browser(client)
    bob.client.cookies.clear()
    bob.sign_up("bob@example.com")
    link(chat, bob, app_user_id="chat-bob")
    bobs = console_receipt(bob)
    with hub.unit_of_work() as uow:
        ada = uow.identities.by_login_name(parse_login_name("ada@example.com"))
        assert ada is not None
        ada_id = ada.id
    [result] = check_receipts(hub, [bobs], ada_id)
    assert not result.ok and "another ledger" in (result.problem or "")


def test_entries_written_before_sealing_fail_until_sealed(hub, ledger):
    with hub.engine.begin() as connection:
        connection.execute(text("UPDATE ledger_entries SET seal = NULL"))
    unsealed = verify_ledger(hub, ledger)
    assert not unsealed.ok and unsealed.first_bad_seq == 1
    assert "no seal" in (unsealed.problem or "")
    assert seal_unsealed(hub) == head_of(hub, ledger)
    assert verify_ledger(hub, ledger).ok
    assert seal_unsealed(hub) == 0
