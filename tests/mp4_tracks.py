"""Where a real MP4's per-track boxes are, for the test helpers that edit its headers.

Walked with the emulator's box reader, never the SDK's, since the SDK's reader is what
the edited files test.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from minimax_async.emulator._boxes import Box, find_box, iter_boxes

__all__ = ("Track", "inside", "tracks")


class Track(NamedTuple):
    """One ``trak``: its handler type (``vide``, ``soun``) and the boxes edits touch."""

    handler: bytes
    trak: Box
    hdlr: Box
    mdia: Box
    stbl: Box


def inside(data: bytes | bytearray, parent: Box, kind: bytes) -> Box:
    """The first ``kind`` box directly inside ``parent`` (it must be there)."""
    found = find_box(bytes(data), parent.body, parent.end, kind)
    assert found is not None, kind
    return found


def tracks(data: bytes | bytearray) -> Iterator[Track]:
    """Every track of the movie, in file order."""
    frozen = bytes(data)
    moov = find_box(frozen, 0, len(frozen), b"moov")
    assert moov is not None
    for trak in iter_boxes(frozen, moov.body, moov.end):
        if trak.kind != b"trak":
            continue
        mdia = inside(frozen, trak, b"mdia")
        hdlr = inside(frozen, mdia, b"hdlr")
        stbl = inside(frozen, inside(frozen, mdia, b"minf"), b"stbl")
        yield Track(frozen[hdlr.body + 8 : hdlr.body + 12], trak, hdlr, mdia, stbl)
