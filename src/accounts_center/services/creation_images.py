"""Uploaded creations' pictures (issue 13, point 5): through the profile photo's decoder
(accepted formats only, size and pixel limits, bombs refused, orientation applied), then
bare pixels in a new image so no metadata survives (EXIF GPS included), at most
`MAX_SIDE` pixels a side, re-encoded.

Transparency is kept — a sticker someone made elsewhere is a cut-out — so an image with
an alpha channel becomes a PNG, any other a JPEG."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image

from accounts_center.domain.errors import ImageTooLarge, UnusableImage
from accounts_center.services.profile_photos import decode_upload
from accounts_center.settings import Settings

MAX_SIDE = 1024


@dataclass(frozen=True)
class CreationPicture:
    content: bytes
    media_type: str
    width: int
    height: int


def render_creation_image(settings: Settings, data: bytes,
                          field: str = "file") -> CreationPicture:
    """The picture to keep of an uploaded file, or the refusal (`UnusableImage`, naming
    ``field``). Pure computation: call it before opening a transaction."""
    try:
        if len(data) > settings.media_max_upload_bytes:
            raise ImageTooLarge(settings.media_max_upload_bytes)
        image = decode_upload(data, settings.media_max_pixels, fit=MAX_SIDE)
    except UnusableImage as refused:
        refused.field = field
        raise
    transparent = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info)
    mode = "RGBA" if transparent else "RGB"
    converted = image.convert(mode)
    bare = Image.frombytes(mode, converted.size, converted.tobytes())
    if max(bare.size) > MAX_SIDE:
        bare.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if transparent:
        bare.save(out, format="PNG", optimize=True)
    else:
        bare.save(out, format="JPEG", quality=85, optimize=True, progressive=True)
    return CreationPicture(out.getvalue(), "image/png" if transparent else "image/jpeg",
                           bare.width, bare.height)
