"""The emulator's V1 tables and the SDK's are two transcriptions of one reference.

Each side is flattened into cells (a key naming the row and column, and a value); any
cell present on one side only, or valued differently, is named. Today they agree; the
last tests prove the comparison would catch a drift.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import pytest

from minimax_async import _catalog, _rules  # noqa: F401  (_rules pins that they load together)
from minimax_async.emulator import _v1_tables

Cells = Mapping[tuple[str, ...], Any]


def sdk_cells() -> dict[tuple[str, ...], Any]:
    cells: dict[tuple[str, ...], Any] = {}
    for model, modes in _catalog.MODEL_MODES.items():
        for mode, rules in modes.items():
            for resolution, durations in rules.durations.items():
                cells[("durations", model, mode.value, resolution)] = sorted(durations)
            cells[("default", model, mode.value)] = (
                rules.default_resolution,
                rules.default_duration,
            )
    for resolution, size in _catalog.RESOLUTION_PIXELS.items():
        cells[("pixels", resolution)] = tuple(size)
    for template in _catalog.TEMPLATES:
        cells[("template", template.region, template.template_id)] = (
            template.name,
            template.needs_media,
            template.needs_text,
        )
    cells[("prompt", "max chars")] = _catalog.MAX_PROMPT_CHARS
    cells[("image", "max bytes")] = _catalog.MAX_IMAGE_BYTES
    cells[("image", "min short side")] = _catalog.MIN_IMAGE_SHORT_SIDE
    cells[("image", "aspect range")] = (_catalog.MIN_ASPECT, _catalog.MAX_ASPECT)
    cells[("image", "formats")] = tuple(sorted(_catalog.IMAGE_FORMATS))
    return cells


def emulator_cells(tables: Any = _v1_tables) -> dict[tuple[str, ...], Any]:
    cells: dict[tuple[str, ...], Any] = {}
    for (mode, model), rule in tables.RULES.items():
        for resolution, durations in rule.durations.items():
            cells[("durations", model, mode, resolution)] = sorted(durations)
        cells[("default", model, mode)] = (rule.default_resolution, rule.default_duration)
    for resolution, size in tables.RESOLUTION_PIXELS.items():
        cells[("pixels", resolution)] = tuple(size)
    for (region, template_id), template in tables.TEMPLATES.items():
        cells[("template", region, template_id)] = (
            template.name,
            template.needs_media,
            template.needs_text,
        )
    cells[("prompt", "max chars")] = tables.PROMPT_MAX_CHARS
    cells[("image", "max bytes")] = tables.IMAGE_MAX_BYTES
    cells[("image", "min short side")] = tables.IMAGE_MIN_SHORT_SIDE
    cells[("image", "aspect range")] = (tables.IMAGE_MIN_ASPECT, tables.IMAGE_MAX_ASPECT)
    cells[("image", "formats")] = tuple(sorted(tables.IMAGE_FORMATS))
    return cells


def disagreements(emulator: Cells, sdk: Cells) -> list[str]:
    """One line per differing cell, naming it and both values."""
    lines = []
    for key in sorted(set(emulator) | set(sdk)):
        where = " / ".join(key)
        if key not in sdk:
            lines.append(f"{where}: emulator {emulator[key]!r}, SDK has no such cell")
        elif key not in emulator:
            lines.append(f"{where}: SDK {sdk[key]!r}, emulator has no such cell")
        elif emulator[key] != sdk[key]:
            lines.append(f"{where}: emulator {emulator[key]!r} != SDK {sdk[key]!r}")
    return lines


def test_the_emulator_and_the_sdk_agree_on_every_cell() -> None:
    found = disagreements(emulator_cells(), sdk_cells())
    assert not found, "the V1 tables disagree:\n" + "\n".join(found)


def test_the_comparison_covers_every_table() -> None:
    kinds = {key[0] for key in emulator_cells()}
    assert kinds == {"durations", "default", "pixels", "template", "prompt", "image"}
    # 12 (mode, model) rows, 27 templates: nothing was silently skipped.
    assert sum(1 for key in emulator_cells() if key[0] == "default") == 12
    assert sum(1 for key in emulator_cells() if key[0] == "template") == 27


class _Altered:
    """A copy of the emulator's tables with deliberate mistakes in it."""

    def __init__(self) -> None:
        for name in dir(_v1_tables):
            if name.isupper():
                setattr(self, name, getattr(_v1_tables, name))
        rules = dict(_v1_tables.RULES)
        hailuo = rules[("i2v", "MiniMax-Hailuo-02")]
        rules[("i2v", "MiniMax-Hailuo-02")] = dataclasses.replace(
            hailuo, durations={**hailuo.durations, "1080P": frozenset({6, 10})}
        )
        del rules[("t2v", "T2V-01")]
        self.RULES = rules
        self.PROMPT_MAX_CHARS = 1500
        templates = dict(_v1_tables.TEMPLATES)
        key = ("cn", "393857704283172864")
        templates[("cn", "393857704283172856")] = templates.pop(key)
        self.TEMPLATES = templates


def test_a_drift_is_named_cell_by_cell() -> None:
    found = disagreements(emulator_cells(_Altered()), sdk_cells())
    assert found == [
        "default / T2V-01 / t2v: SDK ('720P', 6), emulator has no such cell",
        "durations / MiniMax-Hailuo-02 / i2v / 1080P: emulator [6, 10] != SDK [6]",
        "durations / T2V-01 / t2v / 720P: SDK [6], emulator has no such cell",
        "prompt / max chars: emulator 1500 != SDK 2000",
        "template / cn / 393857704283172856: emulator ('情书写真 Winter-snow portrait', True,"
        " False), SDK has no such cell",
        "template / cn / 393857704283172864: SDK ('情书写真 Winter-snow portrait', True,"
        " False), emulator has no such cell",
    ]


def test_the_agreement_test_fails_on_a_drift() -> None:
    found = disagreements(emulator_cells(_Altered()), sdk_cells())
    with pytest.raises(AssertionError, match="prompt / max chars: emulator 1500 != SDK 2000"):
        assert not found, "\n".join(found)
