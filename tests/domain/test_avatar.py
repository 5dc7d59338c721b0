"""The avatar spec: closed vocabularies, one digest per avatar, random avatars that are
always valid, and the library's vocabularies kept in step with ours."""

from __future__ import annotations

import random

import pytest
import python_avatars as pa
from hypothesis import given
from hypothesis import strategies as st

from accounts_center.domain.avatar import (
    ACCESSORIES,
    BACKGROUNDS,
    CLOTHING,
    CLOTHING_COLOURS,
    DEFAULT_AVATAR,
    EXPRESSIONS,
    EYEBROWS,
    EYES,
    FACIAL_HAIR,
    HAIR_COLOURS,
    HAIR_STYLES,
    HEADWEAR,
    MOUTHS,
    NOSES,
    PARTS,
    SHIRT_GRAPHICS,
    SKIN_TONES,
    AvatarSpec,
    parse_avatar_spec,
)
from accounts_center.domain.errors import InvalidInput, InvalidInputs


def _words(enum: type) -> tuple[str, ...]:
    return tuple(member.value or "none" for member in enum)


def test_vocabularies_are_the_libraries_words():
    assert _words(pa.HairType) == HAIR_STYLES
    assert ("none", *_words(pa.HatType)) == HEADWEAR
    assert _words(pa.EyeType) == EYES
    assert _words(pa.EyebrowType) == EYEBROWS
    assert _words(pa.MouthType) == MOUTHS
    assert _words(pa.NoseType) == NOSES
    assert _words(pa.FacialHairType) == FACIAL_HAIR
    assert _words(pa.AccessoryType) == ACCESSORIES
    assert _words(pa.ClothingType) == CLOTHING
    # All but the custom text, the one part that would carry free text into the SVG.
    assert tuple(w for w in _words(pa.ClothingGraphic) if w != "custom_text") == SHIRT_GRAPHICS


def test_palettes_are_the_libraries_colours():
    for enum, palette in [(pa.SkinColor, SKIN_TONES), (pa.HairColor, HAIR_COLOURS),
                          (pa.ClothingColor, CLOTHING_COLOURS),
                          (pa.BackgroundColor, BACKGROUNDS)]:
        assert {m.value.lower() for m in enum} == {colour for _, colour in palette}, enum


def test_a_spec_reads_back_from_its_document():
    assert parse_avatar_spec(DEFAULT_AVATAR.to_document()) == DEFAULT_AVATAR


def test_an_unknown_part_value_is_refused_naming_the_part():
    with pytest.raises(InvalidInput) as refused:
        parse_avatar_spec({**DEFAULT_AVATAR.to_document(), "mouth": "fangs"})
    assert refused.value.field == "mouth"


def test_a_colour_that_is_not_rrggbb_is_refused():
    for bad in ("red", "#12345", "#1234567", "#gg0000", "", 7, None):
        with pytest.raises(InvalidInput) as refused:
            parse_avatar_spec({**DEFAULT_AVATAR.to_document(), "hair_colour": bad})
        assert refused.value.field == "hair_colour"


def test_colours_are_kept_in_lower_case():
    spec = parse_avatar_spec({**DEFAULT_AVATAR.to_document(), "background": "#ABCDEF"})
    assert spec.background == "#abcdef"
    assert spec.digest() == DEFAULT_AVATAR.with_part("background", "#abcdef").digest()


def test_an_extra_key_is_refused_by_name():
    with pytest.raises(InvalidInput) as refused:
        parse_avatar_spec({**DEFAULT_AVATAR.to_document(), "shirt_text": "<script>"})
    assert refused.value.field == "shirt_text"


def test_a_missing_part_is_refused_by_name():
    document = DEFAULT_AVATAR.to_document()
    del document["eyes"]
    with pytest.raises(InvalidInput) as refused:
        parse_avatar_spec(document)
    assert refused.value.field == "eyes"


def test_every_problem_is_named_at_once():
    with pytest.raises(InvalidInputs) as refused:
        parse_avatar_spec({**DEFAULT_AVATAR.to_document(), "eyes": "x", "nose": "y"})
    assert {p.field for p in refused.value.problems} == {"eyes", "nose"}


def test_the_digest_ignores_key_order_and_changes_with_any_part():
    document = DEFAULT_AVATAR.to_document()
    reversed_document = dict(reversed(list(document.items())))
    assert parse_avatar_spec(reversed_document).digest() == DEFAULT_AVATAR.digest()
    assert DEFAULT_AVATAR.digest() == AvatarSpec().digest()  # stable across instances
    assert len(DEFAULT_AVATAR.digest()) == 64
    assert DEFAULT_AVATAR.with_part("eyes", "wink").digest() != DEFAULT_AVATAR.digest()


def test_with_part_checks_the_value_and_the_part():
    assert DEFAULT_AVATAR.with_part("eyes", "wink").eyes == "wink"
    with pytest.raises(InvalidInput) as refused:
        DEFAULT_AVATAR.with_part("eyes", "laser")
    assert refused.value.field == "eyes"
    with pytest.raises(InvalidInput):
        DEFAULT_AVATAR.with_part("tail", "long")


@given(st.integers(min_value=0, max_value=2**64))
def test_random_avatars_are_always_valid(seed: int):
    spec = DEFAULT_AVATAR.randomised(random.Random(seed))
    assert parse_avatar_spec(spec.to_document()) == spec


def test_the_same_seed_gives_the_same_random_avatar():
    assert (DEFAULT_AVATAR.randomised(random.Random(7))
            == DEFAULT_AVATAR.randomised(random.Random(7)))


@given(st.integers(min_value=0, max_value=2**64), st.sampled_from(sorted(EXPRESSIONS)))
def test_an_expression_changes_only_the_face(seed: int, expression: str):
    spec = DEFAULT_AVATAR.randomised(random.Random(seed))
    sticker = spec.with_expression(expression)
    assert parse_avatar_spec(sticker.to_document()) == sticker
    changed = {name for name in PARTS if getattr(sticker, name) != getattr(spec, name)}
    assert changed <= {"eyebrows", "mouth", "eyes"}


def test_an_unknown_expression_is_refused():
    with pytest.raises(InvalidInput) as refused:
        DEFAULT_AVATAR.with_expression("smug")
    assert refused.value.field == "expression"
