"""What a local image, video or audio clip is, read from its headers (V2 media rules).

Nothing is decoded. Images: JPEG/PNG/WebP sizes from ``imagesize`` (as for V1 frames,
:mod:`minimax_async._images`), HEIC/HEIF from the ``ispe`` property of the ISO-BMFF
``meta`` box. Videos: MP4/MOV read with the SDK's own ISO-BMFF box walker (:mod:`._bmff`):
the video track's ``tkhd`` (size), ``mdhd`` (duration), ``stts`` (frame count, hence
fps) and ``stsd`` (codec), and the audio track's codec. No light library reports a
video track's size *and* frame rate (mutagen reads MP4 audio only; PyAV bundles
FFmpeg; pymediainfo needs a C library), and the boxes are a few fixed layouts. Audio:
WAV/MP3 durations from ``mutagen``, the library the emulator uses too (MP3 length needs
Xing/VBRI/frame walking, a solved problem not worth rewriting); it is the ``media``
extra, and a local audio clip without it raises :class:`MissingDependencyError`.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass
from typing import Any, BinaryIO, Literal

from minimax_async._bmff import MAX_INDEX, Box, boxes, read_top_level, times, tkhd_size
from minimax_async._exceptions import InvalidInputError, MissingDependencyError
from minimax_async._images import sniff_format

__all__ = ("MediaInfo", "MediaKind", "probe_media", "sniff_media")

MediaKind = Literal["image", "video", "audio"]

_MIME = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "heif": "image/heif",
    "mp4": "video/mp4",
    "mov": "video/quicktime",
    "wav": "audio/wav",
    # MiniMax's own spelling (mmx and others rewrite audio/mpeg to it, reference §3.3).
    "mp3": "audio/mp3",
}
_HEIF_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"})


@dataclass(frozen=True)
class MediaInfo:
    """What the headers say; fields a kind does not have are None."""

    kind: MediaKind
    format: str
    size: int
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    frames: int | None = None
    video_codec: str | None = None
    audio_codec: str | None = None

    @property
    def mime(self) -> str:
        return _MIME[self.format]

    @property
    def fps(self) -> float | None:
        if self.frames is None or not self.duration:
            return None
        return self.frames / self.duration


def sniff_media(head: bytes) -> tuple[MediaKind, str] | None:
    """(kind, format) from the first 16 bytes, or None for a format MiniMax never takes."""
    image = sniff_format(head)
    if image in ("jpeg", "png", "webp"):
        return "image", image
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _HEIF_BRANDS:
            return "image", "heif"
        return "video", "mov" if brand == b"qt  " else "mp4"
    if head[4:8] in (b"moov", b"wide", b"mdat", b"free"):
        return "video", "mov"  # old QuickTime files start without ftyp
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio", "wav"
    if head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "audio", "mp3"
    return None


def probe_media(source: bytes | BinaryIO, *, size: int, field: str, shown: object) -> MediaInfo:
    """Sniff and read the headers of ``source`` (bytes, or a seekable binary file).

    Raises InvalidInputError naming ``field`` (and ``shown`` as the value, never the
    bytes) when the format is unknown or the headers are broken.
    """
    file = io.BytesIO(source) if isinstance(source, bytes) else source
    file.seek(0)
    found = sniff_media(file.read(16))
    if found is None:
        raise InvalidInputError(
            field, shown, "unrecognised media: images JPG/PNG/WebP/HEIC, MP4/MOV, WAV/MP3"
        )
    kind, fmt = found
    try:
        if kind == "image":
            return _probe_image(file, fmt, size)
        if kind == "video":
            return _probe_video(file, fmt, size)
        return _probe_audio(file, fmt, size)
    except _Unreadable as exc:
        raise InvalidInputError(field, shown, f"{fmt} headers unreadable: {exc}") from None


class _Unreadable(Exception):
    pass


def _probe_image(file: BinaryIO, fmt: str, size: int) -> MediaInfo:
    if fmt == "heif":
        width, height = _heif_size(file)
    else:
        import imagesize  # here, as in _images: it pulls in xml.etree for SVG support

        file.seek(0)
        width, height = imagesize.get(file, exif_rotation=False)
    if width <= 0 or height <= 0:
        raise _Unreadable("no pixel size found")
    return MediaInfo("image", fmt, size, width=width, height=height)


# --- ISO-BMFF (MP4, MOV, HEIF) ---------------------------------------------------------


def _child(data: bytes, parent: Box, kind: bytes, *, skip: int = 0) -> Box:
    """The first ``kind`` box inside ``parent`` (``skip``: a full box's version+flags)."""
    for box in boxes(data, parent.body + skip, parent.end):
        if box.kind == kind:
            return box
    raise _Unreadable(f"no {kind.decode('latin-1')} box")


def _top_level(file: BinaryIO, kind: bytes) -> tuple[bytes, Box]:
    """The whole top-level ``kind`` box, and that box within those bytes."""
    data = read_top_level(file, kind)
    if data is None:
        name = kind.decode("latin-1")
        raise _Unreadable(f"no {name} box (or one over {MAX_INDEX >> 20} MB)")
    return data, Box(kind, 8, len(data))


def _heif_size(file: BinaryIO) -> tuple[int, int]:
    """The largest ``ispe`` (image spatial extent) in meta/iprp/ipco: the primary image;
    the others are thumbnails or grid tiles."""
    data, meta = _top_level(file, b"meta")
    ipco = _child(data, _child(data, meta, b"iprp", skip=4), b"ipco")
    sizes = [
        struct.unpack_from(">II", data, box.body + 4)
        for box in boxes(data, ipco.body, ipco.end)
        if box.kind == b"ispe" and box.end - box.body >= 12
    ]
    if not sizes:
        raise _Unreadable("no ispe property")
    width, height = max(sizes, key=lambda wh: wh[0] * wh[1])
    return int(width), int(height)


def _probe_video(file: BinaryIO, fmt: str, size: int) -> MediaInfo:
    data, moov = _top_level(file, b"moov")
    video: Box | None = None
    audio_codec: str | None = None
    try:
        for trak in boxes(data, moov.body, moov.end):
            if trak.kind != b"trak":
                continue
            mdia = _child(data, trak, b"mdia")
            handler = data[_child(data, mdia, b"hdlr").body + 8 :][:4]
            if handler == b"vide" and video is None:
                video = trak
            elif handler == b"soun" and audio_codec is None:
                audio_codec = _codec(data, mdia)
        if video is None:
            raise _Unreadable("no video track")
        mdia = _child(data, video, b"mdia")
        timescale, ticks = times(data, _child(data, mdia, b"mdhd"))
        width, height = tkhd_size(data, _child(data, video, b"tkhd"))
        frames = _frame_count(data, mdia)
        codec = _codec(data, mdia)
    except (struct.error, IndexError) as exc:
        raise _Unreadable(f"truncated box ({exc})") from None
    if timescale <= 0 or width <= 0 or height <= 0:
        raise _Unreadable("video track without a size or a timescale")
    return MediaInfo(
        "video",
        fmt,
        size,
        width=width,
        height=height,
        duration=ticks / timescale,
        frames=frames,
        video_codec=codec,
        audio_codec=audio_codec,
    )


def _stbl(data: bytes, mdia: Box) -> Box:
    return _child(data, _child(data, mdia, b"minf"), b"stbl")


def _codec(data: bytes, mdia: Box) -> str:
    stsd = _child(data, _stbl(data, mdia), b"stsd")
    # version+flags (4), entry count (4), then the first entry's size (4) and type.
    return data[stsd.body + 12 : stsd.body + 16].decode("latin-1")


def _frame_count(data: bytes, mdia: Box) -> int:
    stts = _child(data, _stbl(data, mdia), b"stts")
    (count,) = struct.unpack_from(">I", data, stts.body + 4)
    entries = struct.unpack_from(f">{2 * count}I", data, stts.body + 8)
    return sum(entries[0::2])


# --- audio -----------------------------------------------------------------------------


def _probe_audio(file: BinaryIO, fmt: str, size: int) -> MediaInfo:
    try:
        # Imported on first use: only local audio clips need it.
        from mutagen import MutagenError
        from mutagen.mp3 import MP3
        from mutagen.wave import WAVE
    except ImportError:
        raise MissingDependencyError(
            "mutagen", extra="media", need="read audio durations"
        ) from None
    reader: Any = WAVE if fmt == "wav" else MP3
    file.seek(0)
    try:
        length = float(reader(file).info.length)
    except (MutagenError, struct.error, ValueError, EOFError) as exc:
        raise _Unreadable(str(exc)) from None
    if length <= 0:
        raise _Unreadable("no duration")
    return MediaInfo("audio", fmt, size, duration=length)
