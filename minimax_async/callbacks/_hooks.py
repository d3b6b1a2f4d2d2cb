"""Lifecycle events of the receiver: structured logs plus hooks users subscribe to."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

__all__ = ("CallbackEvent", "EventKind", "Hooks", "Subscriber")

logger = logging.getLogger("minimax_async.callbacks")

#: What happened. ``registered``: a caller started waiting on a task; ``challenge``: a
#: URL-verification challenge was echoed; ``push``: a push moved a task forward;
#: ``push_buffered``: a push for a task not registered yet was kept for later;
#: ``push_ignored``: a duplicate, backward or late push; ``push_rejected``: a push was
#: refused (bad secret, body, shape); ``confirm``: a terminal push is being checked by a
#: query; ``poll``: the watchdog queried a quiet task; ``poll_error``: a query failed
#: and will be retried; ``completed``: the task's result was delivered (once);
#: ``failed``: the waiter got a permanent error; ``detached``: the last waiter left.
EventKind = Literal[
    "registered",
    "challenge",
    "push",
    "push_buffered",
    "push_ignored",
    "push_rejected",
    "confirm",
    "poll",
    "poll_error",
    "completed",
    "failed",
    "detached",
]

_LEVELS: dict[str, int] = {
    "push_rejected": logging.WARNING,
    "poll_error": logging.WARNING,
    "failed": logging.WARNING,
    "completed": logging.INFO,
    "registered": logging.INFO,
    "poll": logging.INFO,
    "confirm": logging.INFO,
}


@dataclass(frozen=True, slots=True)
class CallbackEvent:
    """One lifecycle event. ``status`` is the task status text when one is known."""

    kind: EventKind
    task_id: str | None = None
    trace_id: str | None = None
    status: str | None = None
    detail: str | None = None


Subscriber = Callable[[CallbackEvent], None]


class Hooks:
    """Fan-out of :class:`CallbackEvent` to subscribers, each event also logged.

    Subscribers are called synchronously on the event loop, so they must be quick;
    one that raises is logged and does not stop the others or the receiver.
    """

    __slots__ = ("_levels", "_subscribers")

    def __init__(self, *, levels: Mapping[str, int] | None = None) -> None:
        self._subscribers: list[Subscriber] = []
        # ``levels`` overrides the log level per event kind (a client polling without a
        # receiver logs its routine polls at DEBUG, not INFO).
        self._levels = {**_LEVELS, **levels} if levels else _LEVELS

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Call ``callback`` for every event; returns a function that unsubscribes."""
        self._subscribers.append(callback)
        return lambda: self.unsubscribe(callback)

    def unsubscribe(self, callback: Subscriber) -> None:
        """Stop calling ``callback``; unknown callbacks are ignored."""
        if callback in self._subscribers:
            self._subscribers.remove(callback)

    def emit(
        self,
        kind: EventKind,
        task_id: str | None = None,
        *,
        trace_id: str | None = None,
        status: str | None = None,
        detail: str | None = None,
    ) -> None:
        """Log the event and hand it to every subscriber."""
        level = self._levels.get(kind, logging.DEBUG)
        if logger.isEnabledFor(level):
            logger.log(
                level,
                "%s task=%s status=%s %s",
                kind,
                task_id,
                status,
                detail or "",
                extra={"task_id": task_id, "trace_id": trace_id, "event": kind},
            )
        if not self._subscribers:
            return
        event = CallbackEvent(kind, task_id, trace_id, status, detail)
        for callback in tuple(self._subscribers):
            try:
                callback(event)
            except Exception:
                # A user's hook must never break the receiver.
                logger.exception("callback hook %r raised on %s", callback, kind)
