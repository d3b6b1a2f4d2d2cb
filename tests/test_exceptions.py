from __future__ import annotations

import pytest

from minimax_async import (
    APIError,
    AuthenticationError,
    InvalidInputError,
    InvalidRequestError,
    MiniMaxError,
    QuotaError,
    RateLimitError,
    SensitiveContentError,
    ServerError,
)
from minimax_async._exceptions import api_error_for


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        (1004, AuthenticationError),
        (2049, AuthenticationError),
        (1002, RateLimitError),
        (1039, RateLimitError),
        (1008, QuotaError),
        (2056, QuotaError),
        (1026, SensitiveContentError),
        (1027, SensitiveContentError),
        (2013, InvalidRequestError),
        (1000, ServerError),
        (1013, ServerError),
        (4242, APIError),
    ],
)
def test_each_base_resp_family_has_its_class(code: int, cls: type[APIError]) -> None:
    error = api_error_for(code, "msg", trace_id="trace-1")
    assert type(error) is cls
    assert isinstance(error, MiniMaxError)
    assert (error.status_code, error.status_msg, error.trace_id) == (code, "msg", "trace-1")
    assert "trace-1" in str(error)
    assert str(code) in str(error)


def test_invalid_input_names_field_value_and_rule() -> None:
    error = InvalidInputError("duration", 7, "must be 6 or 10")
    assert str(error) == "duration=7: must be 6 or 10"
    assert isinstance(error, ValueError)


def test_long_values_are_shortened_in_messages() -> None:
    error = InvalidInputError("prompt", "x" * 5000, "too long")
    assert len(str(error)) < 120
