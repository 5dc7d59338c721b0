"""Profile photos (issue 13, point 3): every rendition is a clean square JPEG, and each
kind of unusable file is refused with its own reason."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from PIL import Image

from accounts_center.domain.errors import (
    ImageTooLarge,
    InvalidCrop,
    NotAnImage,
    TooManyPixels,
    UnusableImage,
)
from accounts_center.domain.images import SquareBox
from accounts_center.domain.origin import RequestOrigin
from accounts_center.services.profile_photos import (
    profile_photo_of,
    render_profile_photo,
    set_profile_photo,
)
from accounts_center.services.retention import prune_expired
from accounts_center.services.sign_up import sign_up
from tests.image_files import GPS_IFD, SVG, encoded, jpeg_with_gps, png_header_claiming
from tests.support import cheap_settings

ORIGIN = RequestOrigin("203.0.113.5", "Firefox")
settings_for_fuzzing = hypothesis_settings(
    max_examples=100, deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(autouse=True)
def pillows_own_limit(monkeypatch):
    """Pillow's process-wide bomb limit at its default (another module of the process, the
    Pics demo, lowers it), so each test sees which check refused."""
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1024 * 1024 * 1024 // 4 // 3)


@pytest.fixture
def settings():
    return cheap_settings("sqlite://")


@pytest.fixture
def ada(hub) -> str:
    return sign_up(hub, "ada@example.com", "correct horse battery", ORIGIN).identity_id


def opened(content: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(content))
    image.load()
    return image


def is_red(pixel) -> bool:
    red, _green, blue = pixel
    return red > 150 and blue < 80


def is_blue(pixel) -> bool:
    red, _green, blue = pixel
    return blue > 150 and red < 80


def test_every_rendition_is_a_square_jpeg_without_gps_or_any_exif(settings):
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)  # it was there

    renditions = render_profile_photo(settings, original)

    assert [r.size for r in renditions] == [64, 256, 1024]
    for rendition in renditions:
        image = opened(rendition.content)
        assert image.format == "JPEG" and image.size == (rendition.size, rendition.size)
        assert len(image.getexif()) == 0 and not image.getexif().get_ifd(GPS_IFD)
        assert b"Exif" not in rendition.content and b"ExampleCam" not in rendition.content
        assert "icc_profile" not in image.info and "exif" not in image.info


def test_the_camera_orientation_is_applied(settings):
    # Orientation 6: shown turned a quarter clockwise, so the red left half is on top.
    renditions = render_profile_photo(settings, jpeg_with_gps(200, 100, orientation=6))
    image = opened(renditions[0].content).convert("RGB")
    assert is_red(image.getpixel((58, 10))) and is_blue(image.getpixel((10, 58)))


def test_without_a_box_the_centred_square_is_kept(settings):
    image = opened(render_profile_photo(settings, jpeg_with_gps(300, 100))[1].content)
    assert is_red(image.getpixel((60, 128))) and is_blue(image.getpixel((196, 128)))


def test_a_box_from_the_cropper_keeps_that_square(settings):
    # The right (blue) half only.
    renditions = render_profile_photo(settings, jpeg_with_gps(300, 200),
                                      SquareBox(x=180, y=20, size=100))
    image = opened(renditions[1].content)
    assert is_blue(image.getpixel((5, 5))) and is_blue(image.getpixel((250, 250)))


@pytest.mark.parametrize("box", [SquareBox(250, 0, 100), SquareBox(-1, 0, 50),
                                 SquareBox(0, 0, 0), SquareBox(0, 150, 60)])
def test_a_box_outside_the_image_is_refused(settings, box):
    with pytest.raises(InvalidCrop, match="does not fit inside the image"):
        render_profile_photo(settings, jpeg_with_gps(300, 200), box)


@pytest.mark.parametrize("image_format,options", [
    ("PNG", {}), ("WEBP", {"quality": 80}), ("HEIF", {})])
def test_png_webp_and_heic_are_accepted(settings, image_format, options):
    renditions = render_profile_photo(settings, encoded(image_format, **options))
    assert opened(renditions[2].content).size == (1024, 1024)


def test_transparency_becomes_white(settings):
    content = encoded("PNG", mode="RGBA", size=(50, 50))
    image = opened(render_profile_photo(settings, content)[0].content)
    red, green, _blue = image.getpixel((32, 32))
    assert red > 100 and green > 150  # blended with white, not black


@pytest.mark.parametrize("content", [
    b"hello, I am a text file",
    SVG,
    encoded("GIF"),  # a real image, of a format not accepted
    encoded("BMP"),
    jpeg_with_gps()[:600],  # cut inside its header
    jpeg_with_gps()[:len(jpeg_with_gps()) // 2],  # cut inside its pixels
    b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,  # a PNG signature and nothing sane
], ids=["text", "svg", "gif", "bmp", "cut-header", "cut-pixels", "broken-png"])
def test_anything_but_a_real_jpeg_png_webp_or_heic_is_refused(settings, content):
    with pytest.raises(NotAnImage, match="not a JPEG, PNG, WebP or HEIC image"):
        render_profile_photo(settings, content)


def test_a_file_over_the_byte_limit_is_refused_before_decoding():
    settings = cheap_settings("sqlite://", media_max_upload_bytes=2048)
    with pytest.raises(ImageTooLarge, match="larger than 2 KB"):
        render_profile_photo(settings, jpeg_with_gps(600, 600))
    default = cheap_settings("sqlite://")
    with pytest.raises(ImageTooLarge, match="larger than 10 MB"):
        render_profile_photo(default, b"\xff" * (10 * 1024 * 1024 + 1))


def test_a_header_claiming_a_hundred_thousand_squared_pixels_is_refused(settings):
    with pytest.raises(TooManyPixels, match="too many pixels"):
        render_profile_photo(settings, png_header_claiming(100_000, 100_000))


def test_more_pixels_than_the_setting_allows_is_refused_saying_how_many(settings):
    with pytest.raises(TooManyPixels, match=r"8000 x 6000; at most 40 million"):
        render_profile_photo(settings, png_header_claiming(8000, 6000))


def test_pillows_decompression_bomb_warning_is_a_refusal_too():
    # Above Pillow's own warning threshold (~89 M) but within a generous setting.
    settings = cheap_settings("sqlite://", media_max_pixels=500_000_000)
    with pytest.raises(TooManyPixels):
        render_profile_photo(settings, png_header_claiming(10_000, 10_000))


def test_the_same_photo_twice_is_stored_once(hub, ada):
    first = set_profile_photo(hub, ada, jpeg_with_gps())
    second = set_profile_photo(hub, ada, jpeg_with_gps())
    other = sign_up(hub, "bob@example.com", "correct horse battery", ORIGIN).identity_id
    third = set_profile_photo(hub, other, jpeg_with_gps())
    assert first == second == third
    with hub.unit_of_work() as uow:
        assert uow.media.blob_count() == 3


def test_a_new_photo_replaces_the_old_one(hub, ada):
    set_profile_photo(hub, ada, jpeg_with_gps())
    new = set_profile_photo(hub, ada, encoded("PNG"))
    assert profile_photo_of(hub, ada) == new
    assert len(set(new.by_size().values())) == 3


def test_a_person_without_a_photo_has_none(hub, ada):
    assert profile_photo_of(hub, ada) is None


SEEDS = [jpeg_with_gps(40, 30), encoded("PNG", size=(40, 30)), encoded("WEBP", size=(40, 30))]


@settings_for_fuzzing
@given(seed=st.sampled_from(SEEDS), position=st.integers(0, 10_000),
       noise=st.binary(min_size=1, max_size=16), cut=st.booleans())
def test_damaged_files_are_refused_as_unusable_never_an_unexpected_error(seed, position,
                                                                         noise, cut):
    position %= len(seed)
    damaged = seed[:position] + noise + (b"" if cut else seed[position + len(noise):])
    try:
        renditions = render_profile_photo(cheap_settings("sqlite://"), damaged)
    except UnusableImage:
        return
    assert [r.size for r in renditions] == [64, 256, 1024]


def test_a_replaced_photo_is_pruned_an_hour_later_unless_someone_still_owns_it(hub, clock,
                                                                               ada):
    old = set_profile_photo(hub, ada, jpeg_with_gps())
    bob = sign_up(hub, "bob@example.com", "correct horse battery", ORIGIN).identity_id
    shared = set_profile_photo(hub, bob, encoded("PNG"))
    set_profile_photo(hub, ada, encoded("PNG"))  # Ada now has the same photo as Bob
    set_profile_photo(hub, bob, encoded("WEBP"))  # and Bob moves on

    assert prune_expired(hub).unowned_media == 0  # within the grace period
    clock.advance(hours=1, seconds=1)
    assert prune_expired(hub).unowned_media == 3  # the old JPEG's renditions
    with hub.unit_of_work() as uow:
        assert uow.media.blob(old.small) is None
        assert uow.media.blob(shared.small) is not None  # Ada owns it
        assert uow.media.blob_count() == 6


def test_a_blob_put_again_is_spared_by_the_pruner(hub, clock, ada):
    photo = set_profile_photo(hub, ada, jpeg_with_gps())
    set_profile_photo(hub, ada, encoded("PNG"))
    clock.advance(hours=2)
    # The JPEG's blobs are unowned and old, prunable until put again, which touches them.
    set_profile_photo(hub, ada, jpeg_with_gps())
    assert prune_expired(hub).unowned_media == 3  # the PNG's renditions only
    assert profile_photo_of(hub, ada) == photo
    with hub.unit_of_work() as uow:
        assert all(uow.media.blob(digest) for digest in photo.by_size().values())
