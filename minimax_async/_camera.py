"""Camera-movement commands: the 15 documented moves and a helper to combine them.

Moves go inside the prompt in square brackets. Several moves in one bracket act at
once (``[Pan left,Pedestal up]``, at most three recommended); brackets in sequence act
in order. MiniMax also understands free text, and its own docs use moves outside the
list, so unknown commands only warn: they are never refused.
"""

from __future__ import annotations

import enum
import re
import warnings

from minimax_async._catalog import CAMERA_MODELS

__all__ = ("CameraCommandWarning", "CameraMove", "camera", "check_camera_commands")

MAX_COMBINED = 3


class CameraMove(str, enum.Enum):
    """The 15 documented camera moves; the value is the exact prompt text."""

    TRUCK_LEFT = "Truck left"
    TRUCK_RIGHT = "Truck right"
    PAN_LEFT = "Pan left"
    PAN_RIGHT = "Pan right"
    PUSH_IN = "Push in"
    PULL_OUT = "Pull out"
    PEDESTAL_UP = "Pedestal up"
    PEDESTAL_DOWN = "Pedestal down"
    TILT_UP = "Tilt up"
    TILT_DOWN = "Tilt down"
    ZOOM_IN = "Zoom in"
    ZOOM_OUT = "Zoom out"
    SHAKE = "Shake"
    TRACKING_SHOT = "Tracking shot"
    STATIC_SHOT = "Static shot"

    @classmethod
    def lookup(cls, text: str) -> CameraMove | None:
        """The move named by ``text`` (any case, ``_`` or space), or None."""
        key = " ".join(text.replace("_", " ").split()).lower()
        return _BY_LOWER.get(key)


_BY_LOWER = {move.value.lower(): move for move in CameraMove}
_BRACKET = re.compile(r"\[([^\[\]]*)\]")


class CameraCommandWarning(UserWarning):
    """A camera command MiniMax does not document, or more than three combined."""


def camera(*moves: CameraMove | str) -> str:
    """Combine moves into one bracket: ``camera(PAN_LEFT, "Pedestal up")`` gives
    ``"[Pan left,Pedestal up]"``. Text that names a known move is normalised; other text
    is kept as written, with a :class:`CameraCommandWarning`.
    """
    if not moves:
        raise ValueError("camera() needs at least one move")
    parts = []
    for move in moves:
        known = move if isinstance(move, CameraMove) else CameraMove.lookup(move)
        parts.append(known.value if known else str(move).strip())
    text = "[" + ",".join(parts) + "]"
    check_camera_commands(text, stacklevel=3)
    return text


def check_camera_commands(
    prompt: str, *, model: str | None = None, stacklevel: int = 2
) -> list[str]:
    """Warn about undocumented commands, crowded brackets, or a model without camera control.

    Returns the warning texts (also emitted as :class:`CameraCommandWarning`).
    """
    notes: list[str] = []
    groups = _BRACKET.findall(prompt)
    for group in groups:
        commands = [c.strip() for c in group.split(",") if c.strip()]
        unknown = [c for c in commands if c not in _EXACT]
        if unknown:
            notes.append(f"undocumented camera command(s) {unknown} in [{group}]")
        if len(commands) > MAX_COMBINED:
            notes.append(
                f"[{group}] combines {len(commands)} moves;"
                f" MiniMax recommends at most {MAX_COMBINED}"
            )
    if groups and model is not None and model not in CAMERA_MODELS:
        notes.append(f"{model} does not document camera commands; they act as plain text")
    for note in notes:
        warnings.warn(note, CameraCommandWarning, stacklevel=stacklevel)
    return notes


_EXACT = frozenset(move.value for move in CameraMove)
