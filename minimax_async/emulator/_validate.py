"""Create-request checks: raw JSON types first, then the shared rules of the reference.

Everything here raises :class:`InvalidInputError`; the app turns it into base_resp 2013
with ``status_msg`` ``"invalid params, <field>=<value>: <rule>"``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from minimax_async._catalog import Template, template_by_id
from minimax_async._exceptions import InvalidInputError
from minimax_async._images import ImageInfo, check_data_url, is_remote_url
from minimax_async._rules import CheckedParams, check_video_params
from minimax_async.emulator._config import FAIL_MARKERS

__all__ = (
    "CheckedAgent",
    "CheckedVideo",
    "check_agent_body",
    "check_video_body",
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

    params: CheckedParams
    first_frame: ImageInfo | None
    callback_url: str | None


@dataclass(frozen=True)
class CheckedAgent:
    """A Video Agent create body that passed every rule."""

    template: Template
    callback_url: str | None


def parse_json_body(raw: bytes) -> dict[str, Any]:
    """The body as a JSON object, or InvalidInputError naming ``body``."""
    if not raw.strip():
        raise InvalidInputError("body", "<empty>", "a JSON object is required")
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        # ValueError covers JSONDecodeError and UnicodeDecodeError.
        raise InvalidInputError("body", f"<{len(raw)} bytes>", f"not valid JSON ({exc})") from None
    if not isinstance(value, dict):
        raise InvalidInputError("body", type(value).__name__, "must be a JSON object")
    return value


def _check_types(body: Mapping[str, Any], fields: Mapping[str, type | tuple[type, ...]]) -> None:
    for name, kind in fields.items():
        value = body.get(name)
        if value is None:
            continue
        # JSON true/false parse to bool, a subclass of int: never an integer here.
        wrong = isinstance(value, bool) and kind is not bool
        if wrong or not isinstance(value, kind):
            expected = _JSON_NAMES.get(kind, str(kind)) if isinstance(kind, type) else str(kind)
            raise InvalidInputError(name, value, f"must be {expected}")


def _check_image(value: str, *, field: str) -> ImageInfo | None:
    """Remote URLs are accepted unseen (nothing here can fetch them); data URLs are checked."""
    if is_remote_url(value):
        if not urlsplit(value).netloc:
            raise InvalidInputError(field, value[:80], "URL has no host")
        return None
    if value.startswith("data:"):
        return check_data_url(value, field=field)
    raise InvalidInputError(field, value[:80], "must be a public http(s) URL or a data URL")


def _check_callback_url(body: Mapping[str, Any]) -> str | None:
    url = body.get("callback_url")
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidInputError("callback_url", url[:200], "must be an http(s) URL")
    return str(url)


def _check_subject_items(items: list[Any]) -> None:
    for index, item in enumerate(items):
        where = f"subject_reference[{index}]"
        if not isinstance(item, dict):
            raise InvalidInputError(where, item, "must be an object {type, image}")
        images = item.get("image")
        if isinstance(images, list):
            for pos, image in enumerate(images):
                if not isinstance(image, str):
                    raise InvalidInputError(f"{where}.image[{pos}]", image, "must be a string")


def check_video_body(body: Mapping[str, Any]) -> CheckedVideo:
    """Check a ``POST /v1/video_generation`` body in the order a client would fix it."""
    _check_types(body, _VIDEO_FIELDS)
    model = body.get("model")
    if model is None:
        raise InvalidInputError("model", None, "required")
    subjects = body.get("subject_reference")
    if subjects is not None:
        _check_subject_items(subjects)
    params = check_video_params(
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
    return CheckedVideo(params, first_info, _check_callback_url(body))


def _check_values(body: Mapping[str, Any], name: str) -> list[str]:
    items = body.get(name) or []
    values: list[str] = []
    for index, item in enumerate(items):
        value = item.get("value") if isinstance(item, dict) else None
        if not isinstance(value, str) or not value.strip():
            raise InvalidInputError(
                f"{name}[{index}].value", item, "must be an object with a non-empty string value"
            )
        values.append(value)
    return values


def check_agent_body(body: Mapping[str, Any], *, region: str) -> CheckedAgent:
    """Check a ``POST /v1/video_template_generation`` body against ``region``'s catalogue."""
    if isinstance(body.get("template_id"), int) and not isinstance(body["template_id"], bool):
        raise InvalidInputError(
            "template_id",
            body["template_id"],
            "must be a string: 18-digit ids do not survive a JSON number",
        )
    _check_types(body, _AGENT_FIELDS)
    template_id = body.get("template_id")
    if template_id is None:
        raise InvalidInputError("template_id", None, "required")
    template = template_by_id(template_id, region)
    if template is None:
        raise InvalidInputError(
            "template_id", template_id, f"not in the {region} Video Agent template catalogue"
        )
    texts = _check_values(body, "text_inputs")
    media = _check_values(body, "media_inputs")
    if template.needs_text and not texts:
        raise InvalidInputError(
            "text_inputs", body.get("text_inputs"), f"required by template {template.name!r}"
        )
    if template.needs_media and not media:
        raise InvalidInputError(
            "media_inputs", body.get("media_inputs"), f"required by template {template.name!r}"
        )
    for index, value in enumerate(media):
        _check_image(value, field=f"media_inputs[{index}].value")
    return CheckedAgent(template, _check_callback_url(body))


def marker_failure(body: Mapping[str, Any]) -> int | None:
    """The failure code a :data:`FAIL_MARKERS` marker in the prompt or text inputs asks for."""
    texts: list[str] = []
    if isinstance(body.get("prompt"), str):
        texts.append(body["prompt"])
    for item in body.get("text_inputs") or []:
        if isinstance(item, dict) and isinstance(item.get("value"), str):
            texts.append(item["value"])
    for marker, code in FAIL_MARKERS.items():
        if any(marker in text for text in texts):
            return code
    return None
