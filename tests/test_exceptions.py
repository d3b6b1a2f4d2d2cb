from __future__ import annotations

import pytest

from minimax_async import (
    APIError,
    AuthenticationError,
    HTTPStatusError,
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
    error = api_error_for(code, "msg", status_code=200, trace_id="trace-1")
    assert type(error) is cls
    assert isinstance(error, MiniMaxError)
    assert (error.code, error.status_msg, error.trace_id) == (code, "msg", "trace-1")
    assert error.status_code == 200  # the HTTP status, never the MiniMax code
    assert "trace-1" in str(error)
    assert str(code) in str(error)


def test_invalid_input_names_field_value_and_rule() -> None:
    error = InvalidInputError("duration", 7, "must be 6 or 10")
    assert str(error) == "duration=7: must be 6 or 10"
    assert isinstance(error, ValueError)


def test_long_values_are_shortened_in_messages() -> None:
    error = InvalidInputError("prompt", "x" * 5000, "too long")
    assert len(str(error)) < 120


def test_no_error_is_built_with_code_zero() -> None:
    # 0 is the envelope's success code: an error carrying it would be a contradiction.
    with pytest.raises(ValueError, match="code 0"):
        api_error_for(0, "success")


def test_an_http_error_has_a_status_and_no_code() -> None:
    error = HTTPStatusError("HTTP 404: not found", status_code=404)
    assert (error.code, error.status_code) == (None, 404)
    assert str(error) == "HTTP 404: not found"


def test_every_exception_class_lives_in_the_one_tree() -> None:
    import minimax_async
    from minimax_async import _exceptions

    raised = {
        name
        for name in minimax_async.__all__
        if isinstance(getattr(minimax_async, name), type)
        and issubclass(getattr(minimax_async, name), Exception)
        and not issubclass(getattr(minimax_async, name), Warning)
    }
    assert {"SelfCheckError", "RedisUnavailableError"} <= raised
    for name in raised:
        cls = getattr(minimax_async, name)
        assert cls.__module__ == _exceptions.__name__, name
        assert issubclass(cls, MiniMaxError), name
        assert name in (_exceptions.__doc__ or ""), f"{name} is missing from the tree drawing"
