"""Real image files for tests: PNGs of any size, encoded here; JPEG/WebP/GIF from tests/data."""

from __future__ import annotations

import base64
import struct
import zlib
from pathlib import Path

DATA = Path(__file__).parent / "data"
JPEG_640x360 = DATA / "frame_640x360.jpg"
WEBP_480x640 = DATA / "frame_480x640.webp"
GIF_400x400 = DATA / "frame_400x400.gif"

__all__ = ("DATA", "GIF_400x400", "JPEG_640x360", "WEBP_480x640", "data_url", "png")


def png(width: int, height: int, rgb: tuple[int, int, int] = (29, 53, 87)) -> bytes:
    """A valid, decodable RGB PNG filled with one colour."""
    row = b"\x00" + bytes(rgb) * width  # filter byte 0, then the pixels
    pixels = zlib.compress(row * height, 9)

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def data_url(data: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
