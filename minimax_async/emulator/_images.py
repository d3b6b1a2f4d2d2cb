"""Image inputs as the V1 API checks them (§3.4 of the V1 reference), plus data URLs.

The rules are the emulator's own (``_v1_tables``); header reading is ``_headers``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import NamedTuple

from minimax_async.emulator import _v1_tables as tables
from minimax_async.emulator._errors import Refused
from minimax_async.emulator._headers import read_image_header, sniff_image

__all__ = ("CheckedImage", "check_data_url", "decode_data_url", "is_remote_url", "shown")

_V1_MIMES: Mapping[str, str] = {
    "image/jpeg": "jpeg",
    "image/jpg": "jpeg",
    "image/png": "png",
    "image/webp": "webp",
}


class CheckedImage(NamedTuple):
    format: str
    width: int
    height: int
    size: int


def is_remote_url(value: str) -> bool:
    return value.startswith(("http://", "https://"))


def shown(value: str) -> str:
    """What an error shows of a data URL: its start, never megabytes of base64."""
    return value[:40] + ("..." if len(value) > 40 else "")


def decode_data_url(value: str, *, field: str, mimes: Mapping[str, str]) -> tuple[str, bytes]:
    """Split ``data:<mime>;base64,<payload>``; the MIME type must be one of ``mimes``."""
    header, sep, payload = value.partition(",")
    if not sep or not header.startswith("data:") or not header.endswith(";base64"):
        raise Refused(field, shown(value), "data URL must look like data:<type>;base64,...")
    mime = header[len("data:") : -len(";base64")].lower()
    if mime not in mimes:
        allowed = ", ".join(sorted(mimes))
        raise Refused(field, shown(value), f"data URL type {mime!r}; must be one of {allowed}")
    try:
        return mime, base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise Refused(field, shown(value), "data URL payload is not valid base64") from None


def check_data_url(value: str, *, field: str) -> CheckedImage:
    """A V1 frame given as a data URL: decoded, and checked against every §3.4 rule."""
    mime, data = decode_data_url(value, field=field, mimes=_V1_MIMES)
    label = shown(value)
    if len(data) >= tables.IMAGE_MAX_BYTES:
        raise Refused(field, label, f"image is {len(data)} bytes; must be under 20 MB")
    fmt = sniff_image(data[:16])
    if fmt not in tables.IMAGE_FORMATS:
        raise Refused(
            field, label, f"image format {fmt or 'unrecognised'}; must be JPG, JPEG, PNG or WebP"
        )
    header = read_image_header(data)
    if header is None:
        raise Refused(field, label, f"{fmt} header unreadable: no pixel size found")
    width, height = header.width, header.height
    if min(width, height) <= tables.IMAGE_MIN_SHORT_SIDE:
        raise Refused(field, label, f"image is {width}x{height}; the short side must exceed 300 px")
    ratio = width / height
    if not tables.IMAGE_MIN_ASPECT < ratio < tables.IMAGE_MAX_ASPECT:
        raise Refused(
            field,
            label,
            f"image is {width}x{height} (aspect {ratio:.3f}); aspect ratio must be between"
            " 2:5 and 5:2",
        )
    if _V1_MIMES[mime] != fmt:
        raise Refused(field, label, f"data URL says {mime} but the bytes are {fmt}")
    return CheckedImage(fmt, width, height, len(data))
