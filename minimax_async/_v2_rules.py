"""The V2 create rules (MiniMax-H3, H3-Max), checked before the paid request.

The SDK's own tables, transcribed from minimax-api-v2.md §3 (section numbers below
refer to it); the emulator keeps separate ones, so a wrong cell here is caught by it.
Where the reference lists two readings, the choice is named at the rule.

:func:`check_v2_params` checks the scalar fields, :func:`check_v2_inputs` which media
go together (roles, counts), :func:`check_v2_media` one clip's headers, and
:func:`check_v2_totals` the summed durations.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from minimax_async._exceptions import InvalidInputError
from minimax_async._media import MediaInfo, MediaKind

__all__ = (
    "BODY_MAX_BYTES",
    "DEFAULT_DURATION",
    "DEFAULT_RESOLUTION",
    "DEFAULT_T2V_RATIO",
    "MAX_BYTES",
    "REGEN_TEXT_MAX_CHARS",
    "V2_MODELS",
    "V2Params",
    "V2Rule",
    "check_base_video",
    "check_v2_inputs",
    "check_v2_media",
    "check_v2_params",
    "check_v2_size",
    "check_v2_totals",
    "is_v2_model",
)


@dataclass(frozen=True)
class V2Rule:
    """§3.2: what one model takes."""

    resolutions: tuple[str, ...]
    durations: range
    #: §3.1: ``extra.prompt_expansion_mode`` is documented for H3-Max only.
    prompt_expansion: bool


V2_MODELS: Mapping[str, V2Rule] = {
    "MiniMax-H3": V2Rule(("768P", "2K"), range(4, 16), prompt_expansion=False),
    "MiniMax-H3-Max": V2Rule(("480P", "768P"), range(5, 16), prompt_expansion=True),
}

#: Sent when not given: both fields are required on the wire (§3.1) and MiniMax
#: documents no default; 768P is the one resolution both models take, 5 s what
#: MiniMax's own CLI and the gateways default to (§13).
DEFAULT_RESOLUTION = "768P"
DEFAULT_DURATION = 5
#: Text-to-video refuses ``adaptive`` (§3.6); public clients default to 16:9 (§13).
DEFAULT_T2V_RATIO = "16:9"

RATIOS = ("adaptive", "21:9", "16:9", "4:3", "1:1", "3:4", "9:16")
EXPANSION_MODES = ("disabled", "balanced", "quality")
TEXT_MAX_CHARS = 7000

#: §3.4 limits.
BODY_MAX_BYTES = 64 * 1024 * 1024
MAX_BYTES: Mapping[MediaKind, int] = {
    "image": 30 * 1024 * 1024,
    "video": 50 * 1024 * 1024,
    "audio": 15 * 1024 * 1024,
}
FORMATS: Mapping[MediaKind, tuple[str, ...]] = {
    "image": ("jpeg", "png", "webp", "heif"),
    "video": ("mp4", "mov"),
    "audio": ("wav", "mp3"),
}
_FORMAT_NAMES: Mapping[MediaKind, str] = {
    "image": "JPG, JPEG, PNG, WEBP, HEIC or HEIF",
    "video": "MP4 or MOV",
    "audio": "WAV or MP3",
}
VIDEO_CODECS = frozenset({"avc1", "avc3", "hvc1", "hev1"})  # H.264/AVC, H.265/HEVC
AUDIO_CODECS = frozenset({"mp4a", ".mp3"})  # AAC, MP3
SIDE = (256, 5760)  # each side, inclusive
ASPECT = (0.4, 2.5)  # width / height, inclusive
FPS = (23.976, 60.0)
CLIP_SECONDS = (2.0, 15.0)  # each reference video or audio
TOTAL_SECONDS = 15.0  # the videos together, and the audios together
MAX_REFERENCES: Mapping[MediaKind, int] = {"image": 9, "video": 3, "audio": 3}
MAX_FILES = 12  # §3.4, the guide's cap on all references together


def is_v2_model(model: str | None) -> bool:
    return model in V2_MODELS


class V2Params(NamedTuple):
    """Scalar fields that passed, with the SDK's defaults filled in."""

    model: str
    resolution: str
    duration: int


def check_v2_params(
    *,
    model: str,
    prompt: Any,
    resolution: Any,
    duration: Any,
    prompt_expansion_mode: Any,
) -> V2Params:
    """Model x resolution x duration, the text and ``extra.prompt_expansion_mode``."""
    rule = V2_MODELS.get(model)
    if rule is None:
        raise InvalidInputError("model", model, f"not a V2 model; V2 models: {list(V2_MODELS)}")
    if not isinstance(prompt, str) or not prompt.strip():
        raise InvalidInputError(
            "prompt", prompt, "required: V2 needs a non-empty text item in every mode"
        )
    if len(prompt) > TEXT_MAX_CHARS:
        raise InvalidInputError(
            "prompt", prompt, f"is {len(prompt)} characters; at most {TEXT_MAX_CHARS} allowed"
        )
    res = DEFAULT_RESOLUTION if resolution is None else resolution
    if not isinstance(res, str) or res.strip().upper() not in rule.resolutions:
        raise InvalidInputError("resolution", resolution, f"{model} takes {list(rule.resolutions)}")
    res = res.strip().upper()
    dur = DEFAULT_DURATION if duration is None else duration
    # Integers only: MiniMax refuses "5" and 5.0 (§3.1).
    if isinstance(dur, bool) or not isinstance(dur, int) or dur not in rule.durations:
        first, last = rule.durations[0], rule.durations[-1]
        raise InvalidInputError(
            "duration", duration, f"{model} takes a whole number of seconds, {first}-{last}"
        )
    if prompt_expansion_mode is not None:
        if not rule.prompt_expansion:
            raise InvalidInputError(
                "prompt_expansion_mode",
                prompt_expansion_mode,
                f"only MiniMax-H3-Max documents it, not {model}",
            )
        if prompt_expansion_mode not in EXPANSION_MODES:
            raise InvalidInputError(
                "prompt_expansion_mode", prompt_expansion_mode, f"must be one of {EXPANSION_MODES}"
            )
    return V2Params(model, res, dur)


def _ratio(ratio: Any, *, frames: bool, text_only: bool) -> str:
    if ratio is not None and ratio not in RATIOS:
        raise InvalidInputError("ratio", ratio, f"must be one of {RATIOS}")
    if frames:
        # MiniMax ignores any other value without a word (§3.6): say so instead.
        if ratio not in (None, "adaptive"):
            raise InvalidInputError(
                "ratio", ratio, "first/last frame videos take the frame's aspect ('adaptive')"
            )
        return "adaptive"
    if text_only:
        if ratio == "adaptive":
            raise InvalidInputError(
                "ratio", ratio, "text-to-video needs a concrete ratio such as '16:9'"
            )
        return DEFAULT_T2V_RATIO if ratio is None else ratio
    return "adaptive" if ratio is None else ratio


def check_v2_inputs(
    *,
    first_frame: bool,
    last_frame: bool,
    references: Mapping[MediaKind, int],
    ratio: Any,
) -> str:
    """Roles and counts (§3.5); returns the ratio to send for this mode (§3.6).

    A last frame alone is allowed: the content description, the guide and MiniMax's
    own CLI say so, one role description says otherwise (§16.7).
    """
    frames = first_frame or last_frame
    total = sum(references.values())
    if frames and total:
        named = next(kind for kind, count in references.items() if count)
        raise InvalidInputError(
            f"reference_{named}s",
            f"<{references[named]} {named}s>",
            "frames (first/last) and references cannot be mixed in one request",
        )
    for kind, count in references.items():
        if count > MAX_REFERENCES[kind]:
            raise InvalidInputError(
                f"reference_{kind}s",
                f"<{count} {kind}s>",
                f"at most {MAX_REFERENCES[kind]} reference {kind}s",
            )
    if total > MAX_FILES:
        raise InvalidInputError(
            "reference_images", f"<{total} references>", f"at most {MAX_FILES} references in all"
        )
    if references.get("audio") and not (references.get("image") or references.get("video")):
        raise InvalidInputError(
            "reference_audios",
            f"<{references['audio']} audios>",
            "audio cannot be the only reference: add a reference image or video",
        )
    return _ratio(ratio, frames=frames, text_only=not frames and not total)


def check_v2_size(kind: MediaKind, size: int, *, field: str, shown: object) -> None:
    """§3.4's per-file cap for ``kind``; checked from a path's size before it is read."""
    limit = MAX_BYTES[kind]
    if size > limit:
        raise InvalidInputError(
            field, shown, f"is {size} bytes; {kind} files may be at most {limit // 2**20} MB"
        )


def check_v2_media(
    info: MediaInfo, *, kind: MediaKind, field: str, shown: object, base: bool = False
) -> None:
    """One clip against §3.4: format, size, dimensions and aspect, duration and fps.

    ``base``: a regeneration's ``base_video``, held to §8.2 instead of the reference
    rules for fps and length (:func:`check_base_video`).
    """
    if info.kind != kind or info.format not in FORMATS[kind]:
        raise InvalidInputError(
            field, shown, f"is {info.kind} ({info.format}); this field takes {_FORMAT_NAMES[kind]}"
        )
    check_v2_size(kind, info.size, field=field, shown=shown)
    if info.width is not None and info.height is not None:
        _check_picture(info.width, info.height, field=field, shown=shown)
    if kind == "video":
        if info.video_codec not in VIDEO_CODECS:
            raise InvalidInputError(
                field, shown, f"video codec {info.video_codec}; must be H.264/AVC or H.265/HEVC"
            )
        if info.audio_codec is not None and info.audio_codec not in AUDIO_CODECS:
            raise InvalidInputError(
                field, shown, f"audio codec {info.audio_codec}; must be AAC or MP3"
            )
        if base:
            check_base_video(info, field=field, shown=shown)
            return
        fps = info.fps or 0.0
        if not FPS[0] <= round(fps, 3) <= FPS[1]:
            raise InvalidInputError(
                field, shown, f"plays at {fps:.3f} fps; must be {FPS[0]}-{FPS[1]:g} fps"
            )
    if kind in ("video", "audio"):
        seconds = info.duration or 0.0
        if not CLIP_SECONDS[0] <= round(seconds, 2) <= CLIP_SECONDS[1]:
            raise InvalidInputError(
                field,
                shown,
                f"lasts {seconds:.2f} s; each reference {kind} must last"
                f" {CLIP_SECONDS[0]:g}-{CLIP_SECONDS[1]:g} s",
            )


#: §8.2: a base_video is a 768P H3 output: 24 fps, sides multiples of 32, its area
#: between 768x768 and 768x1344, and 107-362 frames in steps of 17, with sound.
BASE_AREA = (768 * 768, 768 * 1344)
BASE_FRAMES = range(107, 363, 17)
REGEN_TEXT_MAX_CHARS = 40000


def check_base_video(info: MediaInfo, *, field: str, shown: object) -> None:
    """A regeneration's base video against §8.2 (what a 768P H3 output looks like)."""
    width, height = info.width or 0, info.height or 0
    fps = info.fps or 0.0
    problems = [
        (info.audio_codec is None, "has no audio track; a base video keeps its sound"),
        (round(fps, 2) != 24.0, f"plays at {fps:.3f} fps; a base video is 24 fps"),
        (width % 32 or height % 32, f"is {width}x{height}; both sides must be multiples of 32"),
        (
            not BASE_AREA[0] <= width * height <= BASE_AREA[1],
            f"is {width}x{height}; the area must be 768x768 to 768x1344",
        ),
        (
            info.frames not in BASE_FRAMES,
            f"has {info.frames} frames; a base video has 107-362 frames in steps of 17",
        ),
    ]
    for broken, rule in problems:
        if broken:
            raise InvalidInputError(field, shown, rule)


def _check_picture(width: int, height: int, *, field: str, shown: object) -> None:
    if not (SIDE[0] <= width <= SIDE[1] and SIDE[0] <= height <= SIDE[1]):
        raise InvalidInputError(
            field, shown, f"is {width}x{height}; each side must be {SIDE[0]}-{SIDE[1]} px"
        )
    aspect = width / height
    if not ASPECT[0] <= round(aspect, 4) <= ASPECT[1]:
        raise InvalidInputError(
            field,
            shown,
            f"is {width}x{height} (aspect {aspect:.3f}); width/height must be"
            f" {ASPECT[0]}-{ASPECT[1]}",
        )


def check_v2_totals(durations: Mapping[MediaKind, Sequence[float]]) -> None:
    """§3.4: the reference videos together, and the audios together, at most 15 s."""
    for kind, seconds in durations.items():
        total = sum(seconds)
        if round(total, 2) > TOTAL_SECONDS:
            raise InvalidInputError(
                f"reference_{kind}s",
                f"<{len(seconds)} clips, {total:.2f} s>",
                f"reference {kind}s may last {TOTAL_SECONDS:g} s together",
            )
