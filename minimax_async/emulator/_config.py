"""Every knob of the emulator, in one dataclass that tests may change while it runs."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ("CHOICES", "FAIL_MARKERS", "EmulatorConfig", "FailWhen")

#: A per-task failure hook: gets the create body, returns 1026/1027 to make that task
#: fail, or None to let it succeed.
FailWhen = Callable[[Mapping[str, Any]], "int | None"]

#: Text that, found in a video prompt or an agent text input, makes that one task fail
#: with the code shown. Lets a test (or a CLI user) pick the failing task by content.
FAIL_MARKERS: Mapping[str, int] = {
    "{emulator:fail:1026}": 1026,
    "{emulator:fail:1027}": 1027,
}

_FAILURE_CODES = (1026, 1027)
#: Knobs that take one of a few values (the CLI offers the same choices).
CHOICES: Mapping[str, tuple[Any, ...]] = {
    "v2_error_status": (500, 529),
    "v2_delete_style": ("past", "verb"),
    "v2_callback_check": ("reject", "ignore"),
    "v2_challenge_method": ("POST", "GET"),
    "v2_text_items": ("at_least_one", "exactly_one"),
    "v2_usage_unsuccessful": ("empty", "zeros"),
    "v2_body_cap_status": (413, 400),
    "v2_unknown_task_status": (400, 404),
    "v2_file_id_type": ("number", "string"),
}


@dataclass
class EmulatorConfig:
    """Knobs of the local MiniMax emulator; every one is keyword-only and has a CLI flag.

    The instance held by a running :class:`~minimax_async.emulator.Emulator` is live:
    a test may change a knob between calls and the next request sees it.

    Accounts and catalogue
        ``api_keys``: keys accepted in ``Authorization: Bearer <key>``; None accepts any
        non-empty, well-formed key. A task is only visible to the key that created it.
        ``region``: ``"global"`` or ``"cn"``, picks the Video Agent template catalogue.

    Time (all multiplied by ``time_scale``)
        ``preparing_seconds``, ``queueing_seconds``, ``processing_seconds``: how long a
        task stays in each state (Video Agent tasks skip Queueing).
        ``download_url_ttl`` (3600) and ``agent_url_ttl`` (32400): lifetime of a
        files/retrieve ``download_url`` and of an agent ``video_url``; an expired URL
        answers HTTP 403.
        ``push_delay``: extra wait before each status push is sent.
        ``time_scale``: multiplier for all of the above. The default (1.0) gives about
        four seconds end to end; tests use 0.01-0.1.

    Not scaled (they are real network timings the client measures itself)
        ``challenge_timeout`` (3.0 s, as documented): how long the callback URL has to
        echo the challenge. ``slow_seconds``: the stall added to a slow response.

    Callback pushes
        ``push_status_case``: ``"lower"`` (processing/success/failed, the current docs)
        or ``"capitalized"`` (Processing/Success/Fail, older docs).
        ``push_drop_rate``: fraction of pushes silently not sent.
        ``push_duplicate_rate``: fraction of pushes sent twice.
        ``push_reorder``: hold a task's pushes until it finishes, then send them newest
        first.
        ``push_before_create_returns``: deliver a ``preparing`` push, and wait for it,
        before the create call answers (the receiver hears of a task id before its
        creator does).
        ``push_timeout``: how long one push may take before it is recorded as an error.

    Limits and faults
        ``rpm_limit``: creates allowed per rolling minute (None = unlimited); beyond it a
        create answers base_resp 1002.
        ``failure_rate`` + ``failure_code`` (1026 input / 1027 output sensitive): a
        fraction of tasks that end in Fail. ``fail_when``: a callable on the create body
        returning a code to fail that one task. A prompt or text input containing one of
        :data:`FAIL_MARKERS` (e.g. ``{emulator:fail:1027}``) fails that task too.
        ``http_error_rate`` + ``http_error_status``: fraction of API requests answered
        with a bare HTTP 5xx (a create so refused creates no task).
        ``slow_rate`` + ``slow_seconds``: fraction of API requests stalled first.
        ``max_body_bytes``: a create body larger than this answers 2013 (64 MiB: room
        for two base64 frames just under the 20 MB image limit).
        ``seed``: seeds every random choice, for reproducible runs.

    V2 (MiniMax-H3), see the README's table for each reading chosen
        ``v2_queued_seconds``, ``v2_running_seconds``, ``v2_max_running_seconds`` (the
        fast H3-Max), scaled; ``v2_expire_after`` (None): a task still queued after
        this long ends ``expired`` (the opt-in status).
        ``v2_rpm_limit`` (300) and ``v2_in_flight_limit`` (30 queued or running tasks per
        key): beyond them a create answers HTTP 429 (1002).
        ``v2_error_rate`` + ``v2_error_status`` (500 ``(1000)`` or 529): fraction of V2
        requests answered with that error envelope. ``failure_rate``, ``failure_code``,
        ``fail_when`` and the markers fail V2 tasks too (``error.code`` "1026"/"1027").
        ``v2_insufficient_balance``: creates answer 402 (1008).
        ``v2_moderation_pattern``: a regex; a text item matching it answers 422 (1026).
        ``v2_content_url_ttl`` (3600), ``v2_task_window_seconds`` (7 days),
        ``v2_file_lifetime_seconds`` (7 days): scaled lifetimes of ``content.url``, of
        a task's visibility and of an upload.
        Readings of the reference's open questions: ``v2_delete_style``,
        ``v2_callback_check``, ``v2_challenge_method``, ``v2_strict_fields``, ``v2_text_items``,
        ``v2_usage_unsuccessful``, ``v2_echo_ratio``, ``v2_max_default_resolution``,
        ``v2_body_cap_status``, ``v2_unknown_task_status``, ``v2_last_frame_alone``,
        ``v2_max_references``, ``v2_extra_on_h3``, ``v2_file_id_type``,
        ``v2_push_queued``, ``v2_url_per_query``, ``v2_regeneration_whitelisted``.
    """

    api_keys: frozenset[str] | None = None
    region: Literal["global", "cn"] = "global"
    preparing_seconds: float = 0.5
    queueing_seconds: float = 1.0
    processing_seconds: float = 2.5
    time_scale: float = 1.0
    push_status_case: Literal["lower", "capitalized"] = "lower"
    download_url_ttl: float = 3600.0
    agent_url_ttl: float = 32400.0
    rpm_limit: int | None = None
    failure_rate: float = 0.0
    failure_code: int = 1026
    fail_when: FailWhen | None = field(default=None, repr=False)
    http_error_rate: float = 0.0
    http_error_status: int = 503
    slow_rate: float = 0.0
    slow_seconds: float = 5.0
    push_drop_rate: float = 0.0
    push_duplicate_rate: float = 0.0
    push_reorder: bool = False
    push_delay: float = 0.0
    push_before_create_returns: bool = False
    push_timeout: float = 10.0
    challenge_timeout: float = 3.0
    max_body_bytes: int = 64 * 1024 * 1024
    seed: int | None = None
    v2_queued_seconds: float = 1.0
    v2_running_seconds: float = 3.0
    v2_max_running_seconds: float = 1.0
    v2_expire_after: float | None = None
    v2_rpm_limit: int | None = 300
    v2_in_flight_limit: int | None = 30
    v2_error_rate: float = 0.0
    v2_error_status: int = 500
    v2_insufficient_balance: bool = False
    v2_moderation_pattern: str | None = None
    v2_content_url_ttl: float = 3600.0
    v2_task_window_seconds: float = 7 * 24 * 3600.0
    v2_file_lifetime_seconds: float = 7 * 24 * 3600.0
    v2_delete_style: Literal["past", "verb"] = "past"
    v2_callback_check: Literal["reject", "ignore"] = "reject"
    v2_challenge_method: Literal["POST", "GET"] = "POST"
    v2_strict_fields: bool = False
    v2_text_items: Literal["at_least_one", "exactly_one"] = "at_least_one"
    v2_usage_unsuccessful: Literal["empty", "zeros"] = "empty"
    v2_echo_ratio: bool = False
    v2_max_default_resolution: bool = False
    v2_body_cap_status: int = 413
    v2_unknown_task_status: int = 400
    v2_last_frame_alone: bool = True
    v2_max_references: bool = True
    v2_extra_on_h3: bool = False
    v2_file_id_type: Literal["number", "string"] = "number"
    v2_push_queued: bool = True
    v2_url_per_query: bool = True
    v2_regeneration_whitelisted: bool = True

    def __post_init__(self) -> None:
        if self.api_keys is not None:
            self.api_keys = frozenset(self.api_keys)
        self.validate()

    def validate(self) -> None:
        """Raise ValueError naming the knob whose value makes no sense."""
        if self.region not in ("global", "cn"):
            raise ValueError(f"region={self.region!r}: must be 'global' or 'cn'")
        if self.push_status_case not in ("lower", "capitalized"):
            raise ValueError(
                f"push_status_case={self.push_status_case!r}: must be 'lower' or 'capitalized'"
            )
        if self.failure_code not in _FAILURE_CODES:
            raise ValueError(f"failure_code={self.failure_code!r}: must be 1026 or 1027")
        if not 500 <= self.http_error_status <= 599:
            raise ValueError(f"http_error_status={self.http_error_status!r}: must be a 5xx")
        if self.max_body_bytes < 1:
            raise ValueError(f"max_body_bytes={self.max_body_bytes!r}: must be positive")
        for name in ("rpm_limit", "v2_rpm_limit", "v2_in_flight_limit"):
            limit = getattr(self, name)
            if limit is not None and limit < 0:
                raise ValueError(f"{name}={limit!r}: must be >= 0 or None")
        for name, allowed in CHOICES.items():
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name}={getattr(self, name)!r}: must be one of {allowed}")
        if self.v2_moderation_pattern is not None:
            try:
                re.compile(self.v2_moderation_pattern)
            except re.error as exc:
                raise ValueError(f"v2_moderation_pattern: not a regex ({exc})") from None
        if self.v2_expire_after is not None and self.v2_expire_after < 0:
            raise ValueError(f"v2_expire_after={self.v2_expire_after!r}: must not be negative")
        for name in (
            "failure_rate",
            "http_error_rate",
            "slow_rate",
            "push_drop_rate",
            "push_duplicate_rate",
            "v2_error_rate",
        ):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name}={value!r}: must be a fraction between 0 and 1")
        for name in (
            "preparing_seconds",
            "queueing_seconds",
            "processing_seconds",
            "time_scale",
            "download_url_ttl",
            "agent_url_ttl",
            "slow_seconds",
            "push_delay",
            "push_timeout",
            "challenge_timeout",
            "v2_queued_seconds",
            "v2_running_seconds",
            "v2_max_running_seconds",
            "v2_content_url_ttl",
            "v2_task_window_seconds",
            "v2_file_lifetime_seconds",
        ):
            value = getattr(self, name)
            if value < 0:
                raise ValueError(f"{name}={value!r}: must not be negative")

    def scaled(self, seconds: float) -> float:
        """``seconds`` of emulated time, in real seconds."""
        return seconds * self.time_scale
