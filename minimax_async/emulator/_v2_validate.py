"""Checks of V2 create, Context-IR and regeneration bodies (reference §3, §8).

Every refusal raises :class:`Refused`; the routes answer HTTP 400 with
``invalid params, <field>=<value>: <rule> (2013)``. The order is the order a caller
would fix things in: the model, the shape of ``content``, then each item's media.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from minimax_async.emulator import _v2_tables as v2
from minimax_async.emulator._config import EmulatorConfig
from minimax_async.emulator._errors import Refused
from minimax_async.emulator._v1_tables import MODELS as V1_MODELS
from minimax_async.emulator._v2_media import KIND_OF_TYPE, check_url
from minimax_async.emulator._v2_state import MediaFacts, TaskType, Upload
from minimax_async.emulator._validate import check_callback_url, check_types

__all__ = ("CheckedTask", "check_context_ir", "check_create", "check_regeneration")

UploadLookup = Callable[[str], "Upload | None"]

_CREATE_FIELDS: Mapping[str, type] = {
    "model": str,
    "content": list,
    "resolution": str,
    "duration": int,
    "ratio": str,
    "extra": dict,
    "callback_url": str,
    "aigc_watermark": bool,
}
_IR_FIELDS = frozenset({"model", "content", "duration", "ratio", "callback_url"})
_REGEN_FIELDS = frozenset(
    {"model", "content", "source_task_id", "resolution", "callback_url", "aigc_watermark"}
)
_CONCRETE = tuple(r for r in v2.RATIOS if r != "adaptive")


@dataclass(frozen=True)
class CheckedTask:
    """A body that passed: what the task will be."""

    model: str
    task_type: TaskType
    resolution: str
    duration: int
    ratio: str
    requested_ratio: str
    media: tuple[MediaFacts, ...]
    callback_url: str | None
    width: int = 0
    height: int = 0


def _types(body: Mapping[str, Any], allowed: frozenset[str], config: EmulatorConfig) -> None:
    if config.region != "cn":
        # §3.1: aigc_watermark is on the China create page only; globally it is unknown.
        allowed = allowed - {"aigc_watermark"}
    check_types(body, {name: kind for name, kind in _CREATE_FIELDS.items() if name in allowed})
    if config.v2_strict_fields:
        unknown = sorted(set(body) - allowed)
        if unknown:
            raise Refused(unknown[0], body[unknown[0]], "unknown field")


def _model(body: Mapping[str, Any], *, endpoint: str) -> v2.ModelRule:
    model = body.get("model")
    if model is None:
        raise Refused("model", None, "required")
    if model in V1_MODELS:
        raise Refused("model", model, f"is a V1 model; {endpoint} takes {sorted(v2.MODELS)}")
    rule = v2.MODELS.get(model)
    if rule is None:
        raise Refused("model", model, f"must be one of {sorted(v2.MODELS)}")
    if endpoint != "/v2/video_generation" and not rule.side_endpoints:
        raise Refused("model", model, f"{endpoint} supports MiniMax-H3 only")
    return rule


def _duration(body: Mapping[str, Any], model: str, rule: v2.ModelRule) -> int:
    duration = body.get("duration")
    if duration is None:
        raise Refused("duration", None, "required")
    if duration not in rule.durations:
        span = f"{rule.durations[0]}-{rule.durations[-1]}"
        raise Refused("duration", duration, f"{model} supports {span} seconds")
    return int(duration)


def _resolution(
    body: Mapping[str, Any], model: str, rule: v2.ModelRule, config: EmulatorConfig
) -> str:
    resolution = body.get("resolution")
    if resolution is None:
        if rule.takes_extra and config.v2_max_default_resolution:
            return "768P"  # the H3-Max description's "defaults to 768P" (§16.6)
        raise Refused("resolution", None, f"required; {model} supports {list(rule.resolutions)}")
    if resolution not in rule.resolutions:
        raise Refused("resolution", resolution, f"{model} supports {list(rule.resolutions)}")
    return str(resolution)


def _extra(body: Mapping[str, Any], rule: v2.ModelRule, config: EmulatorConfig) -> None:
    extra = body.get("extra")
    if extra is None:
        return
    if not (rule.takes_extra or config.v2_extra_on_h3):
        raise Refused("extra", extra, "only MiniMax-H3-Max takes extra")
    for key, value in extra.items():
        if key != "prompt_expansion_mode":
            raise Refused(f"extra.{key}", value, "unknown key; only prompt_expansion_mode")
        if value not in v2.EXPANSION_MODES:
            raise Refused(
                "extra.prompt_expansion_mode", value, f"must be one of {list(v2.EXPANSION_MODES)}"
            )


def _texts(content: list[Any], config: EmulatorConfig, *, limit: int) -> None:
    texts = [(i, item) for i, item in enumerate(content) if item.get("type") == "text"]
    for index, item in texts:
        text = item.get("text")
        if not isinstance(text, str):
            raise Refused(f"content[{index}].text", text, "must be a string")
        if len(text) > limit:
            raise Refused(
                f"content[{index}].text", text, f"is {len(text)} characters; at most {limit}"
            )
    if not any(item["text"].strip() for _, item in texts):
        # The documented Err400 wording, so clients matching on it see it.
        raise Refused(
            "content",
            "<no text>",
            "content must include a non-empty text item (prompt is required)",
        )
    if config.v2_text_items == "exactly_one" and len(texts) > 1:
        raise Refused("content", f"<{len(texts)} text items>", "exactly one text item is allowed")


def _items(content: list[Any], upload: UploadLookup, *, regeneration: bool) -> list[MediaFacts]:
    """Each media item's role and media checks; the facts, in request order."""
    facts: list[MediaFacts] = []
    images = [i for i in content if i.get("type") == "image_url"]
    for index, item in enumerate(content):
        kind_type = item.get("type")
        where = f"content[{index}]"
        if kind_type == "text":
            continue
        if not isinstance(kind_type, str) or kind_type not in KIND_OF_TYPE:
            raise Refused(
                f"{where}.type", kind_type, "must be text, image_url, video_url or audio_url"
            )
        holder = item.get(kind_type)
        url = holder.get("url") if isinstance(holder, dict) else None
        if not isinstance(url, str) or not url:
            raise Refused(f"{where}.{kind_type}", holder, "must be an object with a url string")
        kind = KIND_OF_TYPE[kind_type]
        role = item.get("role")
        allowed = v2.ROLES[kind_type] + (
            ("base_video",) if regeneration and kind == "video" else ()
        )
        if role is None:
            # §3.3: a lone image is a first frame; videos and audio only have one role.
            if kind == "image" and len(images) > 1:
                raise Refused(f"{where}.role", None, "required when several images are given")
            role = {"image": "first_frame", "video": "reference_video", "audio": "reference_audio"}[
                kind
            ]
        if role not in allowed:
            raise Refused(f"{where}.role", role, f"must be one of {list(allowed)} for {kind_type}")
        checked = check_url(kind, url, field=f"{where}.{kind_type}.url", upload=upload)
        facts.append(
            MediaFacts(kind, role, checked.width, checked.height, checked.seconds, checked.video)
        )
    return facts


def _counts(facts: list[MediaFacts], model: str, config: EmulatorConfig) -> str:
    """The rules across items (§3.4-3.5); the mode: ``t2v``, ``i2v`` or ``r2v``."""
    roles = [f.role for f in facts]
    frames = [r for r in roles if r in v2.FRAME_ROLES]
    refs = [f for f in facts if f.role.startswith("reference_")]
    if frames and refs:
        raise Refused(
            "content", "<frames and references>", "frame roles and reference roles cannot be mixed"
        )
    for role in ("first_frame", "last_frame"):
        if roles.count(role) > 1:
            raise Refused("content", f"<{roles.count(role)} {role}>", f"at most one {role}")
    if "last_frame" in roles and "first_frame" not in roles and not config.v2_last_frame_alone:
        raise Refused("content", "<last_frame alone>", "last_frame must be paired with first_frame")
    counts = {k: sum(1 for f in refs if f.kind == k) for k in ("image", "video", "audio")}
    for kind, limit in (
        ("image", v2.MAX_IMAGES),
        ("video", v2.MAX_VIDEOS),
        ("audio", v2.MAX_AUDIOS),
    ):
        if counts[kind] > limit:
            raise Refused(
                "content",
                f"<{counts[kind]} reference {kind}s>",
                f"at most {limit} reference {kind}s",
            )
    if len(refs) > v2.MAX_REFERENCES:
        raise Refused(
            "content", f"<{len(refs)} references>", f"at most {v2.MAX_REFERENCES} files in total"
        )
    if counts["audio"] and not (counts["image"] or counts["video"]):
        raise Refused("content", "<audio only>", "reference audio needs a reference image or video")
    for kind in ("video", "audio"):
        total = sum(f.seconds or 0.0 for f in refs if f.kind == kind)
        if total > v2.TOTAL_MEDIA_SECONDS + 0.01:
            raise Refused(
                "content", f"<{total:.2f} s of {kind}>", f"reference {kind}s may last 15 s in total"
            )
    if refs and not v2.MODELS[model].side_endpoints and not config.v2_max_references:
        raise Refused("model", model, "does not support reference-to-video")
    if frames:
        return "i2v"
    return "r2v" if refs else "t2v"


def _ratio(body: Mapping[str, Any], mode: str, facts: list[MediaFacts]) -> tuple[str, str]:
    """(resolved ratio, requested ratio) per §3.6."""
    requested = body.get("ratio", "adaptive")
    if requested not in v2.RATIOS:
        raise Refused("ratio", requested, f"must be one of {list(v2.RATIOS)}")
    if mode == "t2v":
        if requested == "adaptive":
            raise Refused("ratio", requested, "text-to-video needs a concrete ratio, not adaptive")
        return requested, requested
    if mode == "i2v":
        # Frames force adaptive; other values are ignored without error.
        return _nearest(facts), "adaptive"
    return (requested if requested != "adaptive" else _nearest(facts)), requested


def _nearest(facts: list[MediaFacts]) -> str:
    """The concrete ratio nearest the first sized image or video; 16:9 if none is known."""
    for fact in facts:
        if fact.width and fact.height and fact.kind in ("image", "video"):
            aspect = math.log(fact.width / fact.height)
            return min((abs(math.log(_value(r)) - aspect), r) for r in _CONCRETE)[1]
    return "16:9"


def _value(ratio: str) -> float:
    width, height = ratio.split(":")
    return int(width) / int(height)


def check_create(
    body: Mapping[str, Any], config: EmulatorConfig, upload: UploadLookup
) -> CheckedTask:
    """``POST /v2/video_generation``."""
    _types(body, frozenset(_CREATE_FIELDS), config)
    rule = _model(body, endpoint="/v2/video_generation")
    model = str(body["model"])
    content = _content(body)
    resolution = _resolution(body, model, rule, config)
    duration = _duration(body, model, rule)
    _extra(body, rule, config)
    callback = check_callback_url(body)
    _texts(content, config, limit=v2.TEXT_MAX_CHARS)
    facts = _items(content, upload, regeneration=False)
    mode = _counts(facts, model, config)
    ratio, requested = _ratio(body, mode, facts)
    width, height = v2.OUTPUT_PIXELS[resolution][ratio]
    return CheckedTask(
        model,
        "generation",
        resolution,
        duration,
        ratio,
        requested,
        tuple(facts),
        callback,
        width,
        height,
    )


def _content(body: Mapping[str, Any]) -> list[Any]:
    content = body.get("content")
    if content is None:
        raise Refused("content", None, "required")
    if not content:
        raise Refused(
            "content", content, "content must include a non-empty text item (prompt is required)"
        )
    for index, item in enumerate(content):
        if not isinstance(item, dict):
            raise Refused(f"content[{index}]", item, "must be an object with a type")
    return list(content)


def check_context_ir(
    body: Mapping[str, Any], config: EmulatorConfig, upload: UploadLookup
) -> CheckedTask:
    """``POST /v2/h3_context_ir``: create's content rules, no resolution or extra (§8.1)."""
    _types(body, _IR_FIELDS, config)
    rule = _model(body, endpoint="/v2/h3_context_ir")
    model = str(body["model"])
    content = _content(body)
    duration = _duration(body, model, rule)
    callback = check_callback_url(body)
    _texts(content, config, limit=v2.TEXT_MAX_CHARS)
    facts = _items(content, upload, regeneration=False)
    mode = _counts(facts, model, config)
    ratio, requested = _ratio(body, mode, facts)
    return CheckedTask(
        model, "h3_context_ir", "", duration, ratio, requested, tuple(facts), callback
    )


SourceLookup = Callable[[str], "tuple[int, str] | None"]


def check_regeneration(
    body: Mapping[str, Any], config: EmulatorConfig, upload: UploadLookup, source: SourceLookup
) -> CheckedTask:
    """``POST /v2/video_regeneration`` (§8.2): by ``source_task_id`` or by one base_video.

    ``source(task_id)`` gives (duration, ratio) of the caller's succeeded 768P H3 task
    in the window, or raises Refused saying why not.
    """
    _types(body, _REGEN_FIELDS, config)
    _model(body, endpoint="/v2/video_regeneration")
    model = str(body["model"])
    if body.get("resolution") != "2K":
        raise Refused("resolution", body.get("resolution"), "regeneration outputs 2K only")
    callback = check_callback_url(body)
    by_task, by_video = body.get("source_task_id"), body.get("content")
    if (by_task is None) == (by_video is None):
        raise Refused("source_task_id", by_task, "give exactly one of source_task_id or content")
    if by_task is not None:
        if not isinstance(by_task, str) or not by_task:
            raise Refused("source_task_id", by_task, "must be a task id string")
        if not config.v2_regeneration_whitelisted:
            raise Refused("source_task_id", by_task, "regeneration by task needs whitelist access")
        found = source(by_task)
        if found is None:
            raise Refused("source_task_id", by_task, "invalid task_id")
        duration, ratio = found
        width, height = v2.OUTPUT_PIXELS["2K"][ratio]
        return CheckedTask(
            model, "regeneration", "2K", duration, "", "", (), callback, width, height
        )
    content = _content(body)
    _texts(content, config, limit=v2.REGEN_TEXT_MAX_CHARS)
    facts = _items(content, upload, regeneration=True)
    bases = [f for f in facts if f.role == "base_video"]
    if len(bases) != 1:
        raise Refused(
            "content", f"<{len(bases)} base_video>", "exactly one base_video item is required"
        )
    base = bases[0]
    if base.video is not None:
        _check_base(base)
        duration = max(v2.MODELS[model].durations[0], round(base.video.duration))
        ratio = _nearest([base])
    else:
        duration, ratio = 5, "16:9"  # a remote base video is accepted unseen
    width, height = v2.OUTPUT_PIXELS["2K"][ratio]
    return CheckedTask(
        model, "regeneration", "2K", duration, "", "", tuple(facts), callback, width, height
    )


def _check_base(base: MediaFacts) -> None:
    info = base.video
    assert info is not None
    field = "base_video"
    if info.audio_codec is None:
        raise Refused(field, "<video>", "must have an audio track")
    if abs(info.fps - 24) > 0.01:
        raise Refused(field, "<video>", f"is {info.fps:.3f} fps; must be 24 fps")
    if info.width % 32 or info.height % 32:
        raise Refused(
            field, "<video>", f"is {info.width}x{info.height}; sides must be multiples of 32"
        )
    low, high = v2.BASE_VIDEO_AREA
    if not low <= info.width * info.height <= high:
        raise Refused(
            field, "<video>", f"is {info.width}x{info.height}; area must be {low}-{high} px"
        )
    if info.frames not in v2.BASE_VIDEO_FRAMES:
        raise Refused(field, "<video>", f"has {info.frames} frames; must be 107-362 in steps of 17")
