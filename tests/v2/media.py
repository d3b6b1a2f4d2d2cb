"""Real media for the V2 tests: small clips made with ffmpeg (tests/data/v2), HEIF
headers built here (no ffmpeg build writes HEIC), and real headers padded to a size
(:func:`padded`)."""

from __future__ import annotations

import struct
from pathlib import Path

V2_DATA = Path(__file__).parent.parent / "data" / "v2"
#: H.264 + AAC, 384x256, 3 s at 24 fps.
CLIP_3S = V2_DATA / "ref_384x256_3s_24fps.mp4"
#: H.264 in QuickTime, 384x256, 3 s.
CLIP_MOV = V2_DATA / "ref_384x256_3s.mov"
#: 256x256, 12 s at 24 fps, no audio track.
CLIP_12S = V2_DATA / "ref_256x256_12s.mp4"
CLIP_10FPS = V2_DATA / "ref_384x256_3s_10fps.mp4"
CLIP_128PX = V2_DATA / "ref_128x128_3s.mp4"
VOICE_WAV = V2_DATA / "voice_2.5s.wav"
VOICE_SHORT = V2_DATA / "voice_1s.wav"
VOICE_MP3 = V2_DATA / "voice_9s.mp3"  # 9.07 s

__all__ = (
    "CLIP_3S",
    "CLIP_10FPS",
    "CLIP_12S",
    "CLIP_128PX",
    "CLIP_MOV",
    "V2_DATA",
    "VOICE_MP3",
    "VOICE_SHORT",
    "VOICE_WAV",
    "heif",
    "padded",
)


def _box(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", 8 + len(body)) + kind + body


def heif(width: int, height: int, *, thumbnail: tuple[int, int] = (160, 120)) -> bytes:
    """The headers of a HEIC still: ftyp, then meta/iprp/ipco with a thumbnail's and the
    primary image's ``ispe`` (image spatial extent), then an empty mdat."""

    def ispe(w: int, h: int) -> bytes:
        return _box(b"ispe", b"\x00\x00\x00\x00" + struct.pack(">II", w, h))

    ipco = _box(b"ipco", ispe(*thumbnail) + ispe(width, height))
    meta = _box(b"meta", b"\x00\x00\x00\x00" + _box(b"hdlr", b"\x00" * 24) + _box(b"iprp", ipco))
    return _box(b"ftyp", b"heic\x00\x00\x00\x00mif1heic") + meta + _box(b"mdat", b"")


def padded(path: Path, head: bytes, size: int) -> Path:
    """``head`` (a real file's bytes) written to ``path``, then extended to ``size`` bytes
    with a hole: sparse, so nothing past the header is written."""
    with path.open("wb") as file:
        file.write(head)
        file.truncate(size)
    return path
