"""The create-request rules of reference §3, as the client and the emulator share them."""

from __future__ import annotations

import pytest

from minimax_async import InvalidInputError, Mode
from minimax_async._catalog import MODEL_MODES, TEMPLATES, mode_rules, template_by_id
from minimax_async._rules import CheckedParams, check_video_params


def check(**overrides: object) -> CheckedParams:
    params: dict[str, object] = {
        "model": "MiniMax-Hailuo-02",
        "prompt": "a lighthouse at dusk",
        "duration": None,
        "resolution": None,
        "first_frame": False,
        "last_frame": False,
        "subject_reference": None,
    }
    params.update(overrides)
    return check_video_params(**params)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("model", "mode"),
    [
        ("MiniMax-Hailuo-2.3", Mode.TEXT_TO_VIDEO),
        ("MiniMax-Hailuo-2.3", Mode.IMAGE_TO_VIDEO),
        ("MiniMax-Hailuo-2.3-Fast", Mode.IMAGE_TO_VIDEO),
        ("MiniMax-Hailuo-02", Mode.TEXT_TO_VIDEO),
        ("MiniMax-Hailuo-02", Mode.IMAGE_TO_VIDEO),
        ("MiniMax-Hailuo-02", Mode.FIRST_LAST_FRAME),
        ("T2V-01-Director", Mode.TEXT_TO_VIDEO),
        ("T2V-01", Mode.TEXT_TO_VIDEO),
        ("I2V-01-Director", Mode.IMAGE_TO_VIDEO),
        ("I2V-01-live", Mode.IMAGE_TO_VIDEO),
        ("I2V-01", Mode.IMAGE_TO_VIDEO),
        ("S2V-01", Mode.SUBJECT_REFERENCE),
    ],
)
def test_every_documented_model_mode_pair_is_accepted(model: str, mode: Mode) -> None:
    table: dict[Mode, dict[str, object]] = {
        Mode.TEXT_TO_VIDEO: {},
        Mode.IMAGE_TO_VIDEO: {"first_frame": True},
        Mode.FIRST_LAST_FRAME: {"first_frame": True, "last_frame": True},
        Mode.SUBJECT_REFERENCE: {"subject_reference": [{"type": "character", "image": ["u"]}]},
    }
    checked = check(model=model, **table[mode])
    assert checked.mode is mode


def test_the_table_has_exactly_twelve_model_mode_pairs() -> None:
    assert sum(len(modes) for modes in MODEL_MODES.values()) == 12


@pytest.mark.parametrize(
    ("model", "flags", "needle"),
    [
        ("MiniMax-Hailuo-2.3-Fast", {}, "text-to-video"),
        ("T2V-01", {"first_frame": True}, "image-to-video"),
        ("MiniMax-Hailuo-2.3", {"first_frame": True, "last_frame": True}, "first+last"),
        (
            "MiniMax-Hailuo-02",
            {"subject_reference": [{"type": "character", "image": ["u"]}]},
            "subject",
        ),
        ("S2V-01", {}, "text-to-video"),
    ],
)
def test_model_without_the_mode_is_refused_naming_model(
    model: str, flags: dict[str, object], needle: str
) -> None:
    with pytest.raises(InvalidInputError) as info:
        check(model=model, **flags)
    assert info.value.field == "model"
    assert info.value.value == model
    assert needle in info.value.rule


def test_unknown_model_lists_the_known_ones() -> None:
    with pytest.raises(InvalidInputError) as info:
        check(model="video-02")
    assert info.value.field == "model"
    assert "MiniMax-Hailuo-02" in info.value.rule


def test_text_to_video_needs_a_prompt() -> None:
    with pytest.raises(InvalidInputError) as info:
        check(prompt="   ")
    assert info.value.field == "prompt"


def test_image_modes_do_not_need_a_prompt() -> None:
    assert check(prompt=None, first_frame=True).mode in Mode


def test_prompt_limit_is_2000_characters() -> None:
    assert check(prompt="x" * 2000).mode in Mode
    with pytest.raises(InvalidInputError) as info:
        check(prompt="x" * 2001)
    assert info.value.field == "prompt"
    assert "2001" in info.value.rule


@pytest.mark.parametrize(
    ("model", "flags", "resolution", "duration", "ok"),
    [
        ("MiniMax-Hailuo-02", {}, "768P", 10, True),
        ("MiniMax-Hailuo-02", {}, "1080P", 6, True),
        ("MiniMax-Hailuo-02", {}, "1080P", 10, False),
        ("MiniMax-Hailuo-02", {}, "512P", 6, False),
        ("MiniMax-Hailuo-02", {"first_frame": True}, "512P", 10, True),
        ("MiniMax-Hailuo-02", {"first_frame": True, "last_frame": True}, "512P", 6, False),
        ("MiniMax-Hailuo-2.3", {}, "720P", 6, False),
        ("T2V-01", {}, "720P", 6, True),
        ("T2V-01", {}, "720P", 10, False),
        ("T2V-01", {}, "1080P", 6, False),
        ("I2V-01-live", {"first_frame": True}, "768P", 6, False),
        ("MiniMax-Hailuo-2.3-Fast", {"first_frame": True}, "768P", 10, True),
    ],
)
def test_duration_by_resolution(
    model: str, flags: dict[str, object], resolution: str, duration: int, ok: bool
) -> None:
    if ok:
        assert check(model=model, resolution=resolution, duration=duration, **flags).mode in Mode
        return
    with pytest.raises(InvalidInputError) as info:
        check(model=model, resolution=resolution, duration=duration, **flags)
    assert info.value.field in {"resolution", "duration"}


def test_defaults_are_filled_from_the_table() -> None:
    checked = check()
    assert (checked.resolution, checked.duration) == ("768P", 6)
    checked = check(model="T2V-01")
    assert (checked.resolution, checked.duration) == ("720P", 6)


def test_last_frame_alone_is_refused_naming_first_frame() -> None:
    with pytest.raises(InvalidInputError) as info:
        check(last_frame=True)
    assert info.value.field == "first_frame_image"


@pytest.mark.parametrize(
    ("subject", "field"),
    [
        ([], "subject_reference"),
        ([{"type": "character", "image": ["a"]}] * 2, "subject_reference"),
        ([{"type": "object", "image": ["a"]}], "subject_reference[0].type"),
        ([{"type": "character", "image": ["a", "b"]}], "subject_reference[0].image"),
        ([{"type": "character", "image": "a"}], "subject_reference[0].image"),
    ],
)
def test_subject_reference_shape(subject: list[object], field: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        check(model="S2V-01", subject_reference=subject)
    assert info.value.field == field


def test_subject_reference_cannot_mix_with_frames() -> None:
    with pytest.raises(InvalidInputError) as info:
        check(
            model="S2V-01",
            first_frame=True,
            subject_reference=[{"type": "character", "image": ["a"]}],
        )
    assert info.value.field == "subject_reference"


def test_template_catalogue_by_region() -> None:
    diving_global = template_by_id("392747428568649728", "global")
    assert diving_global is not None
    assert diving_global.required_inputs == ("media_inputs",)
    assert template_by_id("392747428568649728", "cn") is None
    assert template_by_id("392753057216684038", "cn") is not None
    run = template_by_id("393769180141805569", "global")
    assert run is not None
    assert run.required_inputs == ("media_inputs", "text_inputs")
    assert all(len(t.template_id) == 18 and t.template_id.isdigit() for t in TEMPLATES)
    assert {t.region for t in TEMPLATES} == {"global", "cn"}
    assert len([t for t in TEMPLATES if t.region == "global"]) == 16
    assert len([t for t in TEMPLATES if t.region == "cn"]) == 11


def test_mode_rules_lookup_misses_cleanly() -> None:
    assert mode_rules("nope", Mode.TEXT_TO_VIDEO) is None
    assert mode_rules("S2V-01", Mode.TEXT_TO_VIDEO) is None
