"""What the emulator saw and did, kept so tests can assert on it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ("RecordedPush", "RecordedRequest")


@dataclass
class RecordedRequest:
    """One HTTP request the emulator answered.

    ``json`` is the parsed body when it was JSON (else None); ``status_code`` is the
    base_resp code answered (None for non-JSON answers such as downloads or injected
    5xx); ``http_status`` is the HTTP status. The API key is never recorded.
    """

    method: str
    path: str
    query: dict[str, str]
    json: Any
    trace_id: str
    status_code: int | None = None
    http_status: int = 200
    task_id: str | None = None
    fault: str | None = None


@dataclass
class RecordedPush:
    """One outbound callback: a challenge or a status push, and how it went.

    ``outcome`` is ``"delivered"`` (HTTP 2xx), ``"dropped"`` (a drop fault: never
    sent), ``"rejected"`` (answered non-2xx, or a challenge echoed wrongly), or
    ``"error: <reason>"`` (connection failure, timeout). ``sent_at`` is the wall-clock
    time (``time.time()``) the request started, None if it was never sent. ``method``
    is ``POST`` except for a V2 challenge sent with ``v2_challenge_method="GET"``.
    """

    kind: str  # "challenge" or "status"
    task_id: str | None
    url: str
    body: dict[str, Any]
    outcome: str = "pending"
    http_status: int | None = None
    response: Any = field(default=None, repr=False)
    sent_at: float | None = None
    method: str = "POST"

    @property
    def delivered(self) -> bool:
        return self.outcome == "delivered"
