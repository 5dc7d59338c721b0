"""Profile photos (issue 13, point 3): an uploaded image becomes three square JPEG
renditions (64, 256, 1024 px) with nothing of the original file left but its pixels.

Decoding is where images attack: the file's claimed type is ignored and Pillow may use
only the decoders of the accepted formats; the size is checked before anything is read,
the pixel count from the header before any pixel is decoded, and a decompression-bomb
warning is an error. EXIF orientation is applied, then every piece of metadata (EXIF with
its GPS position, XMP, ICC, comments) is dropped by copying bare pixels into a new image.

JPEG rather than WebP: every app, mail client and image library reads it, a square photo
needs no transparency, and at quality 85 a 1024 px photo stays around 100 to 200 KB.
"""

from __future__ import annotations

import hashlib
import io
import math
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError
from pillow_heif import register_heif_opener

from accounts_center.domain.errors import ImageTooLarge, NotAnImage, TooManyPixels
from accounts_center.domain.images import (
    ACCEPTED_FORMATS,
    OUTPUT_MEDIA_TYPE,
    PROFILE_PHOTO,
    RENDITIONS,
    SquareBox,
    crop_box,
)
from accounts_center.hub import Hub
from accounts_center.services.media import put_media
from accounts_center.settings import Settings
from accounts_center.store.unit_of_work import UnitOfWork

register_heif_opener()


@dataclass(frozen=True)
class Rendition:
    size: int
    content: bytes
    digest: str


@dataclass(frozen=True)
class ProfilePhoto:
    """The digests of a stored profile photo's renditions (`GET /media/{digest}`)."""

    small: str  # 64 px
    medium: str  # 256 px
    large: str  # 1024 px

    def by_size(self) -> dict[int, str]:
        return {64: self.small, 256: self.medium, 1024: self.large}


def render_profile_photo(settings: Settings, data: bytes,
                         crop: SquareBox | None = None) -> tuple[Rendition, ...]:
    """The renditions of an uploaded image, or the refusal (`UnusableImage`) that says
    why not. Pure computation, no transaction: call it before opening one."""
    if len(data) > settings.media_max_upload_bytes:
        raise ImageTooLarge(settings.media_max_upload_bytes)
    square = _square(decode_upload(data, settings.media_max_pixels), crop)
    renditions = []
    for size in RENDITIONS:
        content = _jpeg(square.resize((size, size), Image.Resampling.LANCZOS)
                        if square.size != (size, size) else square)
        renditions.append(Rendition(size, content, hashlib.sha256(content).hexdigest()))
    return tuple(renditions)


def save_profile_photo(uow: UnitOfWork, hub: Hub, identity_id: str,
                       renditions: tuple[Rendition, ...]) -> ProfilePhoto:
    """Within the caller's transaction: the renditions become the person's profile photo,
    replacing the one they had (its blobs stay while anyone else owns them)."""
    now = hub.clock.now()
    uow.media.disown(identity_id, PROFILE_PHOTO)
    for rendition in renditions:
        put_media(uow, identity_id, rendition.content, OUTPUT_MEDIA_TYPE, PROFILE_PHOTO,
                  rendition.size, now)
    by_size = {rendition.size: rendition.digest for rendition in renditions}
    return ProfilePhoto(small=by_size[64], medium=by_size[256], large=by_size[1024])


def set_profile_photo(hub: Hub, identity_id: str, data: bytes,
                      crop: SquareBox | None = None) -> ProfilePhoto:
    """The person's new profile photo from an uploaded file: decoded and re-encoded
    outside any transaction, stored in one."""
    renditions = render_profile_photo(hub.settings, data, crop)
    with hub.unit_of_work() as uow:
        photo = save_profile_photo(uow, hub, identity_id, renditions)
        uow.commit()
    return photo


def profile_photo_of(hub: Hub, identity_id: str) -> ProfilePhoto | None:
    with hub.unit_of_work() as uow:
        owned = {row.rendition: row.digest for row in uow.media.owned(identity_id,
                                                                      PROFILE_PHOTO)}
    if set(owned) != set(RENDITIONS):
        return None
    return ProfilePhoto(small=owned[64], medium=owned[256], large=owned[1024])


def decode_upload(data: bytes, max_pixels: int, fit: int | None = None) -> Image.Image:
    """The uploaded image, decoded with the accepted formats' decoders only, after the
    pixel count is checked from its header; EXIF orientation applied. ``fit``: the
    caller keeps at most ``fit`` pixels a side, so a JPEG larger than that is decoded
    straight at a reduced scale (libjpeg's DCT scaling: 1/2, 1/4 or 1/8) still no
    smaller than what fits — several times faster than decoding it whole and
    shrinking the pixels afterwards (a 1 MB 2048x1536 photo: ~10 ms instead of ~60)."""
    with warnings.catch_warnings():
        # Pillow warns past its own limit and raises past twice it; both are refusals.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
            width, height = image.size
            if width * height > max_pixels:
                raise TooManyPixels(max_pixels, width, height)
            if fit is not None and image.format == "JPEG" and max(width, height) > fit:
                # The size the caller will shrink to; the scale is the same both ways,
                # so an EXIF rotation applied afterwards changes nothing.
                scale = fit / max(width, height)
                image.draft(None, (math.ceil(width * scale), math.ceil(height * scale)))
            image.load()
            return ImageOps.exif_transpose(image)
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise TooManyPixels(max_pixels) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError,
                IndexError, TypeError, KeyError, RuntimeError):
            # What Pillow's decoders raise on damaged or hostile files.
            raise NotAnImage() from None


def _square(image: Image.Image, crop: SquareBox | None) -> Image.Image:
    """The square to keep, as bare RGB pixels in a new image: nothing of the file's
    metadata (``info``: EXIF, XMP, ICC profile, comments) comes along."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P"
                                              and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        rgb = flat
    else:
        rgb = image.convert("RGB")
    cropped = rgb.crop(crop_box(rgb.width, rgb.height, crop))
    return Image.frombytes("RGB", cropped.size, cropped.tobytes())


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85, optimize=True, progressive=True)
    return out.getvalue()
