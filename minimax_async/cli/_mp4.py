"""Read what a downloaded MP4 says about itself: top-level boxes, duration, picture size.

The CLI reports ``width``, ``height`` and ``seconds`` for every saved video. Video
Agent results come with a bare URL and no size, so the numbers are read from the
file's own ``moov`` box (ISO-BMFF): ``mvhd`` for the duration, the video ``tkhd`` for
the picture size. Only box headers are parsed; nothing is decoded.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = ("Mp4Info", "read_mp4_info", "top_level_boxes")

# Large moov boxes at the file end are fine, but a corrupt size must not make us
# read gigabytes: the moov of any real short clip is far below this.
_MAX_MOOV = 64 * 1024 * 1024


@dataclass(frozen=True)
class Mp4Info:
    """Box types in file order, duration in seconds and picture size (None if absent)."""

    boxes: tuple[str, ...]
    seconds: float | None
    width: int | None
    height: int | None


def _iter_boxes(data: bytes, start: int, end: int) -> Iterator[tuple[str, int, int]]:
    """(type, payload start, box end) for each box in data[start:end]."""
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, pos)
        header = 8
        if size == 1 and pos + 16 <= end:
            size = struct.unpack_from(">Q", data, pos + 8)[0]
            header = 16
        elif size == 0:
            size = end - pos
        if size < header or pos + size > end:
            return
        yield kind.decode("latin-1"), pos + header, pos + size
        pos += size


def top_level_boxes(path: Path) -> list[tuple[str, int]]:
    """(type, size) of each top-level box, reading only the box headers."""
    boxes: list[tuple[str, int]] = []
    with path.open("rb") as file:
        total = path.stat().st_size
        pos = 0
        while pos + 8 <= total:
            file.seek(pos)
            head = file.read(16)
            size, kind = struct.unpack_from(">I4s", head, 0)
            if size == 1 and len(head) == 16:
                size = struct.unpack_from(">Q", head, 8)[0]
            elif size == 0:
                size = total - pos
            if size < 8 or pos + size > total:
                break
            boxes.append((kind.decode("latin-1"), size))
            pos += size
    return boxes


def _read_moov(path: Path, boxes: list[tuple[str, int]]) -> bytes | None:
    pos = 0
    for kind, size in boxes:
        if kind == "moov" and size <= _MAX_MOOV:
            with path.open("rb") as file:
                file.seek(pos)
                return file.read(size)
        pos += size
    return None


def _mvhd_seconds(data: bytes, start: int) -> float | None:
    version = data[start]
    if version == 1:
        timescale, duration = struct.unpack_from(">IQ", data, start + 20)
    else:
        timescale, duration = struct.unpack_from(">II", data, start + 12)
    return duration / timescale if timescale else None


def _tkhd_size(data: bytes, start: int) -> tuple[int, int]:
    # width and height are the last two 16.16 fixed-point fields of tkhd.
    offset = start + (88 if data[start] == 1 else 76)
    width, height = struct.unpack_from(">II", data, offset)
    return width >> 16, height >> 16


def read_mp4_info(path: Path) -> Mp4Info:
    """Parse ``path``'s box headers; fields the file lacks are None."""
    boxes = top_level_boxes(path)
    seconds: float | None = None
    width: int | None = None
    height: int | None = None
    moov = _read_moov(path, boxes)
    if moov is not None:
        try:
            for kind, start, end in _iter_boxes(moov, 8, len(moov)):
                if kind == "mvhd":
                    seconds = _mvhd_seconds(moov, start)
                elif kind == "trak" and width is None:
                    for sub, sub_start, _ in _iter_boxes(moov, start, end):
                        if sub == "tkhd":
                            w, h = _tkhd_size(moov, sub_start)
                            # Audio tracks have a zero picture size; keep looking.
                            if w and h:
                                width, height = w, h
        except struct.error:
            pass  # a truncated box: report what was read before it
    return Mp4Info(tuple(kind for kind, _ in boxes), seconds, width, height)
