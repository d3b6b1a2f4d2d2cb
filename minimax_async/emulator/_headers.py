"""Pixel sizes read from image headers, with the standard library only.

Only headers are read, nothing is decoded: PNG's IHDR, JPEG's SOF segment, WebP's
VP8/VP8L/VP8X chunk, and HEIC/HEIF's ``ispe`` property (an ISO-BMFF box, walked by
:mod:`~minimax_async.emulator._boxes`). The emulator may depend on aiohttp and the
standard library alone, so the SDK's ``imagesize`` is not used here.
"""

from __future__ import annotations

import struct
from typing import NamedTuple

from minimax_async.emulator._boxes import find_box, iter_boxes

__all__ = ("ImageHeader", "read_image_header", "sniff_image")

_HEIF_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"})


class ImageHeader(NamedTuple):
    format: str  # "jpeg", "png", "webp" or "heif"
    width: int
    height: int


def sniff_image(head: bytes) -> str | None:
    """The container format from the magic bytes, or None for none we know."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:2] == b"BM":
        return "bmp"
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return "heif"
    return None


def read_image_header(data: bytes) -> ImageHeader | None:
    """Format and pixel size of a JPEG, PNG, WebP or HEIF image; None if unreadable."""
    fmt = sniff_image(data[:16])
    try:
        if fmt == "png":
            size = _png(data)
        elif fmt == "jpeg":
            size = _jpeg(data)
        elif fmt == "webp":
            size = _webp(data)
        elif fmt == "heif":
            size = _heif(data)
        else:
            return None
    except (struct.error, IndexError, ValueError):
        return None
    if size is None or size[0] <= 0 or size[1] <= 0:
        return None
    return ImageHeader(fmt, size[0], size[1])


def _png(data: bytes) -> tuple[int, int] | None:
    if data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return width, height


# SOFn markers carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range.
_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def _jpeg(data: bytes) -> tuple[int, int] | None:
    offset = 2
    while offset + 4 <= len(data):
        if data[offset] != 0xFF:
            return None
        marker = data[offset + 1]
        if marker == 0xFF:  # fill byte
            offset += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD9)):  # no length field
            offset += 2
            continue
        (length,) = struct.unpack(">H", data[offset + 2 : offset + 4])
        if marker in _SOF:
            height, width = struct.unpack(">HH", data[offset + 5 : offset + 9])
            return width, height
        if marker == 0xDA:  # start of scan without a frame header: broken
            return None
        offset += 2 + length
    return None


def _webp(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and data[20] == 0x2F:
        (bits,) = struct.unpack("<I", data[21:25])
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X":
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    return None


def _heif(data: bytes) -> tuple[int, int] | None:
    meta = find_box(data, 0, len(data), b"meta")
    if meta is None:
        return None
    # meta is a full box: 4 bytes of version and flags before its children.
    iprp = find_box(data, meta.body + 4, meta.end, b"iprp")
    ipco = find_box(data, iprp.body, iprp.end, b"ipco") if iprp else None
    if ipco is None:
        return None
    # The first ispe is the primary image's in every encoder seen; a grid's is larger.
    sizes = [
        struct.unpack(">II", data[box.body + 4 : box.body + 12])
        for box in iter_boxes(data, ipco.body, ipco.end)
        if box.kind == b"ispe"
    ]
    return max(sizes, key=lambda wh: wh[0] * wh[1]) if sizes else None
