"""Generated histories of cross-posting (issue 14, point 9): a person with four member
apps links and removes them, changes their choices, the operator opens and closes
directions, apps post (ticking `ask` destinations, sometimes ones no longer offered),
delete, report their copies, and the clock runs past expiries while the sweep runs.

After every step, the `crosspost.*` events the step wrote to the outbox for this person
must be exactly those a small model of the rules predicts, and over the whole history:

- `crosspost.created` reaches an app only while both links are active, the direction is
  open, both apps declare the types, and the person set the pair to `always` — or to
  `ask` and ticked it for this post; what a source app is offered is the same set;
- the end of a post (deleted at the source, or its `expires_at` passed at a sweep) is
  told once, as `crosspost.deleted` or as `crosspost.expired` — never both, never
  twice — to each copy that still stands, and nothing about a copy follows its end.

The rule for copies whose destination went away (`_tell_copies` through the gate's
`CROSSPOST_COPY` rule): a copy hears of its post's end exactly when the link it was
sent through is still active at that moment and the destination has not reported the
copy deleted. A removed destination hears nothing more, even once the same app is
added again: that is a new link, and the copy stays with the old one as the person
left it (issue 14, point 6). A removed *source* may still delete its post, and the
copies hear of it. An end event names the post, not the copy: an app holding two copies
of one post (Social takes a status as a story and as a status) hears of the end once
for each copy that still stands, so ends are counted per app and post.

The hub and its four apps serve every generated history of one test; each history is
a new person, so the histories do not see each other's events (the direction matrix is
reset at the start of each)."""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select

from accounts_center.domain.errors import (
    CrossPostDestinationNotOffered,
    CrossPostNoDestination,
    CrossPostPairUnavailable,
    CrossPostTypeNotDeclared,
    UnknownAppUser,
)
from accounts_center.domain.origin import RequestOrigin
from accounts_center.hub import Hub
from accounts_center.services.crosspost_routes import (
    crosspost_choices,
    set_crosspost_choice,
    set_directions,
)
from accounts_center.services.crossposts import (
    create_crosspost,
    delete_crosspost,
    destinations_for_app,
    expire_due_crossposts,
    report_copy,
)
from accounts_center.services.links import unlink_account
from accounts_center.services.member_apps import MemberApp, register_app
from accounts_center.services.sign_up import sign_up
from accounts_center.store.outbox_models import OutboxEventRow
from tests.image_files import encoded
from tests.support import FakeClock, link_now

ORIGIN = RequestOrigin("127.0.0.1", "test")
TYPES = ("status", "story")
DECLARED = {  # app → (source types, destination types)
    "Chat": ({"status"}, {"status"}),
    "Pics": ({"story"}, {"story"}),
    "Social": (set(), {"story", "status"}),
    "Blog": ({"status", "story"}, set()),
}
APP_NAMES = tuple(DECLARED)
DIRECTIONS = tuple(itertools.product(TYPES, TYPES))
# Mostly pairs the apps could carry, sometimes any pair at all.
DECLARED_PAIRS = tuple((source, destination, (sent, kept))
                       for source, (sends, _) in DECLARED.items() for sent in sorted(sends)
                       for destination, (_, keeps) in DECLARED.items() for kept in sorted(keeps)
                       if source != destination)
SOURCES = tuple((app, kind) for app, (sends, _) in DECLARED.items() for kind in sorted(sends))
MODES = st.sampled_from(("off", "ask", "ask", "always", "always"))
PICTURE = encoded("PNG", (8, 8))
CREATED, DELETED, EXPIRED = "crosspost.created", "crosspost.deleted", "crosspost.expired"
_people = itertools.count()

Event = tuple[str, str, str, str | None]  # type, app id, cross-post id, post type (created)


@dataclass
class Copy:
    link_id: str  # the destination link it was sent through
    state: str = "sent"


@dataclass
class Post:
    source: str
    expires_at: datetime | None
    deleted: bool = False
    expired: bool = False
    copies: dict[tuple[str, str], Copy] = field(default_factory=dict)  # (app, type)


class CrossPostHistories(RuleBasedStateMachine):
    def __init__(self, hub: Hub, clock: FakeClock, apps: dict[str, MemberApp]) -> None:
        super().__init__()
        self.hub, self.clock, self.apps = hub, clock, apps
        self.tag = f"p{next(_people)}"
        self.person = sign_up(hub, f"{self.tag}@example.com", "correct horse battery",
                              ORIGIN).identity_id
        self.links: dict[str, str | None] = dict.fromkeys(APP_NAMES)  # the active one
        self.removed: dict[str, str] = {}  # app → its last removed link
        self.active: set[str] = set()  # active link ids
        self.link_apps: dict[str, str] = {}  # every link id → its app
        self.open: dict[tuple[str, str], bool] = {}
        self.modes: dict[tuple[str, str, str, str], str] = {}  # (src link, dst link, types)
        self.choice_ids: dict[str, tuple[str, str, str, str]] = {}
        self.posts: dict[str, Post] = {}
        self.seen_seq = 0
        self.history: list[Event] = []

    # --- the model -----------------------------------------------------------------------
    def available(self, source: str, destination: str, kinds: tuple[str, str]) -> bool:
        return (source != destination and self.links[source] is not None
                and self.links[destination] is not None
                and kinds[0] in DECLARED[source][0] and kinds[1] in DECLARED[destination][1]
                and self.open[kinds])

    def mode(self, source: str, destination: str, kinds: tuple[str, str]) -> str:
        key = (self.links[source], self.links[destination], *kinds)
        return self.modes.get(key, "off")  # type: ignore[arg-type]

    def offered(self, source: str, kind: str) -> dict[tuple[str, str], str]:
        """(destination app, type) → mode, for what the source app is offered now."""
        return {(destination, wanted): self.mode(source, destination, (kind, wanted))
                for destination in APP_NAMES for wanted in TYPES
                if self.available(source, destination, (kind, wanted))
                and self.mode(source, destination, (kind, wanted)) != "off"}

    def ends(self, post_id: str, post: Post, event: str) -> Counter[Event]:
        return Counter((event, self.apps[app].id, post_id, None)
                       for (app, _), copy in post.copies.items()
                       if copy.link_id in self.active and copy.state != "deleted")

    def written(self) -> Counter[Event]:
        """The cross-post events written for this person since the last step."""
        with self.hub.unit_of_work() as uow:
            rows = uow.session.scalars(
                select(OutboxEventRow).where(OutboxEventRow.identity_id == self.person,
                                             OutboxEventRow.seq > self.seen_seq,
                                             OutboxEventRow.type.like("crosspost.%"))
                .order_by(OutboxEventRow.seq)).all()
            # Every event for the person counts as seen, not only cross-post ones.
            last = uow.session.scalars(
                select(OutboxEventRow.seq).where(OutboxEventRow.identity_id == self.person)
                .order_by(OutboxEventRow.seq.desc()).limit(1)).first()
            events = [(row.type, row.app_id, row.payload["crosspost_id"],
                       row.payload.get("post_type") if row.type == CREATED else None)
                      for row in rows]
        self.seen_seq = last or self.seen_seq
        self.history.extend(events)
        return Counter(events)

    def expect(self, events: Counter[Event]) -> None:
        assert self.written() == events

    def refresh_choice_ids(self) -> None:
        for pair in crosspost_choices(self.hub, self.person):
            if pair.choice_id is not None:
                self.choice_ids[pair.choice_id] = (
                    pair.source_link_id, pair.destination_link_id, pair.source_type.value,
                    pair.destination_type.value)

    def order(self, choice_id: str) -> tuple[int, int, str, str]:
        source_link, destination_link, sent, kept = self.choice_ids[choice_id]
        links = list(self.link_apps)
        return links.index(source_link), links.index(destination_link), sent, kept

    # --- the steps -----------------------------------------------------------------------
    @initialize(closed=st.sets(st.sampled_from(DIRECTIONS)),
                modes=st.lists(MODES, min_size=len(DECLARED_PAIRS),
                               max_size=len(DECLARED_PAIRS)))
    def start(self, closed: set[tuple[str, str]], modes: list[str]) -> None:
        """Some directions closed (the operator's matrix is the hub's, not the person's:
        each history sets all of it), every app added, and a first choice for each pair
        the apps could carry."""
        self.open = {kinds: kinds not in closed for kinds in DIRECTIONS}
        set_directions(self.hub, [":".join(k) for k, on in self.open.items() if on],
                       [":".join(k) for k, on in self.open.items() if not on])
        for app in APP_NAMES:
            self.add(app)
        for pair, mode in zip(DECLARED_PAIRS, modes, strict=True):
            if mode != "off":  # off is where every pair starts
                self.choose(pair, mode)

    @precondition(lambda self: None in self.links.values())
    @rule(data=st.data())
    def add_again(self, data: st.DataObject) -> None:
        self.add(data.draw(st.sampled_from([a for a, link in self.links.items()
                                            if link is None]), label="app"))

    def add(self, app: str) -> None:
        with self.hub.unit_of_work() as uow:
            row = uow.member_apps.by_id(self.apps[app].id)
            assert row is not None
            link = link_now(uow, self.hub, self.person, row, f"{app}-{self.tag}")
            uow.commit()
        self.links[app], self.link_apps[link.id] = link.id, app
        self.active.add(link.id)
        self.expect(Counter())

    @rule(app=st.sampled_from(APP_NAMES), at_once=st.integers(0, 2))
    def remove(self, app: str, at_once: int) -> None:
        """(Only one time in three, so that most histories keep most apps added.)"""
        link_id = self.links[app]
        if link_id is None or at_once:
            return
        unlink_account(self.hub, self.person, link_id, ORIGIN)
        self.links[app], self.removed[app] = None, link_id
        self.active.discard(link_id)
        self.expect(Counter())

    @rule(pair=st.sampled_from(DECLARED_PAIRS), mode=MODES)
    def choose(self, pair: tuple[str, str, tuple[str, str]], mode: str) -> None:
        """On the links the apps have now, or the last removed ones when they have none."""
        source, destination, kinds = pair
        source_link = self.links[source] or self.removed.get(source)
        destination_link = self.links[destination] or self.removed.get(destination)
        if source_link is None or destination_link is None:
            return
        if not self.available(source, destination, kinds):
            with pytest.raises(CrossPostPairUnavailable):
                set_crosspost_choice(self.hub, self.person, source_link, destination_link,
                                     *kinds, mode)
        else:
            before = self.mode(source, destination, kinds)
            assert set_crosspost_choice(self.hub, self.person, source_link,
                                        destination_link, *kinds, mode) is (before != mode)
            self.modes[(source_link, destination_link, *kinds)] = mode
        self.expect(Counter())

    @rule(pair=st.tuples(st.sampled_from(APP_NAMES), st.sampled_from(APP_NAMES),
                         st.sampled_from(DIRECTIONS)), mode=MODES)
    def choose_any(self, pair: tuple[str, str, tuple[str, str]], mode: str) -> None:
        """Also pairs the apps could never carry (an app to itself, a type not declared)."""
        self.choose(pair, mode)

    @rule(kinds=st.sampled_from(DIRECTIONS), allowed=st.sampled_from((True, True, False)))
    def operator(self, kinds: tuple[str, str], allowed: bool) -> None:
        text = ":".join(kinds)
        set_directions(self.hub, [text] if allowed else [], [] if allowed else [text])
        self.open[kinds] = allowed
        self.expect(Counter())

    @rule(made_by=st.tuples(st.sampled_from(APP_NAMES), st.sampled_from(TYPES)))
    def post_a_type_not_declared(self, made_by: tuple[str, str]) -> None:
        source, kind = made_by
        if kind in DECLARED[source][0]:
            return
        with pytest.raises(CrossPostTypeNotDeclared):
            create_crosspost(self.hub, self.apps[source], f"{source}-{self.tag}", kind,
                             PICTURE, None, None, [])
        self.expect(Counter())

    @rule(made_by=st.sampled_from(SOURCES), lifetime=st.sampled_from((None, 5, 30, 60, 100)),
          data=st.data())
    def post(self, made_by: tuple[str, str], lifetime: int | None,
             data: st.DataObject) -> None:
        source, kind = made_by
        app = self.apps[source]
        user = f"{source}-{self.tag}"
        expires_at = None if lifetime is None else self.clock.now() + timedelta(
            minutes=lifetime)

        def attempt(picked: list[str]) -> str:
            return create_crosspost(self.hub, app, user, kind, PICTURE, "hello",
                                    expires_at.isoformat() if expires_at else None,
                                    picked).id

        if self.links[source] is None:
            with pytest.raises(UnknownAppUser):
                attempt([])
            return self.expect(Counter())
        offered = self.offered(source, kind)
        self.refresh_choice_ids()
        listed = destinations_for_app(self.hub, app, user, kind)
        # The source app learns of `ask` and `always` destinations only.
        assert sorted((d.app, d.type, d.mode) for d in listed) == sorted(
            (self.apps[a].name, t, m) for (a, t), m in offered.items())
        # Ids are random: what is drawn from is put in the model's order.
        asked = sorted((d.id for d in listed if d.mode == "ask"), key=self.order)
        picked = data.draw(st.lists(st.sampled_from(asked), unique=True) if asked
                           else st.just([]), label="picked")
        stale = sorted((i for i in self.choice_ids if i not in asked), key=self.order)
        if stale and not data.draw(st.integers(0, 3), label="tick one not offered"):
            picked.append(data.draw(st.sampled_from(stale), label="stale"))
            with pytest.raises(CrossPostDestinationNotOffered):
                attempt(picked)
            return self.expect(Counter())
        ticked = {(self.link_apps[self.choice_ids[i][1]], self.choice_ids[i][3]) for i in picked}
        going = {d for d, mode in offered.items() if mode == "always"} | ticked
        if not going:
            with pytest.raises(CrossPostNoDestination):
                attempt(picked)
            return self.expect(Counter())
        post_id = attempt(picked)
        self.posts[post_id] = Post(source, expires_at, copies={
            (destination, wanted): Copy(self.links[destination])  # type: ignore[arg-type]
            for destination, wanted in going})
        self.expect(Counter((CREATED, self.apps[destination].id, post_id, wanted)
                            for destination, wanted in going))

    @precondition(lambda self: bool(self.posts))
    @rule(data=st.data())
    def delete(self, data: st.DataObject) -> None:
        post_id = data.draw(st.sampled_from(list(self.posts)), label="post")
        post = self.posts[post_id]
        delete_crosspost(self.hub, self.apps[post.source], post_id)
        told = Counter[Event]()
        if not post.deleted and not post.expired:
            told = self.ends(post_id, post, DELETED)
        post.deleted = True
        self.expect(told)

    @precondition(lambda self: any(p.copies for p in self.posts.values()))
    @rule(data=st.data(), state=st.sampled_from(("created", "failed", "deleted")))
    def report(self, data: st.DataObject, state: str) -> None:
        post_id = data.draw(st.sampled_from(list(self.posts)), label="post")
        post = self.posts[post_id]
        app, kind = data.draw(st.sampled_from(sorted(post.copies)), label="copy")
        report_copy(self.hub, self.apps[app], post_id, state,
                    "item-1" if state == "created" else None, kind)
        post.copies[(app, kind)].state = state
        self.expect(Counter())

    @rule(minutes=st.sampled_from((1, 20, 45, 90)))
    def time_passes(self, minutes: int) -> None:
        self.clock.advance(minutes=minutes)
        now = self.clock.now()
        while expire_due_crossposts(self.hub, now)[0]:
            pass
        told = Counter[Event]()
        for post_id, post in self.posts.items():
            if (post.expires_at is not None and post.expires_at <= now
                    and not post.deleted and not post.expired):
                post.expired = True
                told += self.ends(post_id, post, EXPIRED)
        self.expect(told)

    # --- over the whole history ----------------------------------------------------------
    @invariant()
    def each_copy_ends_once_and_nothing_follows(self) -> None:
        created: Counter[tuple[str, str]] = Counter()
        ended: Counter[tuple[str, str]] = Counter()
        how: dict[str, set[str]] = {}
        for event, app_id, post_id, _ in self.history:
            if event == CREATED:
                assert not ended[(app_id, post_id)], "a copy sent after its post ended"
                created[(app_id, post_id)] += 1
            else:
                ended[(app_id, post_id)] += 1
                how.setdefault(post_id, set()).add(event)
        for copy, count in ended.items():
            assert count <= created[copy], "a copy told of its end twice"
        assert all(len(ways) == 1 for ways in how.values()), "deleted and expired"


@pytest.fixture
def apps(hub) -> dict[str, MemberApp]:
    return {name: register_app(
        hub, name, [f"https://{name.lower()}.example/cb"], f"https://{name.lower()}.example/h",
        {"crosspost": {"sources": sorted(sources), "destinations": sorted(destinations)}}).app
        for name, (sources, destinations) in DECLARED.items()}


def test_generated_histories_keep_every_copy_where_the_rules_put_it(hub, clock, apps):
    run_state_machine_as_test(
        lambda: CrossPostHistories(hub, clock, apps),
        settings=settings(max_examples=50, stateful_step_count=30, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow]))

