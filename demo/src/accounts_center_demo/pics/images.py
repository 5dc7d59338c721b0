"""Which uploads are photos: the file's first bytes decide, never its name or the type the
browser claimed."""

from __future__ import annotations

MAX_PHOTO_BYTES = 5 * 1024 * 1024


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


def checked_photo(data: bytes) -> str:
    """The photo's media type, or NotAPhoto saying what is wrong."""
    if not data:
        raise NotAPhoto("Choose a photo to upload.")
    if len(data) > MAX_PHOTO_BYTES:
        raise NotAPhoto("That photo is larger than 5 MB.")
    media_type = sniff_image_type(data)
    if media_type is None:
        raise NotAPhoto("That file is not a PNG, JPEG, WebP or GIF image.")
    return media_type
