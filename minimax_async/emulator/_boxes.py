"""A walker over ISO-BMFF boxes (MP4, MOV, HEIF): type, extent, nothing decoded."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import NamedTuple

__all__ = ("Box", "find_box", "iter_boxes")


class Box(NamedTuple):
    kind: bytes
    body: int  # offset of the first byte after the header
    end: int  # offset just past the box


def iter_boxes(data: bytes, start: int, end: int) -> Iterator[Box]:
    """The boxes laid end to end in ``data[start:end]``; stops at the first bad header."""
    offset = start
    while offset + 8 <= end:
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        header = 8
        if size == 1:
            if offset + 16 > end:
                return
            (size,) = struct.unpack(">Q", data[offset + 8 : offset + 16])
            header = 16
        elif size == 0:  # "to the end of the file"
            size = end - offset
        if size < header or offset + size > end:
            return
        yield Box(kind, offset + header, offset + size)
        offset += size


def find_box(data: bytes, start: int, end: int, kind: bytes) -> Box | None:
    """The first ``kind`` box directly inside ``data[start:end]``."""
    return next((box for box in iter_boxes(data, start, end) if box.kind == kind), None)
