"""The bundled callback receiver: MiniMax pushes task status here, results come out once.

::

    callbacks = CallbackServer(public_url="https://api.example.com/minimax")
    async with AsyncMiniMax(callbacks=callbacks) as client:
        task = await client.video.create(prompt="...")   # callback_url filled in
        video = await task.result()

Pushes are treated as hints and polls as truth; see :class:`CallbackServer`.
"""

from __future__ import annotations

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
