"""Avatar renders: an SVG that can run and load nothing, PNGs of the asked size, each
drawn once per spec."""

from __future__ import annotations

import random
import re
import struct

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts_center.domain.avatar import DEFAULT_AVATAR, EXPRESSIONS
from accounts_center.domain.errors import InvalidInput
from accounts_center.services import avatar_render
from accounts_center.services.avatar_render import (
    InProcessRenderCache,
    RenderKey,
    render_avatar,
    render_sticker,
)
from accounts_center.services.avatar_svg import avatar_svg, sanitised_svg, unsafe_parts

SVG_NS = "http://www.w3.org/2000/svg"


def _png_size(content: bytes) -> tuple[int, int]:
    assert content[:8] == b"\x89PNG\r\n\x1a\n"
    assert content[12:16] == b"IHDR"
    return struct.unpack(">II", content[16:24])


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=2**64))
def test_no_avatar_svg_holds_script_handlers_or_external_references(seed: int):
    spec = DEFAULT_AVATAR.randomised(random.Random(seed))
    svg = avatar_svg(spec)
    assert unsafe_parts(svg) == []
    lowered = svg.lower()
    assert "<script" not in lowered and "foreignobject" not in lowered
    assert svg.startswith(f'<svg xmlns="{SVG_NS}"')
    assert "http:" not in re.sub(r'xmlns(:[a-z0-9]+)?="[^"]*"', "", lowered)
    assert not re.search(r"\son[a-z]*\s*=", lowered)  # no onload=, onclick=, ...
    # No style, so the policy needs no 'unsafe-inline'.
    assert "<style" not in lowered and not re.search(r"\sstyle\s*=", lowered)


def test_the_svg_keeps_its_form_whatever_prefixes_other_code_registered():
    import xml.etree.ElementTree as ET

    ET.register_namespace("svg", SVG_NS)  # as qrcode's SVG images do
    assert avatar_svg(DEFAULT_AVATAR).startswith(f'<svg xmlns="{SVG_NS}"')


def test_the_sanitiser_removes_what_could_run_or_load():
    hostile = (f'<svg xmlns="{SVG_NS}" xmlns:xlink="http://www.w3.org/1999/xlink" '
               'onload="alert(1)"><script>alert(1)</script><foreignObject/>'
               '<use xlink:href="http://evil.example/x.svg#a"/><use href="#fine"/>'
               '<rect fill="url(https://evil.example/p)" onclick="x()"/>'
               '<rect style="fill: url(https://evil.example/)"/></svg>')
    assert unsafe_parts(hostile)
    cleaned = sanitised_svg(hostile)
    assert unsafe_parts(cleaned) == []
    assert "evil" not in cleaned and "alert" not in cleaned
    assert 'href="#fine"' in cleaned


@pytest.mark.parametrize("size", [64, 256, 1024])
def test_a_png_is_a_square_png_of_the_asked_size(size: int):
    made = render_avatar(DEFAULT_AVATAR, InProcessRenderCache(), format="png", size=size)
    assert made.media_type == "image/png"
    assert _png_size(made.content) == (size, size)


def test_other_png_sizes_are_refused():
    with pytest.raises(InvalidInput) as refused:
        render_avatar(DEFAULT_AVATAR, InProcessRenderCache(), format="png", size=300)
    assert refused.value.field == "size"


def test_a_cached_render_is_not_drawn_again(monkeypatch: pytest.MonkeyPatch):
    drawn = []
    real = avatar_render.avatar_svg
    monkeypatch.setattr(avatar_render, "avatar_svg",
                        lambda spec: drawn.append(spec) or real(spec))
    cache = InProcessRenderCache()
    first = render_avatar(DEFAULT_AVATAR, cache)
    again = render_avatar(DEFAULT_AVATAR, cache)
    assert again == first and len(drawn) == 1
    render_avatar(DEFAULT_AVATAR, cache, format="png", size=64)
    render_avatar(DEFAULT_AVATAR, cache, format="png", size=64)
    assert len(drawn) == 2  # the PNG is its own entry, drawn once
    assert first.digest == DEFAULT_AVATAR.digest()


def test_the_cache_forgets_the_least_recently_used_first():
    cache = InProcessRenderCache(max_bytes=10)
    keys = [RenderKey(str(n), "svg", None) for n in range(3)]
    cache.put(keys[0], b"aaaa")
    cache.put(keys[1], b"bbbb")
    assert cache.get(keys[0]) == b"aaaa"  # now the most recent
    cache.put(keys[2], b"cccc")
    assert cache.get(keys[1]) is None
    assert cache.get(keys[0]) == b"aaaa" and cache.get(keys[2]) == b"cccc"


@pytest.mark.parametrize("expression", sorted(EXPRESSIONS))
def test_a_sticker_is_the_avatar_with_another_face(expression: str):
    cache = InProcessRenderCache()
    sticker = render_sticker(DEFAULT_AVATAR, expression, cache, size=64)
    assert _png_size(sticker.content) == (64, 64)
    assert sticker.digest == DEFAULT_AVATAR.with_expression(expression).digest()


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=2**64), st.sampled_from(sorted(EXPRESSIONS)))
def test_stickers_are_safe_svg_too(seed: int, expression: str):
    spec = DEFAULT_AVATAR.randomised(random.Random(seed))
    made = render_sticker(spec, expression, InProcessRenderCache(), format="svg")
    assert unsafe_parts(made.content.decode()) == []
