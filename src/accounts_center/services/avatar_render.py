"""Avatar renders for people and apps: SVG (python-avatars, sanitised in `avatar_svg`) and
PNG (resvg-py: a self-contained renderer, no system cairo), cached by what they show.

A render depends only on the spec, so it is cached under the spec's digest, the format
and the size. `AvatarRenderCache` is the seam: an in-process LRU now; the media store can
put its blobs behind the same two methods.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

import python_avatars
import resvg_py

from accounts_center.domain.avatar import AvatarSpec
from accounts_center.domain.errors import InvalidInput
from accounts_center.services.avatar_svg import avatar_svg
from accounts_center.services.bytes_lru import BytesLRU

PNG_SIZES = (64, 256, 1024)
Format = Literal["svg", "png"]
# Part of every key, so renders cached before a library upgrade are not served after it.
RENDERER = f"python-avatars {python_avatars.__version__}; resvg-py {resvg_py.__version__}"


@dataclass(frozen=True)
class RenderKey:
    digest: str
    format: Format
    size: int | None  # PNG only: an SVG scales
    renderer: str = RENDERER


@dataclass(frozen=True)
class AvatarRender:
    content: bytes
    media_type: str
    digest: str  # the spec's: the render's ETag


class AvatarRenderCache(Protocol):
    def get(self, key: RenderKey) -> bytes | None: ...

    def put(self, key: RenderKey, content: bytes) -> None: ...


class InProcessRenderCache(BytesLRU[RenderKey]):
    """The most recently used renders of this process, at most ``max_bytes`` of them."""


def render_avatar(spec: AvatarSpec, cache: AvatarRenderCache, *, format: Format = "svg",
                  size: int | None = None) -> AvatarRender:
    """The avatar as SVG, or as a square PNG of one of `PNG_SIZES` pixels a side."""
    if format == "png":
        if size not in PNG_SIZES:
            raise InvalidInput(f"size must be one of {', '.join(map(str, PNG_SIZES))}",
                               field="size")
    else:
        size = None
    digest = spec.digest()
    key = RenderKey(digest, format, size)
    content = cache.get(key)
    if content is None:
        content = _png(spec, size) if size is not None else avatar_svg(spec).encode()
        cache.put(key, content)
    return AvatarRender(content, "image/png" if format == "png" else "image/svg+xml", digest)


def render_sticker(spec: AvatarSpec, expression: str, cache: AvatarRenderCache, *,
                   format: Format = "png", size: int | None = 256) -> AvatarRender:
    """A sticker (issue 13, point 5): the person's avatar with another expression, one of
    `domain.avatar.EXPRESSIONS`."""
    return render_avatar(spec.with_expression(expression), cache, format=format, size=size)


def _png(spec: AvatarSpec, size: int) -> bytes:
    # No system fonts: the avatar has no text, and loading them costs tens of ms.
    return bytes(resvg_py.svg_to_bytes(svg_string=avatar_svg(spec), width=size, height=size,
                                       skip_system_fonts=True))
