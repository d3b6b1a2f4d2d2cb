"""The command line's surface: every subcommand, option and help text, and nothing heavy.

Building the parser imports only ``argparse``: each subcommand names its handler as
``"module:function"``, imported once that subcommand runs, so ``minimax-async --help``
never loads aiohttp, pydantic or the client. Help is formatted by ``rich-argparse``
when the ``cli`` extra is installed (imported only to print help), plain otherwise. A
usage error is one line and a hint, not the whole usage block.

Options sit only where they apply: connection options (``--api-key``, ``--base-url``,
``--region``, ``--json``) on every API command; waiting options (``--timeout``,
``--poll``, ``--poll-interval``, ``--callback-*``) only on the commands that wait.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, NoReturn

__all__ = ("CliParser", "build_parser")

PROG = "minimax-async"


def _formatter(prog: str) -> argparse.HelpFormatter:
    try:
        from rich_argparse import RichHelpFormatter
    except ImportError:  # the cli extra is not installed: plain argparse help
        return argparse.HelpFormatter(prog)
    return RichHelpFormatter(prog)


class CliParser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line plus a hint (exit 2)."""

    def error(self, message: str) -> NoReturn:
        hint = f"{self.prog} --help"
        if _rich_stderr():
            from rich.console import Console
            from rich.markup import escape

            console = Console(stderr=True, highlight=False)
            console.print(f"[bold]{escape(self.prog)}[/]: [red]error[/]: {escape(message)}")
            console.print(f"[dim]hint: see '{escape(hint)}'[/]")
        else:
            print(f"{self.prog}: error: {message}\nhint: see '{hint}'", file=sys.stderr)
        sys.exit(2)


def _rich_stderr() -> bool:
    try:
        if not sys.stderr.isatty():
            return False
        import rich  # noqa: F401
    except (ImportError, AttributeError, ValueError):
        return False
    return True


def _command(subparsers: Any, name: str, handler: str, **kwargs: Any) -> CliParser:
    parser: CliParser = subparsers.add_parser(name, formatter_class=_formatter, **kwargs)
    parser.set_defaults(handler=handler, parser=parser)
    return parser


def _connection(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("connection")
    group.add_argument(
        "--api-key", metavar="KEY", help="MiniMax API key (default: $MINIMAX_API_KEY)"
    )
    group.add_argument(
        "--base-url",
        metavar="URL",
        help="API root such as https://api.minimax.io (default: $MINIMAX_BASE_URL or the"
        " region's); with neither a key nor a URL, an embedded emulator is used",
    )
    group.add_argument(
        "--region", choices=("global", "cn"), default=None, help="global or cn (default: global)"
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="one JSON object per finished task on stdout; human output on stderr",
    )


def _waiting(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("waiting for results")
    group.add_argument(
        "--timeout",
        type=float,
        default=1800.0,
        metavar="SECONDS",
        help="stop waiting for a task after this long; it keeps running (default 1800)",
    )
    group.add_argument("--poll", action="store_true", help="poll for results; no receiver")
    group.add_argument(
        "--poll-interval",
        type=float,
        default=None,
        metavar="SECONDS",
        help="seconds between status queries when polling (default: the client's, 10)",
    )
    group.add_argument(
        "--callback-public-url",
        metavar="URL",
        default=None,
        help="the URL MiniMax reaches the bundled receiver at; results then arrive by push",
    )
    group.add_argument(
        "--callback-listen",
        metavar="HOST:PORT",
        default=None,
        help="where the receiver listens (default 0.0.0.0:8080; 127.0.0.1 for a local emulator)",
    )


def _out(parser: argparse.ArgumentParser, default: str) -> None:
    parser.add_argument(
        "--out", type=Path, metavar="FILE", help=f"where to save the MP4 (default: {default})"
    )


def _generate(subparsers: Any) -> None:
    parser = _command(
        subparsers,
        "generate",
        "minimax_async.cli._generate:run",
        help="generate one video (text, image, first+last frame or subject reference)",
        description=(
            "Generate one video and save it. The mode follows the images given: none is"
            " text-to-video, --first-frame image-to-video, --first-frame + --last-frame"
            " first+last frame, --subject subject reference."
        ),
    )
    parser.add_argument(
        "--prompt", help="what happens in the video (V1: up to 2000 characters; V2: 7000)"
    )
    parser.add_argument("--model", help="model id (default: the newest model for the mode)")
    parser.add_argument("--first-frame", metavar="IMAGE", help="first frame: a path or URL")
    parser.add_argument("--last-frame", metavar="IMAGE", help="last frame: a path or URL")
    parser.add_argument("--subject", metavar="IMAGE", help="a face to feature: a path or URL")
    parser.add_argument(
        "--duration", type=int, help="seconds: V1 6 or 10, V2 4-15, as the model allows"
    )
    parser.add_argument(
        "--resolution",
        help="V1: 512P, 720P, 768P or 1080P; V2: 480P, 768P or 2K; as the model allows",
    )
    parser.add_argument(
        "--camera",
        action="append",
        default=[],
        metavar="MOVE",
        help="a camera move such as 'Pan left' (repeatable: combined in one bracket)",
    )
    parser.add_argument(
        "--no-prompt-optimizer",
        dest="prompt_optimizer",
        action="store_false",
        default=None,
        help="follow the prompt literally",
    )
    v2 = parser.add_argument_group("MiniMax-H3 and H3-Max (--model MiniMax-H3, the V2 API)")
    v2.add_argument("--ratio", help="16:9, 9:16, 1:1, 4:3, 3:4, 21:9 or adaptive")
    for kind, what in (("image", "an image"), ("video", "an MP4/MOV clip"), ("audio", "a WAV/MP3")):
        v2.add_argument(
            f"--reference-{kind}",
            action="append",
            default=[],
            metavar=kind.upper(),
            help=f"{what} to follow: a path, URL or mm_file:// (repeatable, in order)",
        )
    v2.add_argument(
        "--prompt-expansion-mode",
        choices=("disabled", "balanced", "quality"),
        help="MiniMax-H3-Max only: how far MiniMax rewrites the prompt",
    )
    _out(parser, "TASK_ID.mp4")
    _connection(parser)
    _waiting(parser)


def _batch(subparsers: Any) -> None:
    parser = _command(
        subparsers,
        "batch",
        "minimax_async.cli._batch:run",
        help="generate one video per JSON line, resumably",
        description=(
            "One create per JSON line (fields as client.video.create, plus 'name' and"
            " 'camera'; a MiniMax-H3 or MiniMax-H3-Max model takes the V2 fields such as"
            " 'reference_images' and 'ratio'). A journal in --out-dir makes re-runs resume"
            " instead of paying again."
        ),
    )
    parser.add_argument("jobs", type=Path, metavar="JOBS.jsonl", help="one JSON job per line")
    parser.add_argument(
        "--out-dir", type=Path, required=True, metavar="DIR", help="videos and the journal"
    )
    parser.add_argument("--concurrency", type=int, default=4, help="jobs at a time (4)")
    parser.add_argument(
        "--rpm",
        type=int,
        default=None,
        help="creates per minute (default 20, MiniMax's paid tier; none on the emulator)",
    )
    parser.add_argument(
        "--strict", action="store_true", help="stop at the first bad line before sending anything"
    )
    parser.add_argument(
        "--resubmit-unknown",
        action="store_true",
        help="resend jobs whose earlier create may have reached MiniMax (may pay twice)",
    )
    parser.add_argument(
        "--retry-failed", action="store_true", help="resubmit jobs that failed earlier"
    )
    _connection(parser)
    _waiting(parser)


def _template(subparsers: Any) -> None:
    parser = _command(
        subparsers,
        "template",
        "minimax_async.cli._template:usage",
        help="Video Agent templates: list them, or run one",
    )
    actions = parser.add_subparsers(dest="template_command", metavar="ACTION")
    listing = _command(
        actions,
        "list",
        "minimax_async.cli._template:list_templates",
        help="template ids, names and required inputs",
    )
    listing.add_argument(
        "--region", choices=("global", "cn"), default="global", help="which catalogue (global)"
    )
    listing.add_argument("--json", action="store_true", help="one JSON object per template")
    running = _command(
        actions,
        "run",
        "minimax_async.cli._template:run",
        help="run one template and save the video",
    )
    running.add_argument("template_id", metavar="TEMPLATE_ID", help="see 'template list'")
    running.add_argument(
        "--text", action="append", default=[], help="a text input (repeatable, in order)"
    )
    running.add_argument(
        "--media",
        action="append",
        default=[],
        metavar="IMAGE",
        help="a media input: image path or URL (repeatable, in order)",
    )
    _out(running, "TASK_ID.mp4")
    _connection(running)
    _waiting(running)


def _lookups(subparsers: Any) -> None:
    status = _command(
        subparsers,
        "status",
        "minimax_async.cli._lookup:status",
        help="show a task's status (and why it failed)",
        description="Show a task's status. Exit 0 when it exists and has not failed, 1 on Fail.",
    )
    status.add_argument("task_id", metavar="TASK_ID", help="the task id MiniMax returned")
    status.add_argument(
        "--agent",
        action="store_true",
        help="a Video Agent (template) task (default: try video, then agent, then V2)",
    )
    status.add_argument("--v2", action="store_true", help="a MiniMax-H3 (V2) task")
    _connection(status)

    wait = _command(
        subparsers,
        "wait",
        "minimax_async.cli._lookup:wait",
        help="wait for an existing task and save its video",
        description=(
            "Wait for a task created earlier (by generate, a batch, or your own code) and"
            " save its video. It is queried at once, then every --poll-interval seconds."
        ),
    )
    wait.add_argument("task_id", metavar="TASK_ID", help="the task id MiniMax returned")
    wait.add_argument("--agent", action="store_true", help="a Video Agent (template) task")
    wait.add_argument("--v2", action="store_true", help="a MiniMax-H3 (V2) task")
    _out(wait, "TASK_ID.mp4")
    _connection(wait)
    _waiting(wait)

    download = _command(
        subparsers,
        "download",
        "minimax_async.cli._lookup:download",
        help="download a finished video by its file id",
    )
    download.add_argument("file_id", metavar="FILE_ID", help="the file id of a finished task")
    _out(download, "FILE_ID.mp4")
    _connection(download)


def _v2(subparsers: Any) -> None:
    listing = _command(
        subparsers,
        "list",
        "minimax_async.cli._v2:list_tasks",
        help="list MiniMax-H3 (V2) tasks of the last 7 days, newest first",
    )
    listing.add_argument(
        "--status",
        choices=("queued", "running", "succeeded", "failed", "cancelled"),
        help="only tasks in this status",
    )
    listing.add_argument(
        "--task-id", action="append", default=[], metavar="TASK_ID", help="only these (repeatable)"
    )
    listing.add_argument("--model", help="only this model: MiniMax-H3 or MiniMax-H3-Max")
    listing.add_argument(
        "--task-type",
        choices=("generation", "h3_context_ir", "regeneration"),
        help="only this kind of task",
    )
    listing.add_argument("--limit", type=int, metavar="N", help="show at most N tasks")
    _connection(listing)

    cancel = _command(
        subparsers,
        "cancel",
        "minimax_async.cli._v2:cancel",
        help="cancel a queued MiniMax-H3 (V2) task (not billed)",
    )
    cancel.add_argument("task_id", metavar="TASK_ID", help="the task id MiniMax returned")
    _connection(cancel)

    upload = _command(
        subparsers,
        "upload",
        "minimax_async.cli._v2:upload",
        help="upload an image, clip or audio for --reference-*; prints its mm_file:// id",
    )
    upload.add_argument("file", type=Path, metavar="FILE", help="the media file (kept 7 days)")
    _connection(upload)


def _emulator(subparsers: Any) -> None:
    # Its options are the emulator's own (and importing them loads aiohttp): 'main'
    # hands 'minimax-async emulator ...' to the emulator's parser before this one runs.
    _command(
        subparsers,
        "emulator",
        "minimax_async.emulator._cli:main",
        help="run the local MiniMax API emulator (see 'minimax-async emulator --help')",
        add_help=False,
    )


def build_parser(version: str) -> CliParser:
    """The ``minimax-async`` parser (cheap: no heavy import)."""
    parser = CliParser(
        prog=PROG,
        description="Generate MiniMax videos from the command line, resumably and money-safe.",
        epilog="Run 'minimax-async COMMAND --help' for a command's options.",
        formatter_class=_formatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {version}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in (_generate, _batch, _template, _lookups, _v2, _emulator):
        add(subparsers)
    return parser
