"""ISO-BMFF (MP4, MOV, HEIF) box headers: the one walker the SDK's readers share.

Two readers use it: :mod:`minimax_async._media` (strict: checks local media before a
paid request, broken headers are an error) and the CLI's ``_mp4`` (lenient: reports
what a downloaded file says, None for what it lacks). Only headers and a few fixed
fields are read; nothing is decoded.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Iterable, Iterator
from typing import BinaryIO, NamedTuple

__all__ = ("MAX_INDEX", "Box", "boxes", "read_top_level", "times", "tkhd_size", "top_level")

#: A ``moov`` or ``meta`` box larger than this is a corrupt size field, not the index of
#: a short clip, and is never read into memory.
MAX_INDEX = 64 * 1024 * 1024


class Box(NamedTuple):
    """A box inside a buffer: its type and where its body starts and it ends."""

    kind: bytes
    body: int  # offset of the first byte after the header
    end: int  # offset just past the box


def _size(head: bytes, offset: int, available: int) -> tuple[int, int] | None:
    """(box size, header size) read at ``offset``; None when the header is cut short."""
    size = struct.unpack_from(">I", head, offset)[0]
    if size == 1:
        if available < 16:
            return None
        return struct.unpack_from(">Q", head, offset + 8)[0], 16
    return size, 8


def boxes(data: bytes, start: int, end: int) -> Iterator[Box]:
    """The boxes laid end to end in ``data[start:end]``; stops at the first bad header."""
    offset = start
    while offset + 8 <= end:
        sized = _size(data, offset, end - offset)
        if sized is None:
            return
        size, header = sized
        if size == 0:  # "to the end of the file"
            size = end - offset
        if size < header or offset + size > end:
            return
        yield Box(data[offset + 4 : offset + 8], offset + header, offset + size)
        offset += size


def top_level(file: BinaryIO) -> Iterator[tuple[bytes, int, int]]:
    """(type, offset, size) of each top-level box, reading the box headers only."""
    file.seek(0, io.SEEK_END)
    total = file.tell()
    offset = 0
    while offset + 8 <= total:
        file.seek(offset)
        head = file.read(16)
        sized = _size(head, 0, len(head))
        if sized is None:
            return
        size = sized[0] or total - offset
        if size < 8 or offset + size > total:
            return
        yield head[4:8], offset, size
        offset += size


def read_top_level(
    file: BinaryIO, kind: bytes, index: Iterable[tuple[bytes, int, int]] | None = None
) -> bytes | None:
    """The whole first top-level ``kind`` box; None if absent or over :data:`MAX_INDEX`.

    ``index``: the file's :func:`top_level` entries, when the caller has walked them.
    """
    for found, offset, size in top_level(file) if index is None else index:
        if found == kind:
            if size > MAX_INDEX:
                return None
            file.seek(offset)
            return file.read(size)
    return None


def times(data: bytes, box: Box) -> tuple[int, int]:
    """(timescale, duration) of an ``mvhd`` or ``mdhd`` box (same layout in both)."""
    if data[box.body] == 1:  # version 1: 64-bit times
        timescale, duration = struct.unpack_from(">IQ", data, box.body + 20)
    else:
        timescale, duration = struct.unpack_from(">II", data, box.body + 12)
    return int(timescale), int(duration)


def tkhd_size(data: bytes, box: Box) -> tuple[int, int]:
    """(width, height) of a ``tkhd``: its last two fields, 16.16 fixed point."""
    width, height = struct.unpack_from(">II", data, box.end - 8)
    return width >> 16, height >> 16
