"""What the V1 API accepts, transcribed from the V1 reference (minimax-api.md) row by row.

The emulator keeps its own copy on purpose: the SDK checks requests against its tables
before paying, the emulator against these, and ``tests/emulator/test_rule_tables.py``
names every cell where the two disagree. A wrong cell shared by both would pass
unseen; two transcriptions make a drift visible.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = (
    "IMAGE_FORMATS",
    "IMAGE_MAX_ASPECT",
    "IMAGE_MAX_BYTES",
    "IMAGE_MIN_ASPECT",
    "IMAGE_MIN_SHORT_SIDE",
    "MODELS",
    "MODES",
    "PROMPT_MAX_CHARS",
    "RESOLUTION_PIXELS",
    "RULES",
    "TEMPLATES",
    "ModeRule",
    "V1Template",
    "rule_for",
    "template",
)

# §3.1: prompt "≤ 2000 characters".
PROMPT_MAX_CHARS = 2000
# §3.4: "< 20 MB", "short side > 300 px", aspect "strictly between 2:5 and 5:2",
# formats JPG/JPEG/PNG/WebP.
IMAGE_MAX_BYTES = 20 * 1024 * 1024
IMAGE_MIN_SHORT_SIDE = 300
IMAGE_MIN_ASPECT = 2 / 5
IMAGE_MAX_ASPECT = 5 / 2
IMAGE_FORMATS = ("jpeg", "png", "webp")

#: Short mode names, as MiniMax's docs abbreviate them.
MODES = ("t2v", "i2v", "fl2v", "s2v")


@dataclass(frozen=True)
class ModeRule:
    """One row of §3.3: resolution -> allowed durations, and the defaults."""

    durations: Mapping[str, frozenset[int]]
    default_resolution: str
    default_duration: int = 6


def _row(default: str, **cells: tuple[int, ...]) -> ModeRule:
    # Keyword names can't start with a digit: r768P means "768P".
    return ModeRule({k[1:]: frozenset(v) for k, v in cells.items()}, default)


# §3.2 (which models offer which mode) x §3.3 (duration x resolution), one row per
# (mode, model). The 01-series rows follow the resolution table (720P, 6 s only), not
# the duration table's contradictory "6 at 1080P" (§13.8). S2V-01's size is
# undocumented: 720P and 1080P are both accepted, 6 s only (§13.9).
_ROWS: tuple[tuple[str, str, ModeRule], ...] = (
    ("t2v", "MiniMax-Hailuo-2.3", _row("768P", r768P=(6, 10), r1080P=(6,))),
    ("t2v", "MiniMax-Hailuo-02", _row("768P", r768P=(6, 10), r1080P=(6,))),
    ("t2v", "T2V-01", _row("720P", r720P=(6,))),
    ("t2v", "T2V-01-Director", _row("720P", r720P=(6,))),
    ("i2v", "MiniMax-Hailuo-2.3", _row("768P", r768P=(6, 10), r1080P=(6,))),
    ("i2v", "MiniMax-Hailuo-2.3-Fast", _row("768P", r768P=(6, 10), r1080P=(6,))),
    ("i2v", "MiniMax-Hailuo-02", _row("768P", r512P=(6, 10), r768P=(6, 10), r1080P=(6,))),
    ("i2v", "I2V-01", _row("720P", r720P=(6,))),
    ("i2v", "I2V-01-Director", _row("720P", r720P=(6,))),
    ("i2v", "I2V-01-live", _row("720P", r720P=(6,))),
    ("fl2v", "MiniMax-Hailuo-02", _row("768P", r768P=(6, 10), r1080P=(6,))),
    ("s2v", "S2V-01", _row("720P", r720P=(6,), r1080P=(6,))),
)

RULES: Mapping[tuple[str, str], ModeRule] = {(mode, model): rule for mode, model, rule in _ROWS}
MODELS: frozenset[str] = frozenset(model for _, model, _ in _ROWS)


def rule_for(model: str, mode: str) -> ModeRule | None:
    """The §3.3 row for ``model`` in ``mode``; None when the model lacks that mode."""
    return RULES.get((mode, model))


# §3.3 pixel sizes of text-to-video output: 768P and 1080P documented, 720P from an
# example; 512P undocumented, taken as 16:9 with a 512 px short side.
RESOLUTION_PIXELS: Mapping[str, tuple[int, int]] = {
    "512P": (912, 512),
    "720P": (1280, 720),
    "768P": (1366, 768),
    "1080P": (1920, 1080),
}


@dataclass(frozen=True)
class V1Template:
    """One row of §6.3: a Video Agent template and the inputs it requires."""

    template_id: str
    name: str
    region: str
    needs_media: bool
    needs_text: bool


_M, _T, _MT = (True, False), (False, True), (True, True)

# §6.3, global then China. Winter portrait: the China docs' ...864 (exact as a float64),
# not the skills file's ...856.
_TEMPLATE_ROWS: tuple[tuple[str, str, str, tuple[bool, bool]], ...] = (
    ("global", "392747428568649728", "Diving", _M),
    ("global", "393769180141805569", "Run for Life", _MT),
    ("global", "397087679467597833", "Transformers", _M),
    ("global", "393881433990066176", "Still rings routine", _M),
    ("global", "393498001241890824", "Weightlifting", _M),
    ("global", "393488336655310850", "Climbing", _M),
    ("global", "394514820878671878", "Anime Life Sim", _T),
    ("global", "393879757702918151", "McDonald's Delivery Pet", _M),
    ("global", "397017167949312007", "Pet Pilot", _M),
    ("global", "394176968202485769", "Miniature Set Ad", _M),
    ("global", "393876118804459526", "Male Model Try-On Ad", _M),
    ("global", "393866076583718914", "Female Model Try-On Ad", _M),
    ("global", "394875727173492739", "Art Fonts", _T),
    ("global", "394220989629177861", "Drinkfall", _M),
    ("global", "393853165953970178", "E-commerce Display Ad", _T),
    ("global", "401431836934868999", "3D character product presentation", _MT),
    ("cn", "392753057216684038", "跳水 Diving", _M),
    ("cn", "393881433990066176", "吊环 Still rings", _M),
    ("cn", "393769180141805569", "绝地求生 Survival", _MT),
    ("cn", "394246956137422856", "万物皆可 labubu", _M),
    ("cn", "393879757702918151", "麦当劳宠物外卖员 McDonald's pet courier", _M),
    ("cn", "393766210733957121", "藏族风写真 Tibetan-style portrait", _M),
    ("cn", "394125185182695432", "生无可恋 Helpless moments", _T),
    ("cn", "393857704283172864", "情书写真 Winter-snow portrait", _M),
    ("cn", "393866076583718914", "女模特试穿广告 Female try-on ad", _M),
    ("cn", "398574688191234048", "四季写真 Four-seasons portrait", _M),
    ("cn", "393876118804459526", "男模特试穿广告 Male try-on ad", _M),
)

TEMPLATES: Mapping[tuple[str, str], V1Template] = {
    (region, tid): V1Template(tid, name, region, media, text)
    for region, tid, name, (media, text) in _TEMPLATE_ROWS
}


def template(template_id: str, region: str) -> V1Template | None:
    """The template ``template_id`` in ``region``'s catalogue, if listed there."""
    return TEMPLATES.get((region, template_id))
