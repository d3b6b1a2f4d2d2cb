"""Create-request checks: raw JSON types first, then the shared rules of the reference.

Everything here raises :class:`Refused`; the app turns it into base_resp 2013
with ``status_msg`` ``"invalid params, <field>=<value>: <rule>"``. The rules come from
the emulator's own tables (``_v1_tables``), never from the SDK's.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from minimax_async.emulator import _v1_tables as tables
from minimax_async.emulator._config import FAIL_MARKERS, EmulatorConfig
from minimax_async.emulator._errors import Refused
from minimax_async.emulator._images import CheckedImage, check_data_url, is_remote_url
from minimax_async.emulator._v2_tables import MODELS as V2_MODELS

__all__ = (
    "CheckedAgent",
    "CheckedVideo",
    "check_agent_body",
    "check_callback_url",
    "check_types",
    "check_video_body",
    "choose_failure",
    "marker_failure",
    "parse_json_body",
)

_VIDEO_FIELDS: Mapping[str, type | tuple[type, ...]] = {
    "model": str,
    "prompt": str,
    "prompt_optimizer": bool,
    "fast_pretreatment": bool,
    "duration": int,
    "resolution": str,
    "first_frame_image": str,
    "last_frame_image": str,
    "subject_reference": list,
    "callback_url": str,
    "aigc_watermark": bool,
}
_AGENT_FIELDS: Mapping[str, type | tuple[type, ...]] = {
    "template_id": str,
    "text_inputs": list,
    "media_inputs": list,
    "callback_url": str,
}
_JSON_NAMES = {
    str: "a string",
    bool: "a boolean",
    int: "an integer",
    list: "an array",
    dict: "an object",
}


@dataclass(frozen=True)
class CheckedVideo:
    """A video create body that passed every rule."""

    mode: str
    resolution: str
    duration: int
    first_frame: CheckedImage | None
    callback_url: str | None


@dataclass(frozen=True)
class CheckedAgent:
    """A Video Agent create body that passed every rule."""

    template: tables.V1Template
    callback_url: str | None


def parse_json_body(raw: bytes) -> dict[str, Any]:
    """The body as a JSON object, or Refused naming ``body``."""
    if not raw.strip():
        raise Refused("body", "<empty>", "a JSON object is required")
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        # ValueError covers JSONDecodeError and UnicodeDecodeError.
        raise Refused("body", f"<{len(raw)} bytes>", f"not valid JSON ({exc})") from None
    if not isinstance(value, dict):
        raise Refused("body", type(value).__name__, "must be a JSON object")
    return value


def check_types(body: Mapping[str, Any], fields: Mapping[str, type | tuple[type, ...]]) -> None:
    """Each of ``fields`` present in ``body`` has its JSON type (V1 and V2 bodies)."""
    for name, kind in fields.items():
        value = body.get(name)
        if value is None:
            continue
        # JSON true/false parse to bool, a subclass of int: never an integer here.
        wrong = isinstance(value, bool) and kind is not bool
        if wrong or not isinstance(value, kind):
            expected = _JSON_NAMES.get(kind, str(kind)) if isinstance(kind, type) else str(kind)
            raise Refused(name, value, f"must be {expected}")


def _check_image(value: str, *, field: str) -> CheckedImage | None:
    """Remote URLs are accepted unseen (nothing here can fetch them); data URLs are checked."""
    if is_remote_url(value):
        if not urlsplit(value).netloc:
            raise Refused(field, value[:80], "URL has no host")
        return None
    if value.startswith("data:"):
        return check_data_url(value, field=field)
    raise Refused(field, value[:80], "must be a public http(s) URL or a data URL")


def check_callback_url(body: Mapping[str, Any]) -> str | None:
    url = body.get("callback_url")
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise Refused("callback_url", url[:200], "must be an http(s) URL")
    return str(url)


def _check_subject_items(items: list[Any]) -> None:
    for index, item in enumerate(items):
        where = f"subject_reference[{index}]"
        if not isinstance(item, dict):
            raise Refused(where, item, "must be an object {type, image}")
        images = item.get("image")
        if isinstance(images, list):
            for pos, image in enumerate(images):
                if not isinstance(image, str):
                    raise Refused(f"{where}.image[{pos}]", image, "must be a string")


_MODE_NAMES = {
    "t2v": "text-to-video",
    "i2v": "image-to-video (first_frame_image)",
    "fl2v": "first+last frame (first_frame_image + last_frame_image)",
    "s2v": "subject reference (subject_reference)",
}


def _mode(*, first_frame: bool, last_frame: bool, subject_reference: bool) -> str:
    if subject_reference:
        if first_frame or last_frame:
            raise Refused(
                "subject_reference",
                "<set>",
                "cannot be combined with first_frame_image or last_frame_image",
            )
        return "s2v"
    if last_frame:
        # §13.10: first_frame_image is missing from FL2V's required list, but the page
        # calls it the first frame; a last frame alone is refused.
        if not first_frame:
            raise Refused("first_frame_image", None, "required when last_frame_image is given")
        return "fl2v"
    return "i2v" if first_frame else "t2v"


def _check_params(
    *,
    model: str,
    prompt: str | None,
    duration: int | None,
    resolution: str | None,
    first_frame: bool,
    last_frame: bool,
    subject_reference: list[Any] | None,
) -> tuple[str, str, int]:
    """Model x mode, prompt, resolution x duration (§3.1-3.3): (mode, resolution, duration)."""
    if model in V2_MODELS:
        raise Refused("model", model, "is a V2 model, served by /v2/video_generation only")
    if model not in tables.MODELS:
        raise Refused("model", model, f"unknown model; must be one of {sorted(tables.MODELS)}")
    mode = _mode(
        first_frame=first_frame,
        last_frame=last_frame,
        subject_reference=subject_reference is not None,
    )
    rule = tables.rule_for(model, mode)
    if rule is None:
        able = sorted(name for (m, name) in tables.RULES if m == mode)
        raise Refused(
            "model", model, f"does not support {_MODE_NAMES[mode]}; models that do: {able}"
        )
    if mode == "t2v" and not (prompt and prompt.strip()):
        raise Refused("prompt", prompt, "required for text-to-video")
    if prompt is not None and len(prompt) > tables.PROMPT_MAX_CHARS:
        raise Refused(
            "prompt",
            prompt,
            f"is {len(prompt)} characters; at most {tables.PROMPT_MAX_CHARS} allowed",
        )
    if subject_reference is not None:
        _check_subject_reference(subject_reference)
    res = rule.default_resolution if resolution is None else resolution
    if res not in rule.durations:
        raise Refused(
            "resolution", res, f"{model} {_MODE_NAMES[mode]} supports {list(rule.durations)}"
        )
    dur = rule.default_duration if duration is None else duration
    if dur not in rule.durations[res]:
        allowed = sorted(rule.durations[res])
        raise Refused("duration", dur, f"{model} at {res} supports durations {allowed} seconds")
    return mode, res, dur


def _check_subject_reference(items: list[Any]) -> None:
    if len(items) != 1:
        raise Refused(
            "subject_reference", f"<{len(items)} items>", "exactly one subject is supported"
        )
    item = items[0]
    if item.get("type") != "character":
        raise Refused("subject_reference[0].type", item.get("type"), "must be 'character'")
    images = item.get("image")
    if not isinstance(images, list) or len(images) != 1:
        raise Refused(
            "subject_reference[0].image", images, "must be a list holding exactly one image"
        )


def check_video_body(body: Mapping[str, Any]) -> CheckedVideo:
    """Check a ``POST /v1/video_generation`` body in the order a client would fix it."""
    check_types(body, _VIDEO_FIELDS)
    model = body.get("model")
    if model is None:
        raise Refused("model", None, "required")
    subjects = body.get("subject_reference")
    if subjects is not None:
        _check_subject_items(subjects)
    mode, resolution, duration = _check_params(
        model=model,
        prompt=body.get("prompt"),
        duration=body.get("duration"),
        resolution=body.get("resolution"),
        first_frame=body.get("first_frame_image") is not None,
        last_frame=body.get("last_frame_image") is not None,
        subject_reference=subjects,
    )
    first = body.get("first_frame_image")
    first_info = _check_image(first, field="first_frame_image") if first is not None else None
    last = body.get("last_frame_image")
    if last is not None:
        _check_image(last, field="last_frame_image")
    if subjects is not None:
        _check_image(subjects[0]["image"][0], field="subject_reference[0].image[0]")
    return CheckedVideo(mode, resolution, duration, first_info, check_callback_url(body))


def _check_values(body: Mapping[str, Any], name: str) -> list[str]:
    items = body.get(name) or []
    values: list[str] = []
    for index, item in enumerate(items):
        value = item.get("value") if isinstance(item, dict) else None
        if not isinstance(value, str) or not value.strip():
            raise Refused(
                f"{name}[{index}].value", item, "must be an object with a non-empty string value"
            )
        values.append(value)
    return values


def check_agent_body(body: Mapping[str, Any], *, region: str) -> CheckedAgent:
    """Check a ``POST /v1/video_template_generation`` body against ``region``'s catalogue."""
    if isinstance(body.get("template_id"), int) and not isinstance(body["template_id"], bool):
        raise Refused(
            "template_id",
            body["template_id"],
            "must be a string: 18-digit ids do not survive a JSON number",
        )
    check_types(body, _AGENT_FIELDS)
    template_id = body.get("template_id")
    if template_id is None:
        raise Refused("template_id", None, "required")
    template = tables.template(template_id, region)
    if template is None:
        raise Refused(
            "template_id", template_id, f"not in the {region} Video Agent template catalogue"
        )
    texts = _check_values(body, "text_inputs")
    media = _check_values(body, "media_inputs")
    if template.needs_text and not texts:
        raise Refused(
            "text_inputs", body.get("text_inputs"), f"required by template {template.name!r}"
        )
    if template.needs_media and not media:
        raise Refused(
            "media_inputs", body.get("media_inputs"), f"required by template {template.name!r}"
        )
    for index, value in enumerate(media):
        _check_image(value, field=f"media_inputs[{index}].value")
    return CheckedAgent(template, check_callback_url(body))


def choose_failure(
    body: Mapping[str, Any], config: EmulatorConfig, rng: random.Random
) -> int | None:
    """The code (1026/1027) this task will fail with, or None: ``fail_when``, a marker,
    then ``failure_rate``. Shared by V1 and V2 creates."""
    if config.fail_when is not None:
        code = config.fail_when(body)
        if code is not None:
            return code if code in (1026, 1027) else config.failure_code
    code = marker_failure(body)
    if code is not None:
        return code
    if config.failure_rate and rng.random() < config.failure_rate:
        return config.failure_code
    return None


def marker_failure(body: Mapping[str, Any]) -> int | None:
    """The failure code a :data:`FAIL_MARKERS` marker in the body's texts asks for:
    a V1 prompt, agent text inputs, or V2 text items."""
    texts: list[str] = []
    if isinstance(body.get("prompt"), str):
        texts.append(body["prompt"])
    for name, key in (("text_inputs", "value"), ("content", "text")):
        items = body.get(name)
        for item in items if isinstance(items, list) else ():
            if isinstance(item, dict) and isinstance(item.get(key), str):
                texts.append(item[key])
    for marker, code in FAIL_MARKERS.items():
        if any(marker in text for text in texts):
            return code
    return None
