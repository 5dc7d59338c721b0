"""Which files are images: the first bytes decide, never a name or a claimed type; and
what of an image is kept: its pixels, never its metadata (a phone's EXIF holds where and
when it was taken, and with which device). Pics's uploads and the pictures Accounts Center
sends (a profile photo, an avatar) both pass through here."""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PHOTO_BYTES = 5 * 1024 * 1024
# Pillow refuses larger images (decompression bombs): a 5 MB file can claim gigapixels.
MAX_PIXELS = 40_000_000
_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF",
            "image/webp": "WEBP"}


class NotAPhoto(ValueError):
    """The upload is not a PNG, JPEG, WebP or GIF image, or is too large."""


def sniff_image_type(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def checked_photo(data: bytes) -> tuple[str, bytes]:
    """The photo's media type and its pixels re-encoded without metadata, or NotAPhoto
    saying what is wrong."""
    if not data:
        raise NotAPhoto("Choose a photo to upload.")
    if len(data) > MAX_PHOTO_BYTES:
        raise NotAPhoto("That photo is larger than 5 MB.")
    media_type = sniff_image_type(data)
    if media_type is None:
        raise NotAPhoto("That file is not a PNG, JPEG, WebP or GIF image.")
    return media_type, without_metadata(data, media_type)


def without_metadata(data: bytes, media_type: str) -> bytes:
    """The image drawn upright (EXIF orientation applied) and saved afresh: nothing but
    pixels is passed on, so no EXIF, GPS, XMP, ICC or text chunk is written."""
    fmt = _FORMATS[media_type]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            Image.MAX_IMAGE_PIXELS = MAX_PIXELS
            with Image.open(io.BytesIO(data), formats=[fmt]) as image:
                animated = getattr(image, "n_frames", 1) > 1
                out = io.BytesIO()
                if animated:  # GIF or WebP frames keep their timing, not their metadata
                    image.save(out, format=fmt, save_all=True)
                else:
                    upright = ImageOps.exif_transpose(image)
                    if fmt == "JPEG" and upright.mode not in ("RGB", "L"):
                        upright = upright.convert("RGB")
                    upright.save(out, format=fmt)
                return out.getvalue()
    except (UnidentifiedImageError, Image.DecompressionBombError,
            Image.DecompressionBombWarning, OSError, SyntaxError, ValueError) as error:
        raise NotAPhoto("That image could not be read: it may be damaged or too large."
                        ) from error
