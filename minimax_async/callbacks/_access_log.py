"""Keep the receiver's secret out of access logs.

MiniMax signs nothing, so the secret has to travel in the callback URL's path, and every
web server's access log prints that path. No server can be told to leave one path
segment out, so the secret is replaced in the log records themselves.
"""

from __future__ import annotations

import logging
from typing import Any

__all__ = ("SecretFilter",)

_SHOWN = "<secret>"


class SecretFilter(logging.Filter):
    """Replaces ``secret`` with ``<secret>`` in every record passing through; drops none.

    Covers the message, its arguments (uvicorn passes the path as one) and the extra
    attributes (aiohttp adds the request line and path to each record).
    """

    def __init__(self, secret: str) -> None:
        super().__init__()
        self._secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in vars(record).items():
            if isinstance(value, str) and self._secret in value:
                setattr(record, name, value.replace(self._secret, _SHOWN))
        args = record.args
        if isinstance(args, tuple):
            record.args = tuple(self._hide(arg) for arg in args)
        elif isinstance(args, dict):
            record.args = {key: self._hide(arg) for key, arg in args.items()}
        return True

    def _hide(self, value: Any) -> Any:
        return value.replace(self._secret, _SHOWN) if isinstance(value, str) else value
