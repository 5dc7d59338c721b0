"""How long the hub keeps what expires (issue 10, point 7): the rules, as cutoffs from a
moment. Rows older than their cutoff are deleted by `services/retention.py`.

- **Pending authorization requests** (front channel and PAR) go when they expire: nothing
  accepts an expired one (a PAR ``request_uri`` reads "expired" whether or not its row is
  still there).
- **Authorization codes** go `CODE_GRACE` after they expire. While its row exists a
  replayed code is recognised and revokes what it produced (RFC 9700 §4.5, CHECKLIST 6);
  a code lives a minute and is raced within seconds, so the grace covers any retry and
  clock skew between processes.
- **Token grants.** A grant is a family of rows: each refresh rotates the live row and
  adds a new one, so a family has one unrotated row, its *head*; reuse of a rotated
  refresh token revokes the family (CHECKLIST 10). Two rules:
  1. Once the head is revoked, or expired (its refresh token; its access token when it
     has none), the grant can never work again and reuse detection has nothing left to
     protect: all its rows go `GRANT_GRACE` later (longer than an access token lives, so
     an access token issued just before its grant ended has expired too).
  2. A rotated row of a grant still alive is kept for reuse detection: if a thief
     refreshed first, the rightful app presenting its (rotated) token revokes the thief's
     grant. It is kept until its own refresh token has been expired for
     `ROTATED_WATCH` (one more refresh-token lifetime), which bounds what a grant that
     is refreshed for months keeps. After that a presented copy is refused as unknown
     instead of revoking the grant: the app holding it has not refreshed for two
     lifetimes and must send its user through login again anyway.
- **Confirmed links the app never redeemed** (pending links, issue 10 point 3) go
  `CODE_GRACE` after their confirmation lapsed, with their codes: they never shared
  anything, and no code can activate them any more.
- **Download archives** go an hour after they were made (`ARCHIVE_LIFETIME`); they are
  never served after that, even before they are deleted.
- **Media blobs nobody owns** (a replaced profile photo, an erased person's) go
  `UNOWNED_MEDIA_GRACE` after they were last put: a blob is stored before its owner row
  in the same transaction, and one put again is touched, so the pruner never takes a blob
  that an upload in flight is about to own.
- **Request counters** go when their window is over; **login throttle counters** once
  their failures are forgotten (`THROTTLE_IDLE`, longer than any rule's forget period)
  and they block nobody.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

CODE_GRACE = timedelta(minutes=5)
GRANT_GRACE = timedelta(hours=1)
ROTATED_WATCH = timedelta(days=30)
ARCHIVE_LIFETIME = timedelta(hours=1)
THROTTLE_IDLE = timedelta(days=1)
UNOWNED_MEDIA_GRACE = timedelta(hours=1)


@dataclass(frozen=True)
class Cutoffs:
    """Rows whose moment is before the cutoff go."""

    now: datetime
    requests_expired: datetime
    codes_expired: datetime
    links_lapsed: datetime
    grants_ended: datetime
    rotated_expired: datetime
    archives_made: datetime
    counter_windows: datetime
    throttles_idle: datetime
    media_unowned: datetime


def cutoffs(now: datetime, *, counter_window: timedelta) -> Cutoffs:
    return Cutoffs(
        now=now,
        requests_expired=now,
        codes_expired=now - CODE_GRACE,
        links_lapsed=now - CODE_GRACE,
        grants_ended=now - GRANT_GRACE,
        rotated_expired=now - ROTATED_WATCH,
        archives_made=now - ARCHIVE_LIFETIME,
        counter_windows=now - counter_window,
        throttles_idle=now - THROTTLE_IDLE,
        media_unowned=now - UNOWNED_MEDIA_GRACE,
    )
