"""A sliding one-minute window of accepted requests, for the RPM knobs."""

from __future__ import annotations

import collections
import time

__all__ = ("SlidingWindow",)


class SlidingWindow:
    """Counts what was accepted in the last ``seconds``; refuses beyond a limit."""

    def __init__(self, seconds: float = 60.0) -> None:
        self._seconds = seconds
        self._taken: collections.deque[float] = collections.deque()

    def take(self, limit: int | None) -> bool:
        """Count one more and return True, unless ``limit`` are already in the window."""
        now = time.monotonic()
        while self._taken and now - self._taken[0] >= self._seconds:
            self._taken.popleft()
        if limit is not None and len(self._taken) >= limit:
            return False
        self._taken.append(now)
        return True
