"""The shared ISO-BMFF walker, through both of its readers: strict and lenient."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import pytest

import minimax_async
from minimax_async._bmff import boxes, read_top_level, top_level
from minimax_async._exceptions import InvalidInputError
from minimax_async._media import probe_media
from minimax_async.cli._mp4 import read_mp4_info

CLIP = Path(minimax_async.__file__).parent / "emulator" / "videos" / "768P_6s.mp4"


def _box(kind: bytes, body: bytes, *, large: bool = False) -> bytes:
    if large:  # size 1: the real size follows as 64 bits
        return struct.pack(">I4sQ", 1, kind, 16 + len(body)) + body
    return struct.pack(">I4s", 8 + len(body), kind) + body


def test_a_64_bit_box_size_is_followed_like_a_32_bit_one() -> None:
    data = _box(b"ftyp", b"isom") + _box(b"free", b"x" * 5, large=True) + _box(b"mdat", b"")
    assert [(kind, size) for kind, _, size in top_level(io.BytesIO(data))] == [
        (b"ftyp", 12),
        (b"free", 21),
        (b"mdat", 8),
    ]
    assert [box.kind for box in boxes(data, 0, len(data))] == [b"ftyp", b"free", b"mdat"]


def test_a_box_claiming_more_than_the_file_ends_the_walk() -> None:
    data = _box(b"ftyp", b"isom") + struct.pack(">I4s", 1000, b"moov")
    assert [kind for kind, _, _ in top_level(io.BytesIO(data))] == [b"ftyp"]
    assert read_top_level(io.BytesIO(data), b"moov") is None


def test_both_readers_agree_on_a_real_clip() -> None:
    lenient = read_mp4_info(CLIP)
    strict = probe_media(CLIP.read_bytes(), size=CLIP.stat().st_size, field="f", shown="c")
    assert (lenient.width, lenient.height) == (strict.width, strict.height) == (1366, 768)
    assert lenient.seconds == pytest.approx(6.0)
    assert strict.duration == pytest.approx(6.0, abs=0.05)


def test_a_clip_cut_inside_its_index_is_an_error_for_one_reader_and_none_for_the_other(
    tmp_path: Path,
) -> None:
    data = CLIP.read_bytes()
    moov = next(offset for kind, offset, _ in top_level(io.BytesIO(data)) if kind == b"moov")
    # The moov header says more than the file holds: it is no longer a box at all.
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: moov + 200])
    lenient = read_mp4_info(cut)
    assert lenient.boxes[-1] != "moov"
    assert (lenient.seconds, lenient.width, lenient.height) == (None, None, None)
    with pytest.raises(InvalidInputError, match="no moov box"):
        probe_media(
            cut.read_bytes(), size=cut.stat().st_size, field="reference_videos[0]", shown="cut"
        )
