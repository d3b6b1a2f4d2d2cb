"""Read what a downloaded MP4 says about itself: top-level boxes, duration, picture size.

The CLI reports ``width``, ``height`` and ``seconds`` for every saved video. Video
Agent results come with a bare URL and no size, so the numbers are read from the
file's own ``moov`` box: ``mvhd`` for the duration, the video ``tkhd`` for the picture
size. Unlike the strict reader that checks media before a create
(:mod:`minimax_async._media`), this one never raises: what a file lacks is None.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

from minimax_async._bmff import Box, boxes, read_top_level, times, tkhd_size, top_level

__all__ = ("Mp4Info", "read_mp4_info")


@dataclass(frozen=True)
class Mp4Info:
    """Box types in file order, duration in seconds and picture size (None if absent)."""

    boxes: tuple[str, ...]
    seconds: float | None
    width: int | None
    height: int | None


def read_mp4_info(path: Path) -> Mp4Info:
    """Parse ``path``'s box headers; fields the file lacks are None."""
    seconds: float | None = None
    size: tuple[int, int] | None = None
    with path.open("rb") as file:
        index = list(top_level(file))
        moov = read_top_level(file, b"moov", index)
    kinds = tuple(kind.decode("latin-1") for kind, _, _ in index)
    if moov is not None:
        try:
            for box in boxes(moov, 8, len(moov)):
                if box.kind == b"mvhd":
                    timescale, duration = times(moov, box)
                    seconds = duration / timescale if timescale else None
                elif box.kind == b"trak" and size is None:
                    size = _picture_size(moov, box)
        except (struct.error, IndexError):
            pass  # a truncated box: report what was read before it
    width, height = size or (None, None)
    return Mp4Info(kinds, seconds, width, height)


def _picture_size(moov: bytes, trak: Box) -> tuple[int, int] | None:
    for box in boxes(moov, trak.body, trak.end):
        if box.kind == b"tkhd":
            width, height = tkhd_size(moov, box)
            # Audio tracks have a zero picture size; the caller keeps looking.
            if width and height:
                return width, height
    return None
