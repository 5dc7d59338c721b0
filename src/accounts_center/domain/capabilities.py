"""What a member app declares it may do (DESIGN §3, MemberApp).

A capability document is a mapping such as::

    {
      "sends": ["device", "activity", "age"],
      "receives": ["account_details", "profile_photo"],
      "crosspost": {"sources": ["status"], "destinations": ["story"]},
      "creations": false,
      "ad_use": false,
      "multiple_accounts_per_identity": false
    }

Every field is optional. Unknown fields are refused so a typo cannot silently widen or
narrow what an app may do, and a never-shared category is refused wherever it appears.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from accounts_center.domain.categories import NEVER_SHARED, CrossPostType, DataCategory
from accounts_center.domain.errors import InvalidInput, NeverSharedCategory

_TOP_LEVEL = {"sends", "receives", "crosspost", "creations", "ad_use",
              "multiple_accounts_per_identity"}
_CROSSPOST = {"sources", "destinations"}


@dataclass(frozen=True)
class Capabilities:
    sends: frozenset[DataCategory] = field(default_factory=frozenset)
    receives: frozenset[DataCategory] = field(default_factory=frozenset)
    crosspost_sources: frozenset[CrossPostType] = field(default_factory=frozenset)
    crosspost_destinations: frozenset[CrossPostType] = field(default_factory=frozenset)
    creations: bool = False
    ad_use: bool = False
    multiple_accounts_per_identity: bool = False

    def to_document(self) -> dict[str, Any]:
        """The canonical JSON form, sorted so it is stable in storage and output."""
        return {
            "sends": sorted(c.value for c in self.sends),
            "receives": sorted(c.value for c in self.receives),
            "crosspost": {
                "sources": sorted(t.value for t in self.crosspost_sources),
                "destinations": sorted(t.value for t in self.crosspost_destinations),
            },
            "creations": self.creations,
            "ad_use": self.ad_use,
            "multiple_accounts_per_identity": self.multiple_accounts_per_identity,
        }


def parse_capabilities(document: object) -> Capabilities:
    """Validate a capability document; errors name the offending field."""
    if not isinstance(document, Mapping):
        raise InvalidInput("capabilities must be an object of named fields", field="(root)")
    _refuse_unknown(document, _TOP_LEVEL, prefix="")
    crosspost = document.get("crosspost", {})
    if not isinstance(crosspost, Mapping):
        raise InvalidInput("crosspost must be an object with sources and destinations",
                           field="crosspost")
    _refuse_unknown(crosspost, _CROSSPOST, prefix="crosspost.")
    return Capabilities(
        sends=_categories(document.get("sends", []), "sends"),
        receives=_categories(document.get("receives", []), "receives"),
        crosspost_sources=_post_types(crosspost.get("sources", []), "crosspost.sources"),
        crosspost_destinations=_post_types(crosspost.get("destinations", []),
                                           "crosspost.destinations"),
        creations=_flag(document.get("creations", False), "creations"),
        ad_use=_flag(document.get("ad_use", False), "ad_use"),
        multiple_accounts_per_identity=_flag(
            document.get("multiple_accounts_per_identity", False),
            "multiple_accounts_per_identity"),
    )


def _refuse_unknown(mapping: Mapping[Any, Any], allowed: set[str], *, prefix: str) -> None:
    for key in mapping:
        if key not in allowed:
            known = ", ".join(sorted(allowed))
            raise InvalidInput(f"{prefix}{key}: unknown field (known fields: {known})",
                               field=f"{prefix}{key}")


def _string_list(value: object, name: str) -> list[str]:
    if not isinstance(value, list):
        raise InvalidInput(f"{name}: must be a list of names", field=name)
    for index, item in enumerate(value):
        if not isinstance(item, str):
            raise InvalidInput(f"{name}[{index}]: must be a name, not {type(item).__name__}",
                               field=f"{name}[{index}]")
    return value


def _categories(value: object, name: str) -> frozenset[DataCategory]:
    result: set[DataCategory] = set()
    for index, item in enumerate(_string_list(value, name)):
        where = f"{name}[{index}]"
        if item in NEVER_SHARED:
            raise NeverSharedCategory(
                f"{where}: {item!r} is never shared — messages, calls and contacts never "
                "leave the app they belong to", field=where)
        try:
            result.add(DataCategory(item))
        except ValueError:
            known = ", ".join(c.value for c in DataCategory)
            raise InvalidInput(f"{where}: unknown data category {item!r} (known: {known})",
                               field=where) from None
    return frozenset(result)


def _post_types(value: object, name: str) -> frozenset[CrossPostType]:
    result: set[CrossPostType] = set()
    for index, item in enumerate(_string_list(value, name)):
        try:
            result.add(CrossPostType(item))
        except ValueError:
            known = ", ".join(t.value for t in CrossPostType)
            raise InvalidInput(f"{name}[{index}]: unknown content type {item!r} "
                               f"(known: {known})", field=f"{name}[{index}]") from None
    return frozenset(result)


def _flag(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput(f"{name}: must be true or false", field=name)
    return value
