"""Never-shared data under another name (issue 10, point 6): a field called "last_message"
inside device data, or a category "Contacts" or one written with Cyrillic letters, is
refused like messages, calls and contacts themselves."""

from __future__ import annotations

import pytest

from accounts_center.domain.categories import names_never_shared
from accounts_center.domain.policy import HUB, Facts, Flow, LinkFact, Reason, decide

NAMED = ["messages", "Contacts", "CALLS", "c\u043entacts", "\u0441alls", "contact_list",
         "lastMessage", "callLog", "call_count", "sms_sent", "voicemail", "c0ntacts",
         "Cont\u200bacts", "\uff4d\uff45\uff53\uff53\uff41\uff47\uff45\uff53", "inbox"]
INNOCENT = ["device", "model", "os_version", "timeout_5ms", "recall", "callback_url",
            "birth_date", "posts", "screen_width", "locale", "battery"]


@pytest.mark.parametrize("name", NAMED)
def test_names_of_never_shared_data_are_recognised_however_written(name):
    assert names_never_shared(name)


@pytest.mark.parametrize("name", INNOCENT)
def test_ordinary_names_are_left_alone(name):
    assert not names_never_shared(name)


FACTS = Facts(links={"chat": LinkFact("chat", "ada", True)},
              sends={"chat": frozenset({"device"})}, receives={"chat": frozenset()})


def test_a_never_shared_field_name_refuses_the_whole_flow():
    flow = Flow("chat", HUB, "ada", "device", "security_and_integrity",
                ("model", "last_message"))
    assert decide(flow, FACTS).reason is Reason.NEVER_SHARED
    clean = Flow("chat", HUB, "ada", "device", "security_and_integrity", ("model",))
    assert decide(clean, FACTS).allowed


@pytest.mark.parametrize("category", ["Contacts", "c\u043entacts", "messages_v2"])
def test_a_look_alike_category_is_refused_as_never_shared(category):
    flow = Flow("chat", HUB, "ada", category, "security_and_integrity", ("x",))
    assert decide(flow, FACTS).reason is Reason.NEVER_SHARED


def test_an_unknown_category_that_names_nothing_never_shared_is_just_unknown():
    flow = Flow("chat", HUB, "ada", "diary", "security_and_integrity", ("x",))
    assert decide(flow, FACTS).reason is Reason.UNKNOWN_CATEGORY
