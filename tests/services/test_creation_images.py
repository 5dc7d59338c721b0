"""A large JPEG becomes a creation's or cross-post's picture (`render_creation_image`)
the same as before it was decoded at a reduced scale: the same size, turned the same way
by its EXIF orientation, and the same picture, only faster (issue 14's benchmark)."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageChops, ImageOps, ImageStat

from accounts_center.services.creation_images import MAX_SIDE, render_creation_image
from tests.image_files import jpeg_with_gps
from tests.support import cheap_settings

SETTINGS = cheap_settings("sqlite://")


def shrunk_whole(data: bytes) -> Image.Image:
    """The reference: decoded whole, turned, then shrunk to fit."""
    image = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))
    image = image.convert("RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    return image


@pytest.mark.parametrize(("size", "orientation"), [
    ((2048, 1536), None), ((4000, 3000), None), ((2049, 1025), None),
    ((1500, 5000), None), ((2400, 1600), 6), ((3000, 2100), 8),
])
def test_a_large_jpeg_comes_out_as_if_decoded_whole(size, orientation):
    data = jpeg_with_gps(*size, orientation=orientation)
    picture = render_creation_image(SETTINGS, data)
    made = Image.open(io.BytesIO(picture.content))
    expected = shrunk_whole(data)
    assert (picture.width, picture.height) == made.size == expected.size
    assert max(made.size) == MAX_SIDE
    difference = ImageStat.Stat(ImageChops.difference(made.convert("RGB"), expected))
    assert max(difference.mean) < 4  # the same picture, up to resampling


def test_a_turned_photo_keeps_its_halves_where_the_camera_saw_them():
    # Left half red, right half blue, taken with the camera turned (orientation 6: shown
    # turned 90° clockwise): red ends up on top, blue below.
    picture = render_creation_image(SETTINGS, jpeg_with_gps(2400, 1600, orientation=6))
    made = Image.open(io.BytesIO(picture.content)).convert("RGB")
    assert made.size == (683, 1024)
    top, bottom = made.getpixel((341, 100)), made.getpixel((341, 900))
    assert top[0] > 180 and top[2] < 60
    assert bottom[2] > 180 and bottom[0] < 60
