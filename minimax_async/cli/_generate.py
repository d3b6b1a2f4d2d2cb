"""``minimax-async generate``: one video in any V1 mode, saved to ``--out``."""

from __future__ import annotations

import argparse
from pathlib import Path

from minimax_async._exceptions import InvalidInputError
from minimax_async._v2_rules import is_v2_model
from minimax_async.cli._exit import INTERRUPTED, CliError
from minimax_async.cli._options import open_client, settings_from
from minimax_async.cli._output import Output
from minimax_async.cli._params import VideoParams, in_user_words, video_params
from minimax_async.cli._results import create_video
from minimax_async.cli._runner import Interrupt, run_command
from minimax_async.cli._single import check_out_file, collect

__all__ = ("run",)

_FLAG_NAMES = {
    "first_frame": "--first-frame",
    "last_frame": "--last-frame",
    "subject": "--subject",
    "camera": "--camera",
}


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


def _refuse_v2_flags(args: argparse.Namespace) -> None:
    given = [
        flag
        for flag, value in (
            ("--ratio", args.ratio),
            ("--reference-image", args.reference_image),
            ("--reference-video", args.reference_video),
            ("--reference-audio", args.reference_audio),
            ("--prompt-expansion-mode", args.prompt_expansion_mode),
        )
        if value
    ]
    if given:
        raise CliError(f"{given[0]}: only MiniMax-H3 models take it; add --model MiniMax-H3")


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Check the flags and the output path, create the task, wait for it, save the video."""
    out = Output(json_mode=args.json)
    interrupt = Interrupt()
    if is_v2_model(args.model):
        from minimax_async.cli._v2 import generate

        return generate(args, out, interrupt)

    async def body() -> int:
        # Every local check runs before the emulator or the client is even started.
        _refuse_v2_flags(args)
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
