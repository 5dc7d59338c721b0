"""Signed receipts of a person's ledger (DESIGN §4.8; issue 10, point 5): the head of the
chain — its sequence number and hash — signed with the hub's signing key as a JWS, handed
to the person (console, every download) and to an app with every event it gets. Whoever
holds one can later prove that the ledger still extends it: a rewritten or cut-off past
no longer does, and not even someone who can write the database can sign a new one.

A person's receipt names their ledger and its head. An app's names the person only by the
app's pairwise `sub` and carries the head blinded (SHA-256 over a fresh random value and
the head), so two apps cannot match their receipts to learn they share a person, while
anyone holding the ledger can still check it.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from joserfc import jws, jwt
from joserfc.errors import JoseError

from accounts_center.domain.errors import InvalidInput
from accounts_center.domain.pairwise import pairwise_subject
from accounts_center.hub import Hub
from accounts_center.services.ledger import verify_in
from accounts_center.services.signing_keys import (
    ALGORITHM,
    active_signing_key,
    verification_keys,
)
from accounts_center.store.unit_of_work import UnitOfWork

RECEIPT_TYPE = "ledger-receipt+jwt"
MAX_RECEIPT_LENGTH = 4096


class InvalidReceipt(InvalidInput):
    code = "invalid-receipt"
    title = "This is not a receipt of this Accounts Center"


@dataclass(frozen=True)
class Receipt:
    """What a receipt whose signature verified says."""

    seq: int
    head: str  # the head hash, or for an app its blinded form
    blind: str | None
    subject: str  # a person's identity id, or an app's pairwise sub
    audience: str | None  # the app's client id, for an app's receipt
    issued_at: int

    def matches(self, entry_hash: str) -> bool:
        expected = blinded(self.blind, entry_hash) if self.blind else entry_hash
        return secrets.compare_digest(expected, self.head)


@dataclass(frozen=True)
class ReceiptCheck:
    ok: bool
    seq: int | None
    identity_id: str | None
    problem: str | None = None
    first_bad_seq: int | None = None


def blinded(blind: str, head_hash: str) -> str:
    return hashlib.sha256(f"{blind}:{head_hash}".encode()).hexdigest()


def _sign(hub: Hub, uow: UnitOfWork, claims: dict[str, object]) -> str:
    key = active_signing_key(hub, uow=uow)
    return jwt.encode({"alg": ALGORITHM, "kid": key.kid, "typ": RECEIPT_TYPE},
                      {"iss": hub.settings.issuer, **claims}, key.private,
                      algorithms=[ALGORITHM])


def person_receipt(hub: Hub, uow: UnitOfWork, identity_id: str, now: datetime) -> str | None:
    """A receipt of the person's ledger as it stands; None before its first entry."""
    head = uow.ledger.head(identity_id)
    if head is None or head.seq == 0:
        return None
    return _sign(hub, uow, {"sub": identity_id, "iat": int(now.timestamp()),
                            "ledger_seq": head.seq, "ledger_head": head.hash})


def app_receipt(hub: Hub, uow: UnitOfWork, seq: int, head_hash: str, client_id: str,
                sub: str, now: datetime) -> str:
    blind = secrets.token_hex(16)
    return _sign(hub, uow, {"aud": client_id, "sub": sub, "iat": int(now.timestamp()),
                            "ledger_seq": seq, "ledger_head": blinded(blind, head_hash),
                            "ledger_blind": blind})


def read_receipt(hub: Hub, uow: UnitOfWork, token: str) -> Receipt:
    """The receipt's claims once its signature is the hub's; InvalidReceipt otherwise."""
    token = token.strip()
    if not token or len(token) > MAX_RECEIPT_LENGTH or not token.isascii():
        raise InvalidReceipt("A receipt is one line of text that starts with \"ey\".",
                             field="receipt")
    try:
        header = jws.extract_compact(token.encode()).protected
        if header.get("typ") != RECEIPT_TYPE:
            raise InvalidReceipt("This is a signed token, but not a ledger receipt.",
                                 field="receipt")
        claims = jwt.decode(token, verification_keys(hub, uow), algorithms=[ALGORITHM]).claims
    except InvalidReceipt:
        raise
    except (JoseError, ValueError, KeyError, TypeError):
        raise InvalidReceipt("The receipt's signature is not one of this Accounts Center's "
                             "keys, or the receipt was changed.", field="receipt") from None
    try:
        receipt = Receipt(seq=int(claims["ledger_seq"]), head=str(claims["ledger_head"]),
                          blind=str(claims["ledger_blind"]) if "ledger_blind" in claims
                          else None, subject=str(claims["sub"]),
                          audience=str(claims["aud"]) if "aud" in claims else None,
                          issued_at=int(claims["iat"]))
    except (KeyError, ValueError, TypeError):
        raise InvalidReceipt("The receipt lacks the ledger's head.", field="receipt") from None
    if claims.get("iss") != hub.settings.issuer:
        raise InvalidReceipt("The receipt was issued by another Accounts Center.",
                             field="receipt")
    return receipt


def receipt_owner(uow: UnitOfWork, receipt: Receipt,
                  expected: str | None = None) -> str | None:
    """Whose ledger a receipt is of: a person's names them; an app's is found among the
    people who have (or had) a link to that app — or, when ``expected`` is given (a
    person checking in the console), only that person is tried, so a check costs the
    same however many people use the app."""
    if receipt.audience is None:
        return receipt.subject
    app = uow.member_apps.by_client_id(receipt.audience)
    if app is None:
        return None
    candidates = [expected] if expected is not None else uow.links.identities_of_app(app.id)
    for identity_id in candidates:
        if secrets.compare_digest(pairwise_subject(app.subject_salt, identity_id),
                                  receipt.subject):
            return identity_id
    return None


def check_receipt(hub: Hub, uow: UnitOfWork, token: str,
                  identity_id: str | None = None) -> ReceiptCheck:
    """Whether the ledger as stored now extends the receipt: the chain verifies, with the
    hub's seal on every entry (which names a rewritten entry), and the entry the receipt
    names is there with the head it was given for (which catches a cut-off tail).
    ``identity_id``: the receipt must be of that person's ledger (the console checks only
    the person's own)."""
    receipt = read_receipt(hub, uow, token)
    owner = receipt_owner(uow, receipt, identity_id)
    if owner is None or (identity_id is not None and owner != identity_id):
        return ReceiptCheck(False, receipt.seq, None, "this receipt is of another ledger")
    chain = verify_in(uow, hub, owner)
    if not chain.ok:
        return ReceiptCheck(False, receipt.seq, owner, chain.problem, chain.first_bad_seq)
    entry = uow.ledger.entry(owner, receipt.seq)
    if entry is None:
        head = uow.ledger.head(owner)
        return ReceiptCheck(False, receipt.seq, owner,
                            f"entry {receipt.seq} is missing: the ledger ends at entry "
                            f"{head.seq if head else 0}, but a receipt shows it reached "
                            f"{receipt.seq}", (head.seq if head else 0) + 1)
    if not receipt.matches(entry.hash):
        return ReceiptCheck(False, receipt.seq, owner,
                            f"entry {receipt.seq} is not the one the receipt was given for",
                            receipt.seq)
    return ReceiptCheck(True, receipt.seq, owner)


def receipt_now(hub: Hub, identity_id: str) -> str | None:
    """A receipt of the person's ledger as it stands (the console's download)."""
    active_signing_key(hub)  # a read-only transaction below: the key must exist already
    with hub.unit_of_work() as uow:
        return person_receipt(hub, uow, identity_id, hub.clock.now())


def check_receipts(hub: Hub, tokens: list[str],
                   identity_id: str | None = None) -> list[ReceiptCheck]:
    """Each receipt checked against the ledger as stored now (one transaction)."""
    with hub.unit_of_work() as uow:
        return [check_receipt(hub, uow, token, identity_id) for token in tokens]
