"""The one exception the emulator's checks raise, worded as MiniMax words a 2013."""

from __future__ import annotations

from typing import Any

__all__ = ("BodyTooLarge", "Refused")

_SHOWN = 80


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."


class Refused(ValueError):
    """A request breaks a documented rule: ``field`` = ``value`` breaks ``rule``.

    Routes answer it as ``invalid params, <field>=<value>: <rule>`` (V1: base_resp 2013;
    V2: HTTP 400 with ``(2013)`` at the end of the message).
    """

    def __init__(self, field: str, value: Any, rule: str) -> None:
        self.field = field
        self.value = value
        self.rule = rule
        super().__init__(f"{field}={_short(value)}: {rule}")

    @property
    def message(self) -> str:
        return f"invalid params, {self}"


class BodyTooLarge(Refused):
    """The request body is over the size cap (V1: a 2013; V2: HTTP 413, or 400 by knob)."""
