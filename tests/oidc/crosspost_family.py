"""Chat (Status source), Pics (Story destination, and a Story source) and Social (Story
destination), each a member app a person may link, for the cross-posting tests."""

from __future__ import annotations

from dataclasses import dataclass

from accounts_center.services.crosspost_routes import set_crosspost_choice
from accounts_center.services.member_apps import register_app
from tests.oidc.conftest import App, Browser, link
from tests.oidc.test_app_profile_api import person_of

CAPABILITIES = {
    "Chat": {"crosspost": {"sources": ["status"], "destinations": ["status"]}},
    "Pics": {"crosspost": {"sources": ["story"], "destinations": ["story"]}},
    "Social": {"crosspost": {"destinations": ["story", "post"]}},
    "Notes": {"sends": ["activity"], "receives": ["activity"]},
}


def member(hub, client, name: str) -> App:
    host = f"https://{name.lower()}.example"
    credentials = register_app(hub, name, [f"{host}/cb"], f"{host}/hooks", CAPABILITIES[name])
    return App(client, credentials, redirect_uri=f"{host}/cb")


@dataclass
class Family:
    hub: object
    chat: App
    pics: App
    social: App
    notes: App
    visitor: Browser
    person: str = ""

    def link_all(self, *names: str) -> None:
        self.visitor.sign_up()
        for name in names or ("chat", "pics", "social"):
            link(getattr(self, name), self.visitor, app_user_id=f"{name}-ada")
        self.person = person_of(self.hub)

    def link_id(self, name: str) -> str:
        app: App = getattr(self, name)
        with self.hub.unit_of_work() as uow:
            row = uow.links.active_for_app_user(app.credentials.app.id, f"{name}-ada")
            assert row is not None
            return row.id

    def choose(self, source: str, destination: str, mode: str,
               types: tuple[str, str] = ("status", "story")) -> bool:
        return set_crosspost_choice(self.hub, self.person, self.link_id(source),
                                    self.link_id(destination), types[0], types[1], mode)


def family_of(hub, client, visitor: Browser) -> Family:
    return Family(hub, member(hub, client, "Chat"), member(hub, client, "Pics"),
                  member(hub, client, "Social"), member(hub, client, "Notes"), visitor)


def chat_to_both(hub, client, visitor: Browser, social: str, pics: str) -> Family:
    """Ada added Chat, Pics and Social; from Chat, Social and Pics set as given."""
    family = family_of(hub, client, visitor)
    family.link_all("chat", "pics", "social")
    family.choose("chat", "social", social)
    family.choose("chat", "pics", pics)
    return family


def chat_to_social_and_pics(hub, client, visitor: Browser) -> Family:
    """Ada added Chat, Pics and Social; from Chat, Social always and Pics ask."""
    return chat_to_both(hub, client, visitor, social="always", pics="ask")
