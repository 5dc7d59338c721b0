"""What the person sees of their data (DESIGN §4.7): the flows per app over the last 30
days, the ledger as a timeline with its head, what each app shared into the hub (and its
erasure), and one archive of everything the hub keeps about them."""

from __future__ import annotations

import io
import json
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from accounts_center.domain.errors import NotFound
from accounts_center.domain.events import EventType
from accounts_center.domain.ledger_kinds import LedgerKind
from accounts_center.hub import Hub
from accounts_center.services.archive_crossposts import crosspost_members
from accounts_center.services.archive_media import media_members
from accounts_center.services.crosspost_history import end_everywhere
from accounts_center.services.ledger import append_entry, ledger_time
from accounts_center.services.ledger_words import category_words, event_label, say
from accounts_center.services.receipts import person_receipt
from accounts_center.services.sharing import Party, party, tell_linked_apps
from accounts_center.services.signing_keys import active_signing_key
from accounts_center.store.models import MemberAppRow
from accounts_center.store.unit_of_work import UnitOfWork

FLOW_WINDOW = timedelta(days=30)
TIMELINE_LIMIT = 200
# build_archive reports each of these parts as it finishes (profile; links, consents and
# shared data; sessions and security events; ledger; photo, avatar and creations; the
# ZIP itself).
ARCHIVE_PARTS = 6
KINDS = tuple(kind.value for kind in LedgerKind)
CROSSPOSTS_HELD = "posts shared to your other apps"


@dataclass(frozen=True)
class FlowCount:
    app: str
    direction: str  # "push" (app → hub), "read" (hub → app, asked) or "event" (told)
    what: str
    allowed: int
    denied: int


@dataclass(frozen=True)
class TimelineEntry:
    seq: int
    at: str
    kind: str
    summary: str
    hash: str
    raw: str | None = None  # what an app wrote that the hub does not know, as data


@dataclass(frozen=True)
class HeldData:
    app_id: str
    app: str
    categories: dict[str, int]
    linked: bool


@dataclass(frozen=True)
class Overview:
    head_seq: int
    head_hash: str | None
    flows: list[FlowCount]
    timeline: list[TimelineEntry]
    held: list[HeldData]
    older_before: int | None = None  # where the next page of the timeline starts


def overview(hub: Hub, identity_id: str, kind: str | None = None,
             before: int | None = None) -> Overview:
    """The flows of the last 30 days, and the timeline from the newest entry (or from
    entry ``before`` backwards), TIMELINE_LIMIT entries a page."""
    now = hub.clock.now()
    cutoff = ledger_time(now - FLOW_WINDOW)
    with hub.unit_of_work() as uow:
        head = uow.ledger.head(identity_id)
        counts: Counter[tuple[str, str, str, bool]] = Counter()
        for row in uow.ledger.since(identity_id, cutoff, LedgerKind.DECISION):
            counts[(row.body.get("app", "?"), row.body.get("direction", "?"),
                    category_words(row.body.get("category")).text,
                    bool(row.body.get("allowed")))] += 1
        for row in uow.ledger.since(identity_id, cutoff, LedgerKind.EVENT):
            counts[(row.body.get("app", "?"), "event", event_label(row.body),
                    bool(row.body.get("allowed")))] += 1
        keys = sorted({key[:3] for key in counts})
        flows = [FlowCount(app, direction, category, counts[(app, direction, category, True)],
                           counts[(app, direction, category, False)])
                 for app, direction, category in keys]
        rows = uow.ledger.newest(identity_id, TIMELINE_LIMIT + 1, kind, before_seq=before)
        timeline = []
        for row in rows[:TIMELINE_LIMIT]:
            said = say(row.kind, row.body)
            timeline.append(TimelineEntry(row.seq, row.at, row.kind, said.text, row.hash,
                                          said.raw))
        older_before = timeline[-1].seq if len(rows) > TIMELINE_LIMIT else None
        linked = {link.app_id for link in uow.links.active_of_identity(identity_id)}
        by_app: dict[str, Counter[str]] = {}
        for shared in uow.shared_data.of_person(identity_id, limit=100_000):
            by_app.setdefault(shared.app_id, Counter())[
                category_words(shared.category).text] += 1
        for post in uow.crossposts.of_person(identity_id):
            if post.deleted_at is None and post.expired_at is None:
                by_app.setdefault(post.source_app_id, Counter())[CROSSPOSTS_HELD] += 1
        held = []
        for app_id, categories in sorted(by_app.items()):
            app = uow.member_apps.by_id(app_id)
            held.append(HeldData(app_id, app.name if app else "a removed app",
                                 dict(categories), app_id in linked))
        return Overview(head.seq if head else 0, head.hash if head else None, flows,
                        timeline, held, older_before)


def erase_app_data(hub: Hub, identity_id: str, app_id: str) -> int:
    """Deletes what ``app_id`` shared into the hub about the person, ledgers it, and asks
    the apps that may have received it to forget it too: a ``data.erasure_requested`` event,
    through the sharing gate, naming only the categories each app receives (never the app
    the data came from: that would tell them the person uses it). The app's live
    cross-posts are deleted everywhere (each copy hears `crosspost.deleted`)."""
    now = hub.clock.now()
    with hub.unit_of_work() as uow:
        app = uow.member_apps.by_id(app_id) if len(app_id) <= 36 else None
        categories = uow.shared_data.categories_of(identity_id, app_id) if app else []
        shared = uow.shared_data.erase(identity_id, app_id) if app is not None else 0
        # Its posts shared to the person's other apps go too, as "delete everywhere".
        posts = uow.crossposts.live_from_app(identity_id, app_id) if app is not None else []
        for post in posts:
            end_everywhere(uow, hub, post, now)
        erased = shared + len(posts)
        if app is None or not erased:
            raise NotFound("There is nothing from that app to erase.")
        append_entry(uow, hub, identity_id, LedgerKind.ERASURE,
                     {"app_id": app.id, "app": app.name, "erased": erased}, now)
        if shared:
            _ask_to_forget(uow, hub, identity_id, app, categories, now)
        uow.archives.remove_made_before(identity_id, now)  # they hold what was erased
        uow.commit()
        return erased


def _ask_to_forget(uow: UnitOfWork, hub: Hub, identity_id: str, app: MemberAppRow,
                   categories: list[str], now: datetime) -> None:
    """``data.erasure_requested`` to the apps that may have received what was erased."""
    source = party(app, next(iter(uow.links.active_of_identity(identity_id, app.id)),
                             None))

    def named_for(receiver: Party) -> list[str]:
        return sorted(categories if receiver.app_id == source.app_id
                      else (c for c in categories if c in receiver.receives))

    tell_linked_apps(uow, hub, EventType.DATA_ERASURE_REQUESTED, identity_id,
                     concerns=source, now=now, categories_for=named_for,
                     data_for=lambda receiver: {"categories": named_for(receiver)})


README = """Your information from Accounts Center
=====================================

Everything this Accounts Center keeps about you, as JSON:

- profile.json          your login, when you joined, two-step verification
- your_profile.json     your display name, handle, bio, photo and avatar; which
                        apps keep which of them in sync; and every change to them
                        (who, when, and which changes lost to a later one)
- profile_photo.jpg     your profile photo (its largest size), if you have one
- avatar.svg, avatar.png  your avatar, drawn, if you made one
- creations.json        your stickers and images: title, where each was made,
                        whether it is hidden from your apps; each one's picture
                        is in creations/
- crossposts.json       where you share posts between your apps (off, ask each
                        time, always) and every post shared: from which app, its
                        caption, where each copy went and what became of it; each
                        one's picture is in crossposts/
- links.json            app accounts you added, and removed
- consents.json         your ad choices, per app
- shared_data.json      what apps sent into Accounts Center about you
- sessions.json         where you are logged in
- security_events.json  logins, password changes and other security events
- ledger.json           every data flow decision, everything apps were told, consent
                        changes, links and unlinks: a hash chain you can check
                        yourself (see below)
- receipt.jwt           the hub's signed receipt of your ledger as it stood when this
                        archive was made (keep it: see below)

Checking the ledger: each entry's "hash" is the SHA-256, in lowercase hex, of
the JSON array [seq, at, kind, body, prev_hash] written with sorted keys, no
spaces (separators "," and ":") and non-ASCII characters as themselves, in
UTF-8. Each entry's "prev_hash" is the hash of the entry before it (the first
one follows 64 zeros), and the last hash must equal "head_hash" in ledger.json.

Checking a value you know: the ledger keeps no values, only, under "fields" in
an entry's body, each field's name and an HMAC-SHA256 digest of its value.
The key is "digest_key" in ledger.json, decoded from base64 (it is yours: no
one without it can test guesses against your digests). The message is the
value written as JSON the same way as above: the text Pixel 9 is the 9 bytes
"Pixel 9" with the quotes, the number 3 is 3, true is true. For what an app
read, a field's value is the list of the values it was given, oldest last,
e.g. ["Pixel 9"]. In Python:

    import base64, hashlib, hmac, json
    key = base64.b64decode(ledger["digest_key"])
    message = json.dumps("Pixel 9", sort_keys=True, separators=(",", ":"),
                         ensure_ascii=False).encode("utf-8")
    hmac.new(key, message, hashlib.sha256).hexdigest() == entry["body"]["fields"]["model"]

Keeping the hub honest: receipt.jwt is a JWS (RS256) signed with the hub's key
(published at /oauth2/jwks) over your ledger's last entry number ("ledger_seq")
and its hash ("ledger_head"). Keep it. Later, paste it into "Check a receipt
you kept" on the Your information page (or give it to the operator's
`accounts-center ledger verify --receipt FILE`): if anyone rewrote or cut off
the past of your ledger, the check fails and names the entry.
Messages, calls and contacts are never shared and are not in this archive.
"""


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def build_archive(hub: Hub, identity_id: str,
                  progress: Callable[[str], None] = lambda _: None) -> bytes:
    """One ZIP of JSON files and a README. Each part is read in its own short transaction
    and ``progress`` hears of it in between (it may write, e.g. a progress row)."""
    parts: dict[str, Any] = {}
    with hub.unit_of_work() as uow:
        identity = uow.identities.get(identity_id)
        parts["profile.json"] = {"id": identity_id, **({
            "email": identity.email, "phone": identity.phone,
            "created_at": identity.created_at,
            "two_factor_enabled": identity.totp_enabled_at is not None,
        } if identity is not None else {})}
    progress("profile")
    with hub.unit_of_work() as uow:
        links = uow.links.all_of_identity(identity_id)
        names = {}
        for link in links:
            app = uow.member_apps.by_id(link.app_id)
            names[link.app_id] = app.name if app else "a removed app"
        parts["links.json"] = [{"app": names[link.app_id], "handle": link.handle,
                                "app_user_id": link.app_user_id, "status": link.status,
                                "linked_at": link.linked_at, "removed_at": link.removed_at,
                                "sign_in_enabled": link.sign_in_enabled} for link in links]
        parts["consents.json"] = [{"app": names.get(row.app_id, row.app_id),
                                   "purpose": "advertising", "granted": row.granted,
                                   "updated_at": row.updated_at}
                                  for row in uow.consents.of_person(identity_id)]
        parts["shared_data.json"] = [
            {"from_app": names.get(row.app_id, row.app_id), "category": row.category,
             "fields": row.fields, "received_at": row.received_at}
            for row in uow.shared_data.of_person(identity_id, limit=1_000_000)]
        syncs = {link.id: sorted(uow.profiles.synced_fields(link.id)) for link in links}
        held = uow.profiles.get(identity_id)
        parts["your_profile.json"] = {
            "profile": {"name": held.display_name, "handle": held.handle, "bio": held.bio,
                        "photo": held.photo, "avatar": held.avatar,
                        "updated_at": held.updated_at} if held else None,
            "kept_in_sync": [{"app": names[link.app_id], "handle": link.handle,
                              "fields": syncs[link.id]}
                             for link in links if syncs[link.id]],
            "history": [{"field": row.field, "old": row.old, "new": row.new,
                         "by": row.by_name, "at": row.at, "applied": row.won}
                        for row in uow.profiles.history(identity_id, limit=1_000_000)]}
    progress("links, consents, shared data and your profile")
    with hub.unit_of_work() as uow:
        parts["sessions.json"] = [
            {"created_at": row.created_at, "last_seen_at": row.last_seen_at,
             "ip": row.ip, "user_agent": row.user_agent}
            for row in uow.hub_sessions.of_identity(identity_id)]
        parts["security_events.json"] = [
            {"kind": row.kind, "occurred_at": row.occurred_at, "ip": row.ip,
             "user_agent": row.user_agent, "detail": row.detail}
            for row in uow.security_events.of_identity(identity_id, limit=1_000_000)]
    progress("sessions and security events")
    active_signing_key(hub)  # a read-only transaction below: the key must exist already
    with hub.unit_of_work() as uow:
        head = uow.ledger.head(identity_id)
        receipt = person_receipt(hub, uow, identity_id, hub.clock.now())
        parts["ledger.json"] = {
            "head_seq": head.seq if head else 0, "head_hash": head.hash if head else None,
            # Already base64: the key the person needs to check their own values.
            "digest_key": hub.secret_box.open(head.digest_key_sealed) if head else None,
            "entries": [{"seq": row.seq, "at": row.at, "kind": row.kind, "body": row.body,
                         "prev_hash": row.prev_hash, "hash": row.hash}
                        for row in uow.ledger.entries(identity_id)]}
    progress("ledger")
    parts["creations.json"], files = media_members(hub, identity_id)
    progress("your photo, avatar and creations")
    parts["crossposts.json"], posted = crosspost_members(hub, identity_id)
    files.update(posted)
    progress("your cross-posts")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", README)
        if receipt is not None:
            archive.writestr("receipt.jwt", receipt + "\n")
        for name, content in parts.items():
            archive.writestr(name, json.dumps(_plain(content), indent=2, sort_keys=True,
                                              ensure_ascii=False))
        for name, content in files.items():
            archive.writestr(name, content)
    progress("done")
    return buffer.getvalue()
