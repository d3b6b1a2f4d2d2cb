"""The V2 (MiniMax-H3, H3-Max) side of the command line.

``generate --model MiniMax-H3 ...`` creates through the SDK's V2 path (every rule is
checked there before anything is spent) and then waits and saves like any other task;
``list`` shows the account's V2 tasks of the last 7 days, ``cancel TASK_ID`` cancels a
queued one, ``upload FILE`` gives an ``mm_file://`` reference for any media flag.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from minimax_async._exceptions import InvalidInputError
from minimax_async._tasks import V2VideoTask
from minimax_async.cli._exit import INTERRUPTED, OK, CliError
from minimax_async.cli._options import open_client, settings_from
from minimax_async.cli._output import Output
from minimax_async.cli._params import in_user_words
from minimax_async.cli._runner import Interrupt, run_command
from minimax_async.cli._single import check_out_file, collect

__all__ = ("cancel", "generate", "list_tasks", "upload")

#: The SDK's field names, as the user typed them.
_FLAGS = {
    "first_frame_image": "--first-frame",
    "last_frame_image": "--last-frame",
    "reference_images": "--reference-image",
    "reference_videos": "--reference-video",
    "reference_audios": "--reference-audio",
    "prompt_expansion_mode": "--prompt-expansion-mode",
    "model": "--model",
    "prompt": "--prompt",
    "duration": "--duration",
    "resolution": "--resolution",
    "ratio": "--ratio",
}
#: V1 flags a V2 model has no field for.
_V1_ONLY = {
    "subject": "--subject",
    "camera": "--camera",
    "prompt_optimizer": "--no-prompt-optimizer",
}


def _create_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    for attr, flag in _V1_ONLY.items():
        if getattr(args, attr, None):
            raise CliError(f"{flag}: {args.model} (the V2 API) has no such option")
    kwargs: dict[str, Any] = {
        "model": args.model,
        "prompt": args.prompt,
        "first_frame_image": args.first_frame,
        "last_frame_image": args.last_frame,
        "reference_images": args.reference_image or None,
        "reference_videos": args.reference_video or None,
        "reference_audios": args.reference_audio or None,
        "duration": args.duration,
        "resolution": args.resolution,
        "ratio": args.ratio,
        "prompt_expansion_mode": args.prompt_expansion_mode,
    }
    return {key: value for key, value in kwargs.items() if value is not None}


def generate(args: argparse.Namespace, out: Output, interrupt: Interrupt) -> int:
    """``generate`` for a V2 model: create (checked by the SDK), wait, save."""

    async def body() -> int:
        settings = settings_from(args)
        kwargs = _create_kwargs(args)
        check_out_file(args.out)
        async with open_client(settings, out) as client:
            if interrupt.requested:
                out.error("interrupted before the create was sent; nothing was spent")
                return INTERRUPTED
            try:
                task = await client.video.create(**kwargs)
            except InvalidInputError as exc:
                raise CliError(in_user_words(exc, _FLAGS)) from None
            assert isinstance(task, V2VideoTask)  # a V2 model always gives a V2 handle
            out.note(f"created task {task.task_id}; waiting for the result")
            return await collect(
                client, task, out, args.out, patience=settings.timeout, interrupt=interrupt
            )

    return run_command(body, out, interrupt=interrupt)


def list_tasks(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """``list``: one line (or JSON object) per V2 task of the last 7 days, newest first."""
    out = Output(json_mode=args.json)

    async def body() -> int:
        settings = settings_from(args)
        async with open_client(settings, out) as client:
            try:
                listed = client.video.list(
                    status=args.status,
                    task_ids=args.task_id or None,
                    model=args.model,
                    task_type=args.task_type,
                )
            except InvalidInputError as exc:
                raise CliError(in_user_words(exc, {"task_ids": "--task-id"})) from None
            shown = 0
            async for task in listed:
                if args.limit is not None and shown >= args.limit:
                    break
                shown += 1
                if out.json_mode:
                    print(json.dumps(task.model_dump(mode="json")), file=out.stdout, flush=True)
                else:
                    url = f" {task.video_url}" if task.video_url else ""
                    line = f"{task.id} {task.status} {task.model} {task.resolution}{url}"
                    print(line, file=out.stdout, flush=True)
        return OK

    return run_command(body, out)


def cancel(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """``cancel TASK_ID``: cancel a queued V2 task (refused in any other status)."""
    out = Output(json_mode=args.json)

    async def body() -> int:
        settings = settings_from(args)
        async with open_client(settings, out) as client:
            try:
                answer = await client.video.v2.cancel(args.task_id)
            except InvalidInputError as exc:
                raise CliError(in_user_words(exc, {"task_id": "TASK_ID"})) from None
        if out.json_mode:
            print(json.dumps(answer.model_dump(mode="json")), file=out.stdout, flush=True)
        else:
            print(f"task {answer.task_id}: {answer.status}", file=out.stdout, flush=True)
        return OK

    return run_command(body, out)


def upload(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """``upload FILE``: check and upload a media file; prints its ``mm_file://`` reference."""
    out = Output(json_mode=args.json)
    path: Path = args.file

    async def body() -> int:
        settings = settings_from(args)
        async with open_client(settings, out) as client:
            try:
                uploaded = await client.files.upload(path)
            except InvalidInputError as exc:
                raise CliError(in_user_words(exc, {"file": "FILE"})) from None
        if out.json_mode:
            data = {**uploaded.model_dump(mode="json"), "reference": uploaded.reference}
            print(json.dumps(data), file=out.stdout, flush=True)
        else:
            print(uploaded.reference, file=out.stdout, flush=True)
        return OK

    return run_command(body, out)
