"""The create-request rules of reference §3, shared by the client and the emulator.

The client calls :func:`check_video_params` before spending a request; the emulator
calls it on what arrives and answers 2013 with the same message. Image bytes are
checked separately (``_images``), since the client and the emulator get them in
different forms.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from minimax_async._catalog import MAX_PROMPT_CHARS, MODEL_MODES, Mode, ModeRules, mode_rules
from minimax_async._exceptions import InvalidInputError

__all__ = ("DEFAULT_MODELS", "CheckedParams", "check_video_params", "detect_mode")

#: The model used when none is given, per mode: the newest model offering that mode
#: (Hailuo-2.3 has no first+last frame mode; only S2V-01 takes a subject reference).
DEFAULT_MODELS = {
    Mode.TEXT_TO_VIDEO: "MiniMax-Hailuo-2.3",
    Mode.IMAGE_TO_VIDEO: "MiniMax-Hailuo-2.3",
    Mode.FIRST_LAST_FRAME: "MiniMax-Hailuo-02",
    Mode.SUBJECT_REFERENCE: "S2V-01",
}

_MODE_NAMES = {
    Mode.TEXT_TO_VIDEO: "text-to-video",
    Mode.IMAGE_TO_VIDEO: "image-to-video (first_frame_image)",
    Mode.FIRST_LAST_FRAME: "first+last frame (first_frame_image + last_frame_image)",
    Mode.SUBJECT_REFERENCE: "subject reference (subject_reference)",
}


class CheckedParams(NamedTuple):
    """A request that passed every rule, with the defaults it will get filled in."""

    model: str
    mode: Mode
    rules: ModeRules
    resolution: str
    duration: int


def detect_mode(*, first_frame: bool, last_frame: bool, subject_reference: bool) -> Mode:
    """The mode implied by which image fields are present."""
    if subject_reference:
        if first_frame or last_frame:
            raise InvalidInputError(
                "subject_reference",
                "<set>",
                "cannot be combined with first_frame_image or last_frame_image",
            )
        return Mode.SUBJECT_REFERENCE
    if last_frame:
        # The spec leaves first_frame_image out of FL2V's required list (reference §13.10),
        # but the page describes it as the first frame: a last frame alone is refused.
        if not first_frame:
            raise InvalidInputError(
                "first_frame_image", None, "required when last_frame_image is given"
            )
        return Mode.FIRST_LAST_FRAME
    return Mode.IMAGE_TO_VIDEO if first_frame else Mode.TEXT_TO_VIDEO


def check_video_params(
    *,
    model: str | None,
    prompt: str | None,
    duration: int | None,
    resolution: str | None,
    first_frame: bool,
    last_frame: bool,
    subject_reference: Sequence[Any] | None,
) -> CheckedParams:
    """Check model x mode, prompt, duration x resolution and subject_reference shape.

    ``model=None`` takes the mode's default model (:data:`DEFAULT_MODELS`).
    """
    mode = detect_mode(
        first_frame=first_frame,
        last_frame=last_frame,
        subject_reference=subject_reference is not None,
    )
    if model is None:
        model = DEFAULT_MODELS[mode]
    if model not in MODEL_MODES:
        raise InvalidInputError(
            "model", model, f"unknown model; must be one of {sorted(MODEL_MODES)}"
        )
    rules = mode_rules(model, mode)
    if rules is None:
        able = sorted(name for name, modes in MODEL_MODES.items() if mode in modes)
        raise InvalidInputError(
            "model", model, f"does not support {_MODE_NAMES[mode]}; models that do: {able}"
        )
    if mode is Mode.TEXT_TO_VIDEO and not (prompt and prompt.strip()):
        raise InvalidInputError("prompt", prompt, "required for text-to-video")
    if prompt is not None and len(prompt) > MAX_PROMPT_CHARS:
        raise InvalidInputError(
            "prompt", prompt, f"is {len(prompt)} characters; at most {MAX_PROMPT_CHARS} allowed"
        )
    if subject_reference is not None:
        _check_subject_reference(subject_reference)
    res = rules.default_resolution if resolution is None else resolution
    if res not in rules.durations:
        raise InvalidInputError(
            "resolution", res, f"{model} {_MODE_NAMES[mode]} supports {list(rules.resolutions)}"
        )
    dur = rules.default_duration if duration is None else duration
    if dur not in rules.durations[res]:
        allowed = sorted(rules.durations[res])
        raise InvalidInputError(
            "duration", dur, f"{model} at {res} supports durations {allowed} seconds"
        )
    return CheckedParams(model, mode, rules, res, dur)


def _check_subject_reference(items: Sequence[Any]) -> None:
    if len(items) != 1:
        raise InvalidInputError(
            "subject_reference", f"<{len(items)} items>", "exactly one subject is supported"
        )
    item = items[0]
    kind = item.get("type") if isinstance(item, dict) else getattr(item, "type", None)
    images = item.get("image") if isinstance(item, dict) else getattr(item, "image", None)
    if kind != "character":
        raise InvalidInputError("subject_reference[0].type", kind, "must be 'character'")
    if not isinstance(images, list) or len(images) != 1:
        raise InvalidInputError(
            "subject_reference[0].image", images, "must be a list holding exactly one image"
        )
