"""V2 media inputs: data URLs, ``mm_file://`` uploads and remote URLs (reference §3.3-3.4, §7).

Inline data and uploads are checked by their real headers (``_headers``, ``_probe``);
remote URLs are accepted unseen, since nothing here fetches them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from minimax_async.emulator import _v2_tables as v2
from minimax_async.emulator._errors import Refused
from minimax_async.emulator._headers import read_image_header, sniff_image
from minimax_async.emulator._images import decode_data_url, shown
from minimax_async.emulator._probe import (
    AudioInfo,
    MediaUnreadable,
    VideoInfo,
    probe_audio,
    probe_video,
    sniff_audio,
)
from minimax_async.emulator._v2_state import Upload

__all__ = ("KIND_OF_TYPE", "Checked", "check_bytes", "check_url", "kind_of_bytes")

#: content[].type -> media kind.
KIND_OF_TYPE: Mapping[str, str] = {"image_url": "image", "video_url": "video", "audio_url": "audio"}

_MIMES: Mapping[str, Mapping[str, str]] = {
    "image": {
        "image/jpeg": "jpeg",
        "image/jpg": "jpeg",
        "image/png": "png",
        "image/webp": "webp",
        "image/heic": "heif",
        "image/heif": "heif",
    },
    # §3.3: video/mp4 is the only documented video data URL.
    "video": {"video/mp4": "mp4"},
    # mmx and others send audio/mpeg as well as the documented audio/mp3.
    "audio": {
        "audio/mp3": "mp3",
        "audio/mpeg": "mp3",
        "audio/wav": "wav",
        "audio/x-wav": "wav",
        "audio/wave": "wav",
    },
}
_LIMITS = {"image": v2.IMAGE_MAX_BYTES, "video": v2.VIDEO_MAX_BYTES, "audio": v2.AUDIO_MAX_BYTES}
_MB = 1024 * 1024
_VIDEO_CODECS = frozenset({"avc1", "avc3", "hvc1", "hev1"})
_AUDIO_CODECS = frozenset({"mp4a", ".mp3"})
# fps and clip lengths are measured from headers: allow a hair of rounding.
_SLACK = 0.01


@dataclass(frozen=True)
class Checked:
    """A media item that passed: its size and length where its bytes were seen."""

    kind: str
    width: int | None = None
    height: int | None = None
    seconds: float | None = None
    video: VideoInfo | None = None
    audio: AudioInfo | None = None


def kind_of_bytes(data: bytes) -> str | None:
    """``image``, ``video`` or ``audio`` from the magic bytes (for uploads)."""
    if sniff_image(data[:16]) not in (None, "gif", "bmp"):
        return "image"
    if data[4:8] == b"ftyp" or data[4:8] == b"moov":
        return "video"
    if sniff_audio(data[:12]) is not None:
        return "audio"
    return None


def check_bytes(kind: str, data: bytes, *, field: str, label: str) -> Checked:
    """Check media bytes of ``kind`` against §3.4: size, format, dimensions, length."""
    limit = _LIMITS[kind]
    if len(data) > limit:
        raise Refused(field, label, f"{kind} is {len(data)} bytes; at most {limit // _MB} MB")
    if kind == "image":
        return _image(data, field, label)
    if kind == "video":
        return _video(data, field, label)
    return _audio(data, field, label)


def _image(data: bytes, field: str, label: str) -> Checked:
    header = read_image_header(data)
    if header is None or header.format not in v2.IMAGE_FORMATS:
        found = sniff_image(data[:16]) or "unrecognised"
        raise Refused(field, label, f"image format {found}; must be JPG, PNG, WEBP, HEIC or HEIF")
    _check_frame(header.width, header.height, field, label, "image")
    return Checked("image", header.width, header.height)


def _check_frame(width: int, height: int, field: str, label: str, what: str) -> None:
    low, high = v2.IMAGE_SIDE
    if not (low <= width <= high and low <= height <= high):
        raise Refused(
            field, label, f"{what} is {width}x{height}; each side must be {low}-{high} px"
        )
    ratio = width / height
    small, large = v2.IMAGE_ASPECT
    if not small <= ratio <= large:
        raise Refused(
            field, label, f"{what} is {width}x{height} (aspect {ratio:.3f}); must be 0.4-2.5"
        )


def _video(data: bytes, field: str, label: str) -> Checked:
    try:
        info = probe_video(data)
    except MediaUnreadable as exc:
        raise Refused(field, label, f"video unreadable: {exc}; must be MP4 or MOV") from None
    if info.video_codec not in _VIDEO_CODECS:
        raise Refused(field, label, f"video codec {info.video_codec!r}; must be H.264 or H.265")
    if info.audio_codec is not None and info.audio_codec not in _AUDIO_CODECS:
        raise Refused(field, label, f"audio codec {info.audio_codec!r}; must be AAC or MP3")
    _check_frame(info.width, info.height, field, label, "video")
    low, high = v2.VIDEO_FPS
    if not low - _SLACK <= info.fps <= high + _SLACK:
        raise Refused(field, label, f"video is {info.fps:.3f} fps; must be {low}-{high:g} fps")
    _check_seconds(info.duration, field, label, "video")
    return Checked("video", info.width, info.height, info.duration, video=info)


def _audio(data: bytes, field: str, label: str) -> Checked:
    try:
        info = probe_audio(data)
    except MediaUnreadable as exc:
        raise Refused(field, label, f"audio unreadable: {exc}; must be WAV or MP3") from None
    _check_seconds(info.duration, field, label, "audio")
    return Checked("audio", seconds=info.duration, audio=info)


def _check_seconds(seconds: float, field: str, label: str, what: str) -> None:
    low, high = v2.CLIP_SECONDS
    if not low - _SLACK <= seconds <= high + _SLACK:
        raise Refused(field, label, f"{what} lasts {seconds:.2f} s; each clip must be 2-15 s")


def check_url(
    kind: str,
    url: str,
    *,
    field: str,
    upload: Callable[[str], Upload | None],
) -> Checked:
    """One ``*_url.url``: a data URL (checked), ``mm_file://`` (an upload), or http(s).

    ``upload(file_id)`` returns the caller's live upload or raises Refused itself.
    """
    if url.startswith("data:"):
        _, data = decode_data_url(url, field=field, mimes=_MIMES[kind])
        return check_bytes(kind, data, field=field, label=shown(url))
    if url.startswith("mm_file://"):
        file_id = url[len("mm_file://") :]
        record = upload(file_id)
        if record is None:
            raise Refused(field, url, "no such file")
        if record.kind != kind:
            raise Refused(field, url, f"file {file_id} is {record.kind or 'not media'}, not {kind}")
        return Checked(kind, record.width, record.height, record.seconds, record.video)
    if url.startswith(("http://", "https://")):
        if not urlsplit(url).netloc:
            raise Refused(field, url, "URL has no host")
        return Checked(kind)
    raise Refused(field, shown(url), "must be an http(s) URL, mm_file://<file_id> or a data URL")
