"""The one backoff policy: growth, ceiling, jitter bounds, and the flat poll interval."""

from __future__ import annotations

import random

import pytest

from minimax_async._retry import Backoff, RetryPolicy


def test_doubling_up_to_the_cap_without_jitter() -> None:
    backoff = Backoff(30.0, 2.0, 60.0)
    assert [backoff.delay(n) for n in range(4)] == [30.0, 60.0, 60.0, 60.0]


def test_jitter_stays_within_its_fraction_and_actually_spreads() -> None:
    backoff = Backoff(10.0, factor=1.0, cap=10.0, jitter=0.2, rng=random.Random(3))
    delays = [backoff.delay(n) for n in range(200)]
    assert all(8.0 <= d <= 12.0 for d in delays)
    assert max(delays) - min(delays) > 2.0  # not lockstep


def test_a_fallback_ceiling_shortens_the_schedule_only() -> None:
    quiet = Backoff(30.0, 2.0, 60.0)
    assert [quiet.capped(10.0).delay(n) for n in range(3)] == [10.0, 10.0, 10.0]
    assert quiet.capped(100.0).delay(5) == 60.0


def test_the_transport_policy_draws_from_the_same_backoff() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=8.0)
    for attempt, ceiling in enumerate((0.5, 1.0, 2.0, 4.0, 8.0, 8.0)):
        delay = policy.delay(attempt)
        assert ceiling / 2 <= delay <= ceiling
    assert policy.delay(0, retry_after=3.0) == 3.0  # the server's word wins


@pytest.mark.parametrize(
    ("first", "factor", "jitter"), [(-1.0, 2.0, 0.0), (1.0, 0.5, 0.0), (1.0, 2.0, 1.0)]
)
def test_nonsense_is_refused(first: float, factor: float, jitter: float) -> None:
    with pytest.raises(ValueError, match="jitter"):
        Backoff(first, factor, jitter=jitter)
