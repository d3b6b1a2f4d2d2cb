"""A batch line for MiniMax-H3 or H3-Max (the V2 API), checked before anything is sent.

The line takes the fields of ``client.video.create`` for a V2 model: ``model``,
``prompt``, ``first_frame_image``, ``last_frame_image``, ``reference_images``,
``reference_videos``, ``reference_audios`` (each a list, or one path or URL),
``resolution``, ``duration``, ``ratio``, ``prompt_expansion_mode`` and
``aigc_watermark``. The SDK's own V2 rules run here (model x resolution x duration,
text length, frames vs references, counts, the ratio for the mode), and every local
file is read from its headers and held to the reference's media rules, so a bad line
is reported before the batch spends anything. Local paths are relative to the jobs
file; the SDK turns them into data URLs or uploads when the create is sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from minimax_async._exceptions import InvalidInputError
from minimax_async._images import local_file_errors
from minimax_async._media import MediaInfo, MediaKind, probe_media
from minimax_async._v2_content import _check_data_url
from minimax_async._v2_rules import (
    check_v2_inputs,
    check_v2_media,
    check_v2_params,
    check_v2_totals,
)

__all__ = ("V1_ONLY_FIELDS", "V2_ONLY_FIELDS", "V2JobParams", "v2_job_params")

Media = str | Path

#: Fields of a V2 line that V1 models do not have.
V2_ONLY_FIELDS = (
    "reference_images",
    "reference_videos",
    "reference_audios",
    "ratio",
    "prompt_expansion_mode",
)
#: Fields of a V1 line that V2 models do not have.
V1_ONLY_FIELDS = ("subject_reference", "camera", "prompt_optimizer", "fast_pretreatment")

_REFERENCES: tuple[tuple[str, MediaKind], ...] = (
    ("reference_images", "image"),
    ("reference_videos", "video"),
    ("reference_audios", "audio"),
)
_URLS = "an http(s), mm_file:// or data: URL"


@dataclass(frozen=True)
class V2JobParams:
    """A checked V2 create; media are URLs, ``mm_file://`` references or absolute paths."""

    model: str
    prompt: str
    first_frame_image: Media | None = None
    last_frame_image: Media | None = None
    reference_images: tuple[Media, ...] = ()
    reference_videos: tuple[Media, ...] = ()
    reference_audios: tuple[Media, ...] = ()
    duration: int | None = None
    resolution: str | None = None
    ratio: str | None = None
    prompt_expansion_mode: str | None = None
    aigc_watermark: bool | None = None

    def create_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``client.video.v2.create``; unset options left out."""
        kwargs: dict[str, Any] = {"model": self.model, "prompt": self.prompt}
        optional: dict[str, Any] = {
            "first_frame_image": self.first_frame_image,
            "last_frame_image": self.last_frame_image,
            "reference_images": list(self.reference_images) or None,
            "reference_videos": list(self.reference_videos) or None,
            "reference_audios": list(self.reference_audios) or None,
            "duration": self.duration,
            "resolution": self.resolution,
            "ratio": self.ratio,
            "prompt_expansion_mode": self.prompt_expansion_mode,
            "aigc_watermark": self.aigc_watermark,
        }
        kwargs.update({key: value for key, value in optional.items() if value is not None})
        return kwargs


def _media_list(obj: dict[str, Any], field: str) -> list[str]:
    value = obj.get(field)
    if value is None:
        return []
    if isinstance(value, str):
        return [value]  # one reference needs no brackets
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InvalidInputError(field, value, "must be a list of paths, URLs or mm_file:// ids")
    return value


def _local(value: str, *, kind: MediaKind, field: str, base: Path) -> tuple[Path, MediaInfo]:
    path = Path(value).expanduser()
    if not path.is_absolute():
        path = base / path
    with local_file_errors(field, value, urls=_URLS), path.open("rb") as file:
        # Headers only: a clip is not read whole to be checked.
        info = probe_media(file, size=path.stat().st_size, field=field, shown=value)
    check_v2_media(info, kind=kind, field=field, shown=value)
    return path.resolve(), info


def _checked_media(
    value: str, *, kind: MediaKind, field: str, base: Path, seconds: list[float]
) -> Media:
    """One medium: URLs pass (MiniMax fetches them), a data URL or a file is checked."""
    if not value:
        raise InvalidInputError(field, value, f"must be a path or {_URLS}")
    if value.startswith(("http://", "https://", "mm_file://")):
        return value
    if value.startswith("data:"):
        _check_data_url(value, kind=kind, field=field, base=False)
        return value
    path, info = _local(value, kind=kind, field=field, base=base)
    seconds.append(info.duration or 0.0)
    return path


def v2_job_params(obj: dict[str, Any], *, base: Path) -> V2JobParams:
    """Check a V2 line (types already checked by the caller); InvalidInputError if bad."""
    model: str = obj["model"]
    for field in V1_ONLY_FIELDS:
        if field in obj:
            raise InvalidInputError(
                field, obj[field], f"{model} (the V2 API) has no such field: it is V1's"
            )
    prompt = obj.get("prompt")
    check_v2_params(
        model=model,
        prompt=prompt,
        resolution=obj.get("resolution"),
        duration=obj.get("duration"),
        prompt_expansion_mode=obj.get("prompt_expansion_mode"),
    )
    references = {field: _media_list(obj, field) for field, _ in _REFERENCES}
    check_v2_inputs(
        first_frame="first_frame_image" in obj,
        last_frame="last_frame_image" in obj,
        references={kind: len(references[field]) for field, kind in _REFERENCES},
        ratio=obj.get("ratio"),
    )
    # Per kind, the local clips' lengths: the videos together (and the audios) <= 15 s.
    durations: dict[MediaKind, list[float]] = {"image": [], "video": [], "audio": []}

    def frame(field: str) -> Media | None:
        value = obj.get(field)
        if value is None:
            return None
        return _checked_media(value, kind="image", field=field, base=base, seconds=[])

    first, last = frame("first_frame_image"), frame("last_frame_image")
    checked = {
        field: tuple(
            _checked_media(
                value, kind=kind, field=f"{field}[{i}]", base=base, seconds=durations[kind]
            )
            for i, value in enumerate(references[field])
        )
        for field, kind in _REFERENCES
    }
    check_v2_totals({kind: durations[kind] for kind in ("video", "audio")})
    assert isinstance(prompt, str)  # check_v2_params refuses anything else
    return V2JobParams(
        model=model,
        prompt=prompt,
        first_frame_image=first,
        last_frame_image=last,
        reference_images=checked["reference_images"],
        reference_videos=checked["reference_videos"],
        reference_audios=checked["reference_audios"],
        duration=obj.get("duration"),
        resolution=obj.get("resolution"),
        ratio=obj.get("ratio"),
        prompt_expansion_mode=obj.get("prompt_expansion_mode"),
        aigc_watermark=obj.get("aigc_watermark"),
    )
