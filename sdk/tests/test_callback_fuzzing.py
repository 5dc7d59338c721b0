"""Whatever a browser brings back to the callback, or whatever sits in the session, the
SDK answers with one of its own exceptions or a verified sign-in: never a crash an app
would turn into a 500."""

from __future__ import annotations

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts_center_sdk import AccountsCenter, AccountsCenterError, Pending
from fake_hub import CLIENT_ID, ISSUER, REDIRECT_URI, FakeHub

NAMES = st.sampled_from(["code", "state", "iss", "error", "error_description", "x"])


@settings(max_examples=200, deadline=None)
@given(callback=st.dictionaries(NAMES, st.text(max_size=40)), keep_state=st.booleans(),
       session=st.one_of(st.none(), st.text(max_size=80)))
def test_any_callback_or_session_is_a_typed_answer(callback, keep_state, session):
    fake = FakeHub()
    hub = AccountsCenter(ISSUER, CLIENT_ID, "secret", REDIRECT_URI, clock=lambda: fake.now,
                         http=httpx.Client(transport=httpx.MockTransport(fake.handle)))
    auth = hub.start_sign_in()
    if keep_state:
        callback = {**callback, "state": auth.pending.state}
    try:
        pending = auth.pending if session is None else Pending.from_json(session)
        signed_in = hub.finish(pending, callback)
    except AccountsCenterError:
        return
    # Only this browser's state with a code the hub issued gets through.
    assert callback["state"] == auth.pending.state and signed_in.app_user_id
