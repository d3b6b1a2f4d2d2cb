"""The resources hung off :class:`~minimax_async.AsyncMiniMax`: video, files, video_agent."""

from __future__ import annotations

from minimax_async.resources.files import Files
from minimax_async.resources.video import Videos
from minimax_async.resources.video_agent import VideoAgent

__all__ = ("Files", "VideoAgent", "Videos")
