"""Image files made for tests: photos with EXIF (GPS, orientation), damaged files and
headers that claim more pixels than anyone should decode."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def jpeg_with_gps(width: int = 300, height: int = 200, orientation: int | None = None) -> bytes:
    """A JPEG whose left half is red and right half blue, with a GPS position (and an
    orientation, when given) in its EXIF."""
    image = Image.new("RGB", (width, height), (220, 0, 0))
    image.paste((0, 0, 220), (width // 2, 0, width, height))
    exif = Image.Exif()
    exif[0x010F] = "ExampleCam"  # Make
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "N", 2: (51.0, 30.0, 12.5), 3: "W", 4: (0.0, 7.0, 39.0)})
    if orientation is not None:
        exif[ORIENTATION] = orientation
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, quality=95)
    return out.getvalue()


def encoded(image_format: str, size: tuple[int, int] = (120, 90), mode: str = "RGB",
            **options: object) -> bytes:
    image = Image.new(mode, size, (10, 120, 200) if mode == "RGB" else (10, 120, 200, 128))
    out = io.BytesIO()
    image.save(out, format=image_format, **options)
    return out.getvalue()


def png_header_claiming(width: int, height: int) -> bytes:
    """A small, well-formed PNG whose header claims ``width`` x ``height`` pixels: a
    decompression bomb's shape, without the bomb."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" '
       b'height="10"><script>alert(1)</script><rect width="10" height="10"/></svg>')
