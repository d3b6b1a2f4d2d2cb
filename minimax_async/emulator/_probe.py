"""Durations, sizes and frame rates read from media headers, for the V2 media rules.

MP4 and MOV are walked with the emulator's own ISO-BMFF reader (``_boxes``): no
well-kept pure-Python library reports a video track's pixel size *and* frame rate
(mutagen reads MP4 audio only; hachoir is a large general dissector; pymediainfo needs
a C library), while the boxes needed (mvhd, tkhd, mdhd, hdlr, stsd, stts) are a few
fixed layouts. WAV and MP3 durations come from mutagen (the ``emulator`` extra): MP3
length needs Xing/VBRI/VBR frame walking, a solved problem not worth rewriting.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass
from typing import Any

from minimax_async.emulator._boxes import Box, find_box, iter_boxes

__all__ = ("AudioInfo", "MediaUnreadable", "VideoInfo", "probe_audio", "probe_video", "sniff_audio")


class MediaUnreadable(ValueError):
    """The bytes are not a container this reader understands, or it is broken."""


@dataclass(frozen=True)
class VideoInfo:
    format: str  # "mp4" or "mov"
    width: int
    height: int
    duration: float  # seconds
    frames: int
    video_codec: str  # sample entry type: avc1, hvc1, ...
    audio_codec: str | None  # mp4a, .mp3, ... or None without an audio track

    @property
    def fps(self) -> float:
        return self.frames / self.duration if self.duration > 0 else 0.0


@dataclass(frozen=True)
class AudioInfo:
    format: str  # "wav" or "mp3"
    duration: float


_MOV_BRANDS = frozenset({b"qt  "})


def probe_video(data: bytes) -> VideoInfo:
    """The first video track of an MP4/MOV, and whether an audio track is there."""
    if data[4:8] not in (b"ftyp", b"moov", b"wide", b"mdat", b"free"):
        raise MediaUnreadable("not an ISO-BMFF (MP4/MOV) file")
    fmt = "mov" if data[4:8] == b"ftyp" and data[8:12] in _MOV_BRANDS else "mp4"
    moov = find_box(data, 0, len(data), b"moov")
    if moov is None:
        raise MediaUnreadable("no moov box")
    video: tuple[Box, Box] | None = None
    audio_codec: str | None = None
    try:
        for trak in iter_boxes(data, moov.body, moov.end):
            if trak.kind != b"trak":
                continue
            mdia = _child(data, trak, b"mdia")
            handler = _handler(data, mdia)
            if handler == b"vide" and video is None:
                video = (trak, mdia)
            elif handler == b"soun" and audio_codec is None:
                audio_codec = _codec(data, mdia)
        if video is None:
            raise MediaUnreadable("no video track")
        trak, mdia = video
        timescale, ticks = _mdhd(data, _child(data, mdia, b"mdhd"))
        width, height = _tkhd_size(data, _child(data, trak, b"tkhd"))
        frames = _frames(data, mdia)
        codec = _codec(data, mdia)
    except (struct.error, IndexError) as exc:
        raise MediaUnreadable(f"truncated box ({exc})") from None
    if timescale <= 0 or width <= 0 or height <= 0:
        raise MediaUnreadable("video track without a size or a timescale")
    return VideoInfo(fmt, width, height, ticks / timescale, frames, codec, audio_codec)


def _child(data: bytes, parent: Box, kind: bytes) -> Box:
    found = find_box(data, parent.body, parent.end, kind)
    if found is None:
        raise MediaUnreadable(f"no {kind.decode()} box")
    return found


def _handler(data: bytes, mdia: Box) -> bytes:
    hdlr = _child(data, mdia, b"hdlr")
    # full box header (4), pre_defined (4), then the handler type.
    return data[hdlr.body + 8 : hdlr.body + 12]


def _mdhd(data: bytes, mdhd: Box) -> tuple[int, int]:
    at = mdhd.body
    if data[at] == 1:  # version 1: 64-bit times
        timescale, duration = struct.unpack(">IQ", data[at + 20 : at + 32])
    else:
        timescale, duration = struct.unpack(">II", data[at + 12 : at + 20])
    return timescale, duration


def _tkhd_size(data: bytes, tkhd: Box) -> tuple[int, int]:
    # width and height are the last 8 bytes, 16.16 fixed point, in both versions.
    width, height = struct.unpack(">II", data[tkhd.end - 8 : tkhd.end])
    return width >> 16, height >> 16


def _stbl(data: bytes, mdia: Box) -> Box:
    return _child(data, _child(data, mdia, b"minf"), b"stbl")


def _codec(data: bytes, mdia: Box) -> str:
    stsd = _child(data, _stbl(data, mdia), b"stsd")
    # full box header (4), entry count (4), then the first entry's size and type.
    return data[stsd.body + 12 : stsd.body + 16].decode("latin-1")


def _frames(data: bytes, mdia: Box) -> int:
    stts = _child(data, _stbl(data, mdia), b"stts")
    (count,) = struct.unpack(">I", data[stts.body + 4 : stts.body + 8])
    entries = struct.unpack(f">{2 * count}I", data[stts.body + 8 : stts.body + 8 + 8 * count])
    return sum(entries[0::2])


def sniff_audio(head: bytes) -> str | None:
    """``"wav"``, ``"mp3"`` or None, from the magic bytes."""
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "mp3"
    return None


def probe_audio(data: bytes) -> AudioInfo:
    """Format and duration of a WAV or MP3 clip."""
    fmt = sniff_audio(data[:12])
    if fmt is None:
        raise MediaUnreadable("neither WAV nor MP3")
    try:
        # Imported here so the V1 emulator runs without the extra installed.
        from mutagen import MutagenError
        from mutagen.mp3 import MP3
        from mutagen.wave import WAVE
    except ImportError as exc:  # pragma: no cover - the dev extra installs it
        raise RuntimeError(
            "reading audio headers needs mutagen: pip install 'minimax-async[emulator]'"
        ) from exc
    reader: Any = WAVE if fmt == "wav" else MP3
    try:
        length = float(reader(io.BytesIO(data)).info.length)
    except (MutagenError, struct.error, ValueError, EOFError) as exc:
        raise MediaUnreadable(f"{fmt} header unreadable ({exc})") from None
    if length <= 0:
        raise MediaUnreadable(f"{fmt} header gives no duration")
    return AudioInfo(fmt, length)
