"""The bundled callback receiver: MiniMax pushes task status here, results come out once.

::

    callbacks = CallbackServer(public_url="https://api.example.com/minimax")
    async with AsyncMiniMax(callbacks=callbacks) as client:
        task = await client.video.create(prompt="...")   # callback_url filled in
        video = await task.result()

Pushes are treated as hints and polls as truth; see :class:`CallbackServer`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from minimax_async._lazy import LazyExports as _LazyExports

if TYPE_CHECKING:
    from minimax_async._registry import InMemoryRegistry, QueryFn, TaskRegistry, TaskState
    from minimax_async.callbacks._asgi import CallbackASGIApp
    from minimax_async.callbacks._bus import BusSink, ResultBus
    from minimax_async.callbacks._hooks import CallbackEvent, EventKind, Hooks, Subscriber
    from minimax_async.callbacks._server import CallbackServer, SelfCheckError

__all__ = (
    "BusSink",
    "CallbackASGIApp",
    "CallbackEvent",
    "CallbackServer",
    "EventKind",
    "Hooks",
    "InMemoryRegistry",
    "QueryFn",
    "ResultBus",
    "SelfCheckError",
    "Subscriber",
    "TaskRegistry",
    "TaskState",
)

_EXPORTS = _LazyExports(
    __name__,
    globals(),
    {
        "InMemoryRegistry": "minimax_async._registry",
        "QueryFn": "minimax_async._registry",
        "TaskRegistry": "minimax_async._registry",
        "TaskState": "minimax_async._registry",
        "CallbackASGIApp": "minimax_async.callbacks._asgi",
        "BusSink": "minimax_async.callbacks._bus",
        "ResultBus": "minimax_async.callbacks._bus",
        "CallbackEvent": "minimax_async.callbacks._hooks",
        "EventKind": "minimax_async.callbacks._hooks",
        "Hooks": "minimax_async.callbacks._hooks",
        "Subscriber": "minimax_async.callbacks._hooks",
        "CallbackServer": "minimax_async.callbacks._server",
        "SelfCheckError": "minimax_async.callbacks._server",
    },
)


def __getattr__(name: str) -> Any:
    return _EXPORTS.load(name)


def __dir__() -> list[str]:
    return _EXPORTS.names()
