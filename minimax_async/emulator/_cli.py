"""Command-line front end shared by ``minimax-async emulator`` and ``python -m``."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import signal
import sys
from collections.abc import Sequence
from typing import Any

from minimax_async.emulator._config import CHOICES, EmulatorConfig
from minimax_async.emulator._server import Emulator

__all__ = ("add_arguments", "config_from_args", "main", "run", "run_from_args")

# (knob, type, help): one flag per EmulatorConfig field, named --knob-with-dashes.
_NUMBER_KNOBS: tuple[tuple[str, type, str], ...] = (
    ("preparing_seconds", float, "seconds a task stays Preparing"),
    ("queueing_seconds", float, "seconds a video task stays Queueing"),
    ("processing_seconds", float, "seconds a task stays Processing"),
    ("time_scale", float, "multiplier for every emulated duration and URL TTL"),
    ("download_url_ttl", float, "lifetime of a files/retrieve download_url, seconds"),
    ("agent_url_ttl", float, "lifetime of a Video Agent video_url, seconds"),
    ("failure_rate", float, "fraction of tasks that end in Fail"),
    ("failure_code", int, "base_resp code of a failed task: 1026 or 1027"),
    ("http_error_rate", float, "fraction of API requests answered with an HTTP 5xx"),
    ("http_error_status", int, "the HTTP status of those errors"),
    ("slow_rate", float, "fraction of API requests stalled before answering"),
    ("slow_seconds", float, "how long a stalled request waits (not scaled)"),
    ("push_drop_rate", float, "fraction of status pushes never sent"),
    ("push_duplicate_rate", float, "fraction of status pushes sent twice"),
    ("push_delay", float, "delay before each status push, seconds"),
    ("push_timeout", float, "seconds a receiver has to answer a push"),
    ("challenge_timeout", float, "seconds a callback URL has to echo the challenge"),
    ("max_body_bytes", int, "largest create body accepted"),
    ("v2_queued_seconds", float, "V2: seconds a task stays queued"),
    ("v2_running_seconds", float, "V2: seconds a MiniMax-H3 task stays running"),
    ("v2_max_running_seconds", float, "V2: seconds a MiniMax-H3-Max task stays running"),
    ("v2_error_rate", float, "V2: fraction of requests answered with --v2-error-status"),
    ("v2_content_url_ttl", float, "V2: lifetime of a content.url, seconds"),
    ("v2_task_window_seconds", float, "V2: how long a task stays queryable (7 days)"),
    ("v2_file_lifetime_seconds", float, "V2: how long an upload can be referenced (7 days)"),
)
# Knobs that may be None: the flag takes a value or "none".
_OPTIONAL_KNOBS: tuple[tuple[str, type, str], ...] = (
    ("v2_rpm_limit", int, "V2: creates per minute before HTTP 429"),
    ("v2_in_flight_limit", int, "V2: queued+running tasks per key before HTTP 429"),
    ("v2_expire_after", float, "V2: a task still queued after this many seconds expires"),
    ("v2_moderation_pattern", str, "V2: regex; a matching text item answers 422 (1026)"),
)
_V2_SWITCHES: tuple[tuple[str, str], ...] = (
    ("v2_insufficient_balance", "V2: creates answer 402 (1008)"),
    ("v2_strict_fields", "V2: refuse unknown top-level fields instead of ignoring them"),
    ("v2_echo_ratio", "V2: report the requested ratio, not the resolved one"),
    ("v2_max_default_resolution", "V2: H3-Max without resolution gets 768P"),
    ("v2_last_frame_alone", "V2: accept a last_frame without a first_frame"),
    ("v2_max_references", "V2: H3-Max accepts reference images/videos/audio"),
    ("v2_extra_on_h3", "V2: accept extra.prompt_expansion_mode on MiniMax-H3 too"),
    ("v2_push_queued", "V2: push the queued status as well"),
    ("v2_url_per_query", "V2: every query mints a fresh content.url"),
    ("v2_regeneration_whitelisted", "V2: the key may regenerate by source_task_id"),
)
_FLAG_KNOBS: tuple[tuple[str, str], ...] = (
    ("push_reorder", "hold each task's pushes and send them newest first"),
    ("push_before_create_returns", "push 'preparing' before the create call answers"),
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--host``, ``--port`` and one flag per :class:`EmulatorConfig` knob."""
    defaults = EmulatorConfig()
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port; 0 picks a free one (8765)")
    parser.add_argument(
        "--api-key",
        action="append",
        dest="api_keys",
        metavar="KEY",
        help="accept only this key (repeatable); default: any well-formed key",
    )
    parser.add_argument("--region", choices=("global", "cn"), default=defaults.region)
    parser.add_argument(
        "--push-status-case", choices=("lower", "capitalized"), default=defaults.push_status_case
    )
    parser.add_argument("--rpm-limit", type=int, default=None, help="creates per minute")
    parser.add_argument("--seed", type=int, default=None, help="seed for every random choice")
    for name, kind, text in _NUMBER_KNOBS:
        default = getattr(defaults, name)
        parser.add_argument(
            "--" + name.replace("_", "-"), type=kind, default=default, help=f"{text} ({default})"
        )
    for name, text in _FLAG_KNOBS:
        parser.add_argument("--" + name.replace("_", "-"), action="store_true", help=text)
    for name, kind, text in _OPTIONAL_KNOBS:
        default = getattr(defaults, name)
        parser.add_argument(
            "--" + name.replace("_", "-"),
            type=_or_none(kind),
            default=default,
            help=f'{text} ({default}; "none" turns it off)',
        )
    for name, choices in CHOICES.items():
        default = getattr(defaults, name)
        parser.add_argument(
            "--" + name.replace("_", "-"),
            type=type(default),
            choices=choices,
            default=default,
            help=f"reading chosen for an open question ({default})",
        )
    for name, text in _V2_SWITCHES:
        parser.add_argument(
            "--" + name.replace("_", "-"),
            action=argparse.BooleanOptionalAction,
            default=getattr(defaults, name),
            help=text,
        )
    parser.add_argument(
        "--log-level",
        default="INFO",
        help="logging level (INFO: one line per request, without its headers)",
    )


def _or_none(kind: type) -> Any:
    def parse(text: str) -> Any:
        return None if text.lower() == "none" else kind(text)

    parse.__name__ = kind.__name__  # argparse names the type in its error message
    return parse


def config_from_args(args: argparse.Namespace) -> EmulatorConfig:
    """The EmulatorConfig the parsed flags describe (ValueError names a bad knob)."""
    names = {field.name for field in dataclasses.fields(EmulatorConfig)} - {"fail_when"}
    values: dict[str, Any] = {name: getattr(args, name) for name in names}
    if values["api_keys"] is not None:
        values["api_keys"] = frozenset(values["api_keys"])
    return EmulatorConfig(**values)


async def run(config: EmulatorConfig, *, host: str, port: int) -> None:
    """Serve until SIGINT or SIGTERM, printing the base URL once it is listening."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    handled: list[signal.Signals] = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(signum, stop.set)
            handled.append(signum)
        except (NotImplementedError, RuntimeError):  # Windows: Ctrl-C raises instead
            pass
    try:
        async with Emulator(config=config, host=host, port=port) as emulator:
            print(emulator.base_url, flush=True)
            await stop.wait()
    finally:
        for signum in handled:
            loop.remove_signal_handler(signum)


def main(argv: Sequence[str] | None = None, *, prog: str | None = None) -> int:
    """Parse flags and serve; the exit status is 0 after Ctrl-C/SIGTERM, 2 on bad flags."""
    parser = argparse.ArgumentParser(prog=prog, description="Run the local MiniMax API emulator.")
    add_arguments(parser)
    args = parser.parse_args(argv)
    return run_from_args(args, parser)


def run_from_args(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Build the config from parsed flags and serve until stopped."""
    try:
        config = config_from_args(args)
    except ValueError as exc:
        parser.error(str(exc))
    logging.basicConfig(
        level=args.log_level.upper(),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        asyncio.run(run(config, host=args.host, port=args.port))
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        print(f"emulator: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    return 0
