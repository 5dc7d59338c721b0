"""The avatar a person makes (issue 13, point 4): a spec of named parts, each a word from
a closed vocabulary, and colours as ``#rrggbb``. Apps receive the spec and its render.

The vocabularies are python-avatars' enum values (the library that renders them), copied
here as plain words so the rules import no library; `tests/domain/test_avatar.py` checks
they still match the library's enums. The library's empty value is written ``none``.
Nothing free-text is accepted (the library's custom shirt text is left out): every value
the renderer sees is one of these words or a checked colour, so no spec can smuggle markup
into the SVG.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from accounts_center.domain.errors import InvalidInput, InvalidInputs

NONE = "none"

HAIR_STYLES = (
    "no_hair", "big_hair", "bob", "bun", "caesar_side_part", "caesar", "curly", "curvy",
    "dreads", "frida", "frizzle", "fro_band", "fro", "long_not_too_long", "mia_wallace",
    "shaggy_mullet", "shaggy", "shaved_sides", "short_curly", "short_dreads_1",
    "short_dreads_2", "short_flat", "short_round", "short_waved", "sides", "straight_1",
    "straight_2", "straight_strand", "astronout", "braids", "bride", "buzzcut", "cornrows",
    "curly_2", "dreadlocks", "einstein_hair", "elvis", "evil_spike", "half_shaved", "hat",
    "long_hair_curly", "loose_hair", "mohawk", "mowgli", "pixie", "pompadour", "quiff",
    "twist_long_hair", "twist_long_hair_2", "wick", "wild")
HEADWEAR = (NONE, "hat", "hijab", "turban", "winter_hat_1", "winter_hat_2", "winter_hat_3",
            "winter_hat_4", "chef_cap", "jedi", "gladiator_helmet")
EYES = ("closed", "cry", "default", "eye_roll", "happy", "heart", "side", "squint",
        "surprised", "wink_wacky", "wink", "x_dizzy")
EYEBROWS = (NONE, "angry_natural", "angry", "default_natural", "default", "flat_natural",
            "frown_natural", "raised_excited_natural", "raised_excited",
            "sad_concerned_natural", "sad_concerned", "unibrow_natural", "up_down_natural",
            "up_down")
MOUTHS = ("concerned", "default", "disbelief", "eating", "grimace", "sad", "scream_open",
          "serious", "smile", "tongue", "twinkle", "vomit", "big_smile")
NOSES = ("default", "small", "wide")
FACIAL_HAIR = (NONE, "beard_light", "beard_magestic", "beard_medium", "moustache_fancy",
               "moustache_magnum", "einstien_mustache", "wick_beard")
ACCESSORIES = (NONE, "eyepatch", "kurt", "prescription_01", "prescription_02", "round",
               "sunglasses", "wayfarers", "sunglasses_2", "wayfarers_2")
CLOTHING = (NONE, "blazer_shirt", "blazer_sweater", "collar_sweater", "graphic_shirt",
            "hoodie", "overall", "shirt_crew_neck", "shirt_scoop_neck", "shirt_v_neck",
            "astronaut_suit", "bond_suit", "chef", "gladiator", "jedi_robe", "shirt_wick")
# "custom_text" is left out: it is the one part that carries free text.
SHIRT_GRAPHICS = (NONE, "bat", "bear", "cumbia", "deer", "diamond", "hola", "pizza",
                  "resist", "selena", "skull_outline", "skull")

# Palettes the editor offers (the library's named colours); a spec may hold any colour.
SKIN_TONES = (("tanned", "#fd9841"), ("yellow", "#f8d25c"), ("pale", "#ffdbb4"),
              ("light", "#edb98a"), ("brown", "#d08b5b"), ("dark_brown", "#ae5d29"),
              ("black", "#614335"))
HAIR_COLOURS = (("auburn", "#a55728"), ("black", "#2c1b18"), ("blonde", "#b58143"),
                ("blonde_golden", "#d6b370"), ("brown", "#724133"), ("brown_dark", "#4a312c"),
                ("pastel_pink", "#f59797"), ("platinum", "#ecdcbf"), ("red", "#c93305"),
                ("silver_gray", "#e8e1e1"))
CLOTHING_COLOURS = (("black", "#262e33"), ("blue_01", "#65c9ff"), ("blue_02", "#5199e4"),
                    ("blue_03", "#25557c"), ("gray_01", "#e6e6e6"), ("gray_02", "#929598"),
                    ("heather", "#3c4f5c"), ("pastel_blue", "#b1e2ff"),
                    ("pastel_green", "#a7ffc4"), ("pastel_orange", "#ffdeb5"),
                    ("pastel_yellow", "#ffffb1"), ("pink", "#ff488e"), ("red", "#ff5c5c"),
                    ("white", "#ffffff"))
BACKGROUNDS = (("blue", "#65c9ff"), ("black", "#262e33"), ("white", "#ffffff"))

_COLOUR = re.compile(r"#[0-9a-f]{6}")


@dataclass(frozen=True)
class AvatarSpec:
    skin_tone: str = "#edb98a"
    hair_style: str = "short_flat"
    hair_colour: str = "#724133"
    headwear: str = NONE
    eyes: str = "default"
    eyebrows: str = "default_natural"
    mouth: str = "smile"
    nose: str = "default"
    facial_hair: str = NONE
    accessory: str = NONE
    clothing: str = "shirt_crew_neck"
    clothing_colour: str = "#5199e4"
    shirt_graphic: str = NONE
    background: str = "#65c9ff"

    def to_document(self) -> dict[str, str]:
        return asdict(self)

    def digest(self) -> str:
        """SHA-256 of the canonical JSON document: the same avatar, the same digest,
        whatever order its parts were written in."""
        canonical = json.dumps(self.to_document(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()

    def with_part(self, name: str, value: object) -> AvatarSpec:
        """This avatar with one part changed; the value is checked like any other."""
        if name not in VOCABULARIES and name not in COLOUR_PARTS:
            raise InvalidInput(f"{name!r} is not a part of an avatar", field=name)
        return replace(self, **{name: _checked(name, value)})

    def randomised(self, rng: random.Random) -> AvatarSpec:
        """A new avatar: every part drawn by ``rng`` (injected, so tests can repeat one).
        Facial hair, accessories and headwear are drawn as often as not left off, as the
        library's own random avatar does."""
        values: dict[str, str] = {}
        for name, words in VOCABULARIES.items():
            if NONE in words and name in _MOSTLY_NONE and rng.random() < 0.5:
                values[name] = NONE
            else:
                values[name] = rng.choice(words)
        for name, palette in COLOUR_PARTS.items():
            values[name] = rng.choice(palette)[1]
        return AvatarSpec(**values)

    def with_expression(self, expression: str) -> AvatarSpec:
        """The same avatar with another face, for stickers (issue 13, point 5): eyebrows
        keep their natural or drawn look, as the library's own expressions do."""
        if expression not in EXPRESSIONS:
            raise InvalidInput(f"{expression!r} is not an expression", field="expression")
        natural, drawn, mouth, eyes = EXPRESSIONS[expression]
        eyebrows = natural if self.eyebrows.endswith("_natural") else drawn
        return replace(self, eyebrows=eyebrows, mouth=mouth, eyes=eyes)


VOCABULARIES: dict[str, tuple[str, ...]] = {
    "hair_style": HAIR_STYLES, "headwear": HEADWEAR, "eyes": EYES, "eyebrows": EYEBROWS,
    "mouth": MOUTHS, "nose": NOSES, "facial_hair": FACIAL_HAIR, "accessory": ACCESSORIES,
    "clothing": CLOTHING, "shirt_graphic": SHIRT_GRAPHICS}
COLOUR_PARTS: dict[str, tuple[tuple[str, str], ...]] = {
    "skin_tone": SKIN_TONES, "hair_colour": HAIR_COLOURS, "clothing_colour": CLOTHING_COLOURS,
    "background": BACKGROUNDS}
PARTS = tuple(field.name for field in fields(AvatarSpec))
_MOSTLY_NONE = {"headwear", "facial_hair", "accessory"}

# expression: (natural eyebrows, drawn eyebrows, mouth, eyes), after the library's
# Avatar.happy(), .sad(), .surprised() ...; "wink" is ours.
EXPRESSIONS: dict[str, tuple[str, str, str, str]] = {
    "happy": ("raised_excited_natural", "raised_excited", "smile", "happy"),
    "sad": ("sad_concerned_natural", "sad_concerned", "sad", "default"),
    "surprised": ("raised_excited_natural", "raised_excited", "disbelief", "surprised"),
    "wink": ("default_natural", "default", "twinkle", "wink"),
    "angry": ("angry_natural", "angry", "serious", "squint"),
    "worried": ("sad_concerned_natural", "sad_concerned", "concerned", "squint"),
    "neutral": ("default_natural", "default", "serious", "default"),
}

DEFAULT_AVATAR = AvatarSpec()


def parse_avatar_spec(document: Mapping[str, Any]) -> AvatarSpec:
    """A spec from a JSON object or a form: every part present, no other key, every value
    from its vocabulary. Every problem is reported at once, each naming its part."""
    if not isinstance(document, Mapping):
        raise InvalidInput("An avatar is an object of named parts.", field="avatar")
    problems: list[InvalidInput] = []
    values: dict[str, str] = {}
    for key in document:
        if key not in PARTS:
            problems.append(InvalidInput(
                f"{str(key)[:40]!r} is not a part of an avatar.", field=str(key)[:40]))
    for name in PARTS:
        if name not in document:
            problems.append(InvalidInput(f"The avatar's {_words(name)} is missing.",
                                         field=name))
            continue
        try:
            values[name] = _checked(name, document[name])
        except InvalidInput as problem:
            problems.append(problem)
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise InvalidInputs(problems)
    return AvatarSpec(**values)


def _checked(name: str, value: object) -> str:
    if name in COLOUR_PARTS:
        if not isinstance(value, str) or not _COLOUR.fullmatch(value.lower()):
            raise InvalidInput(f"The avatar's {_words(name)} must be a colour as #rrggbb.",
                               field=name)
        return value.lower()
    if not isinstance(value, str) or value not in VOCABULARIES[name]:
        raise InvalidInput(f"The avatar's {_words(name)} must be one of the offered choices.",
                           field=name)
    return value


def _words(name: str) -> str:
    return name.replace("_", " ")
