"""``minimax-async generate``: one video in any V1 mode, saved to ``--out``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from minimax_async._exceptions import InvalidInputError
from minimax_async.cli._exit import INTERRUPTED, CliError
from minimax_async.cli._options import add_shared_options, open_client, settings_from
from minimax_async.cli._output import Output
from minimax_async.cli._params import VideoParams, in_user_words, video_params
from minimax_async.cli._results import create_video
from minimax_async.cli._runner import Interrupt, run_command
from minimax_async.cli._single import check_out_file, collect

__all__ = ("register", "run")

_FLAG_NAMES = {
    "first_frame": "--first-frame",
    "last_frame": "--last-frame",
    "subject": "--subject",
    "camera": "--camera",
}


def register(subparsers: Any) -> None:
    """Add the ``generate`` subcommand."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "generate",
        help="generate one video (text, image, first+last frame or subject reference)",
        description=(
            "Generate one video and save it. The mode follows the images given: none is"
            " text-to-video, --first-frame image-to-video, --first-frame + --last-frame"
            " first+last frame, --subject subject reference."
        ),
    )
    parser.add_argument("--prompt", help="what happens in the video (up to 2000 characters)")
    parser.add_argument("--model", help="model id (default: the newest model for the mode)")
    parser.add_argument("--first-frame", metavar="IMAGE", help="first frame: a path or URL")
    parser.add_argument("--last-frame", metavar="IMAGE", help="last frame: a path or URL")
    parser.add_argument("--subject", metavar="IMAGE", help="a face to feature: a path or URL")
    parser.add_argument("--duration", type=int, help="seconds: 6 or 10 where the model allows")
    parser.add_argument("--resolution", help="512P, 720P, 768P or 1080P, as the model allows")
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
    parser.add_argument("--out", type=Path, help="where to save the MP4 (default: TASK_ID.mp4)")
    add_shared_options(parser)
    parser.set_defaults(handler=run, parser=parser)


# Errors from the shared rules name wire fields; the user typed flags.
_WIRE_TO_FLAG = {
    "model": "--model",
    "prompt": "--prompt",
    "duration": "--duration",
    "resolution": "--resolution",
    "first_frame_image": "--first-frame",
    "last_frame_image": "--last-frame",
    "subject_reference": "--subject",
}


def _params(args: argparse.Namespace) -> VideoParams:
    try:
        return _checked_params(args)
    except InvalidInputError as exc:
        raise CliError(in_user_words(exc, _WIRE_TO_FLAG)) from None


def _checked_params(args: argparse.Namespace) -> VideoParams:
    return video_params(
        model=args.model,
        prompt=args.prompt,
        first_frame=args.first_frame,
        last_frame=args.last_frame,
        subject=args.subject,
        duration=args.duration,
        resolution=args.resolution,
        camera_moves=args.camera,
        prompt_optimizer=args.prompt_optimizer,
        base=Path.cwd(),
        names=_FLAG_NAMES,
    )


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Check the flags and the output path, create the task, wait for it, save the video."""
    out = Output(json_mode=args.json)
    interrupt = Interrupt()

    async def body() -> int:
        # Every local check runs before the emulator or the client is even started.
        settings = settings_from(args)
        params = _params(args)
        check_out_file(args.out)
        async with open_client(settings, out) as client:
            if interrupt.requested:
                out.error("interrupted before the create was sent; nothing was spent")
                return INTERRUPTED
            # Not interruptible: once sent, the task id must reach the user.
            task = await create_video(client, params)
            out.note(f"created task {task.task_id}; waiting for the result")
            return await collect(
                client, task, out, args.out, patience=settings.timeout, interrupt=interrupt
            )

    return run_command(body, out, interrupt=interrupt)
