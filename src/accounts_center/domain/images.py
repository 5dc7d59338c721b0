"""Rules of profile photos, without decoding anything (issue 13): which sizes are made,
which formats are accepted, and where a square crop falls."""

from __future__ import annotations

from dataclasses import dataclass

from accounts_center.domain.errors import InvalidCrop

# Square renditions every profile photo is stored in (px): a list row, a profile page,
# a full view on a high-density screen.
RENDITIONS = (64, 256, 1024)
# Pillow's names of the formats accepted: what phones and cameras produce and browsers
# show. Decoding is restricted to these, whatever the file claims to be.
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")
PROFILE_PHOTO = "profile_photo"
OUTPUT_MEDIA_TYPE = "image/jpeg"


@dataclass(frozen=True)
class SquareBox:
    """A square of the (orientation-corrected) image, as the console's cropper sends
    it: left, top and side in pixels."""

    x: int
    y: int
    size: int


def crop_box(width: int, height: int, box: SquareBox | None) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of the square to keep: ``box`` when it lies inside the
    image, else InvalidCrop; without one, the largest centred square."""
    if box is None:
        side = min(width, height)
        left, top = (width - side) // 2, (height - side) // 2
        return left, top, left + side, top + side
    if box.size < 1 or box.x < 0 or box.y < 0 or box.x + box.size > width \
            or box.y + box.size > height:
        raise InvalidCrop(f"The square to keep ({box.x}, {box.y}, {box.size} px) does not "
                          f"fit inside the image ({width} x {height}).", field="crop")
    return box.x, box.y, box.x + box.size, box.y + box.size
