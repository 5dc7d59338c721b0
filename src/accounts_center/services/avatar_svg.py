"""An avatar spec drawn as SVG by python-avatars, then made safe to serve.

The library builds its SVG from files it ships; our spec only picks among them (closed
vocabularies, checked colours), so nothing a person sends becomes markup. The result is
still checked before anyone sees it, as defence in depth against a changed library: an SVG
opened as a document can run script, and an external reference would tell a third party
who looked at an avatar. Elements that could script or load, event handler attributes,
and references outside the document are removed; what remains is checked again.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from enum import Enum

import python_avatars as pa

from accounts_center.domain.avatar import NONE, AvatarSpec

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
ET.register_namespace("xlink", XLINK_NS)

# Elements that run script, load something, embed another document or change attributes
# over time (an <animate> or <set> can rewrite an href).
_REFUSED_ELEMENTS = frozenset({
    "script", "foreignObject", "iframe", "image", "a", "animate", "animateMotion",
    "animateTransform", "set", "style", "audio", "video", "object", "embed", "handler",
    "listener", "discard", "feImage"})
_HREF = {"href", f"{{{XLINK_NS}}}href"}
_URL = re.compile(r"url\(\s*([^)]*)\)", re.IGNORECASE)
# The library draws on 264 by 280; a square view (the avatar centred) makes every render
# fit the square sizes apps ask for.
SQUARE_VIEW = "-8 0 280 280"
SQUARE_SIDE = "280"


class UnsafeAvatarSvg(Exception):
    """The library produced something the sanitiser could not make safe: a bug to fix,
    never an SVG to serve."""


def avatar_svg(spec: AvatarSpec) -> str:
    """The avatar as a self-contained SVG document that runs and loads nothing."""
    return sanitised_svg(_library_avatar(spec).render())


def _library_avatar(spec: AvatarSpec) -> pa.Avatar:
    top: Enum = (pa.HatType(spec.headwear) if spec.headwear != NONE
                 else pa.HairType(spec.hair_style))
    return pa.Avatar(
        style=pa.AvatarStyle.CIRCLE,
        background_color=spec.background,
        top=top,
        hat_color=spec.clothing_colour,
        eyebrows=pa.EyebrowType(_library_word(spec.eyebrows)),
        eyes=pa.EyeType(spec.eyes),
        nose=pa.NoseType(spec.nose),
        mouth=pa.MouthType(spec.mouth),
        facial_hair=pa.FacialHairType(_library_word(spec.facial_hair)),
        skin_color=spec.skin_tone,
        hair_color=spec.hair_colour,
        facial_hair_color=spec.hair_colour,
        accessory=pa.AccessoryType(_library_word(spec.accessory)),
        clothing=pa.ClothingType(_library_word(spec.clothing)),
        clothing_color=spec.clothing_colour,
        shirt_graphic=pa.ClothingGraphic(_library_word(spec.shirt_graphic)),
        title="Avatar",
    )


def _library_word(word: str) -> str:
    return "" if word == NONE else word


def sanitised_svg(text: str) -> str:
    root = ET.fromstring(text)  # noqa: S314 - the library's output, not a person's
    if _local(root.tag) != "svg":
        raise UnsafeAvatarSvg("not an SVG document")
    _clean(root)
    root.set("viewBox", SQUARE_VIEW)
    root.set("width", SQUARE_SIDE)
    root.set("height", SQUARE_SIDE)
    # ElementTree's prefixes are global, and qrcode registers "svg" for SVG's namespace:
    # claimed again here so the avatar stays a plain <svg> document. (A prefixed one would
    # still be valid SVG; this keeps it readable.)
    ET.register_namespace("", SVG_NS)
    cleaned = ET.tostring(root, encoding="unicode")
    problems = unsafe_parts(cleaned)
    if problems:
        raise UnsafeAvatarSvg("; ".join(problems))
    return cleaned


def unsafe_parts(text: str) -> list[str]:
    """What in an SVG document could run script or reach outside it (empty when safe)."""
    problems = []
    for element in ET.fromstring(text).iter():  # noqa: S314 - our own output
        tag = _local(element.tag)
        if not _element_safe(element):
            problems.append(f"<{tag}> element")
        problems.extend(f"{_local(name)} on <{tag}>" for name, value in element.attrib.items()
                        if not _attribute_safe(name, value))
    return problems


def _clean(element: ET.Element) -> None:
    for child in list(element):
        if not _element_safe(child):
            element.remove(child)
        else:
            _clean(child)
    for name, value in list(element.attrib.items()):
        # An empty presentation attribute is invalid: browsers ignore it, resvg paints
        # black (the circle template's fill="" would hide the background).
        if not value or not _attribute_safe(name, value):
            del element.attrib[name]


def _element_safe(element: ET.Element) -> bool:
    # Only SVG's own elements: another vocabulary (a design tool's, XHTML) means nothing
    # an image needs, and XHTML could script.
    return (isinstance(element.tag, str) and element.tag.startswith(f"{{{SVG_NS}}}")
            and _local(element.tag) not in _REFUSED_ELEMENTS)


def _attribute_safe(name: str, value: str) -> bool:
    if name.startswith("{") and not name.startswith(f"{{{XLINK_NS}}}"):
        return False  # a design tool's metadata, like the library's "design.blush"
    local = _local(name).lower()
    if local.startswith("on") or local == "style":
        return False
    if name in _HREF or local == "href":
        return value.startswith("#")
    return all(reference.strip(" '\"").startswith("#") for reference in _URL.findall(value))


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]
