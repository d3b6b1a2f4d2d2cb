"""Read a batch file: one JSON object per line, each a video create request.

A line takes the same fields as ``client.video.create`` (``model``, ``prompt``,
``first_frame_image``, ``last_frame_image``, ``subject_reference``, ``duration``,
``resolution``, ``prompt_optimizer``, ``fast_pretreatment``, ``aigc_watermark``) plus
an optional ``name`` (which names the output file) and ``camera`` (a list of moves).
A ``model`` of MiniMax-H3 or MiniMax-H3-Max makes it a V2 job, with the V2 fields
instead (``reference_images``, ``ratio``... see ``_v2_jobs``); a field of the other API
is refused, naming it. Blank lines and lines starting with ``#`` are skipped. Media
paths are relative to the batch file's directory.

Every line is checked completely before anything is spent; a bad line becomes a
:class:`BadLine` naming the line and the problem, and the good lines still run.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from minimax_async._exceptions import InvalidInputError
from minimax_async._v2_rules import is_v2_model
from minimax_async.cli._params import VideoParams, in_user_words, video_params
from minimax_async.cli._v2_jobs import V2_ONLY_FIELDS, V2JobParams, v2_job_params
from minimax_async.durable import fingerprint
from minimax_async.durable._records import TaskKind

__all__ = ("BadLine", "Job", "parse_jobs", "parse_line")

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
_STRINGS = (
    "model",
    "prompt",
    "first_frame_image",
    "last_frame_image",
    "resolution",
    "ratio",
    "prompt_expansion_mode",
)
_BOOLS = ("prompt_optimizer", "fast_pretreatment", "aigc_watermark")
_KNOWN = frozenset(
    (*_STRINGS, *_BOOLS, *V2_ONLY_FIELDS, "name", "duration", "subject_reference", "camera")
)


@dataclass(frozen=True)
class Job:
    """One good line: its journal key, fingerprint and checked parameters.

    ``body`` is the line's JSON object as given: what the journal keeps (redacted).
    """

    line: int
    key: str
    name: str | None
    fingerprint: str
    params: VideoParams | V2JobParams
    body: dict[str, Any]

    @property
    def kind(self) -> TaskKind:
        """The journal kind of its task: ``v2`` for MiniMax-H3 models, else ``video``."""
        return "v2" if isinstance(self.params, V2JobParams) else "video"

    @property
    def filename(self) -> str:
        """The output file name: ``<name>.mp4``, or the key for an unnamed job."""
        return f"{self.key}.mp4"


@dataclass(frozen=True)
class BadLine:
    """A line that cannot run, and why (one line of text)."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


def _subject(value: Any) -> str:
    """``subject_reference`` as one image: a string, or the wire list shape."""
    if isinstance(value, str):
        return value
    if (
        isinstance(value, list)
        and len(value) == 1
        and isinstance(value[0], dict)
        and value[0].get("type", "character") == "character"
        and isinstance(value[0].get("image"), list)
        and len(value[0]["image"]) == 1
        and isinstance(value[0]["image"][0], str)
    ):
        image: str = value[0]["image"][0]
        return image
    raise InvalidInputError(
        "subject_reference",
        value,
        'must be an image path/URL or [{"type": "character", "image": ["<path or URL>"]}]',
    )


def _check_types(obj: dict[str, Any]) -> None:
    unknown = sorted(set(obj) - _KNOWN)
    if unknown:
        first = unknown[0]
        raise InvalidInputError(first, obj[first], f"unknown field; known: {sorted(_KNOWN)}")
    for key in _STRINGS:
        if key in obj and not isinstance(obj[key], str):
            raise InvalidInputError(key, obj[key], "must be a string")
    for key in _BOOLS:
        if key in obj and not isinstance(obj[key], bool):
            raise InvalidInputError(key, obj[key], "must be true or false")
    duration = obj.get("duration")
    if duration is not None and (isinstance(duration, bool) or not isinstance(duration, int)):
        raise InvalidInputError("duration", duration, "must be a whole number of seconds")
    moves = obj.get("camera", [])
    if not isinstance(moves, list) or not all(isinstance(m, str) for m in moves):
        raise InvalidInputError("camera", moves, "must be a list of camera move names")
    name = obj.get("name")
    if name is not None and (not isinstance(name, str) or not _NAME.fullmatch(name)):
        raise InvalidInputError(
            "name", name, "must be 1-100 of A-Z a-z 0-9 . _ - (it names the output file)"
        )
    if isinstance(name, str) and name.startswith("job-"):
        raise InvalidInputError("name", name, "'job-' is reserved for unnamed jobs")


def parse_line(text: str, *, line: int, base: Path) -> Job:
    """Parse and check one JSON line; InvalidInputError or ValueError when it is bad."""
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(obj, dict):
        raise ValueError(f"must be a JSON object, got {type(obj).__name__}")
    _check_types(obj)
    digest = fingerprint(obj)
    name = obj.get("name")
    # Keyed by content, not position: inserting a line above must not resubmit it.
    key = name if name is not None else f"job-{digest.removeprefix('sha256:')[:12]}"
    params = v2_job_params(obj, base=base) if is_v2_model(obj.get("model")) else _v1(obj, base)
    return Job(line=line, key=key, name=name, fingerprint=digest, params=params, body=obj)


def _v1(obj: dict[str, Any], base: Path) -> VideoParams:
    for field in V2_ONLY_FIELDS:
        if field in obj:
            model = obj.get("model") or "the default V1 model"
            raise InvalidInputError(
                field,
                obj[field],
                f"{model} does not take it; only MiniMax-H3 and MiniMax-H3-Max (V2) do",
            )
    subject = obj.get("subject_reference")
    return video_params(
        model=obj.get("model"),
        prompt=obj.get("prompt"),
        first_frame=obj.get("first_frame_image"),
        last_frame=obj.get("last_frame_image"),
        subject=None if subject is None else _subject(subject),
        duration=obj.get("duration"),
        resolution=obj.get("resolution"),
        camera_moves=obj.get("camera"),
        prompt_optimizer=obj.get("prompt_optimizer"),
        fast_pretreatment=obj.get("fast_pretreatment"),
        aigc_watermark=obj.get("aigc_watermark"),
        base=base,
    )


def parse_jobs(path: Path) -> tuple[list[Job], list[BadLine]]:
    """Every good job and every bad line of a JSONL batch file, in file order.

    OSError (missing or unreadable file) and UnicodeDecodeError propagate: the whole
    file is unusable then.
    """
    jobs: list[Job] = []
    bad: list[BadLine] = []
    seen: dict[str, int] = {}
    base = path.resolve().parent
    text = path.read_text(encoding="utf-8")
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        try:
            job = parse_line(stripped, line=number, base=base)
        except InvalidInputError as exc:
            bad.append(BadLine(number, in_user_words(exc)))
            continue
        except ValueError as exc:
            bad.append(BadLine(number, str(exc)))
            continue
        if job.key in seen:
            what = f"name={job.key!r} is already used" if job.name else "the same job is"
            bad.append(BadLine(number, f"{what} on line {seen[job.key]}"))
            continue
        seen[job.key] = number
        jobs.append(job)
    return jobs, bad
