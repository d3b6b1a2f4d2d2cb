"""Real media for the V2 tests: small clips made with ffmpeg (tests/data/v2), HEIF
headers built here (no ffmpeg build writes HEIC), variants of a real MP4 with header
fields edited (:func:`mp4_variant`) and real headers padded to a size (:func:`padded`)."""

from __future__ import annotations

import struct
from pathlib import Path

from tests.mp4_tracks import inside, tracks

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
    "mp4_variant",
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


def mp4_variant(
    source: Path,
    *,
    fps: float | None = None,
    video_codec: bytes | None = None,
    audio_codec: bytes | None = None,
) -> bytes:
    """``source`` (a real MP4 or MOV) with its tracks' header fields edited, the media
    data untouched. Walked with the emulator's box reader, not the SDK's under test.

    ``fps``: the video track plays at that rate for the same length, with a consistent
    ``stts`` (one entry, 1000 ticks a frame), ``mdhd`` timescale and duration.
    ``video_codec`` / ``audio_codec``: the first ``stsd`` entry's four-byte type.
    """
    data = bytearray(source.read_bytes())
    for track in tracks(data):
        stsd = inside(data, track.stbl, b"stsd")
        if track.handler == b"soun" and audio_codec is not None:
            data[stsd.body + 12 : stsd.body + 16] = audio_codec
        if track.handler != b"vide":
            continue
        if video_codec is not None:
            data[stsd.body + 12 : stsd.body + 16] = video_codec
        if fps is not None:
            mdhd = inside(data, track.mdia, b"mdhd")
            assert data[mdhd.body] == 0, "a version 0 mdhd"
            timescale, ticks = struct.unpack_from(">II", data, mdhd.body + 12)
            stts = inside(data, track.stbl, b"stts")
            assert struct.unpack_from(">I", data, stts.body + 4) == (1,), "one stts entry"
            frames = round(ticks / timescale * fps)
            struct.pack_into(">II", data, mdhd.body + 12, round(fps * 1000), frames * 1000)
            struct.pack_into(">II", data, stts.body + 8, frames, 1000)
    return bytes(data)
