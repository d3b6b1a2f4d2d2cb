"""``status TASK_ID``, ``wait TASK_ID --out FILE`` and ``download FILE_ID``: existing tasks."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from minimax_async._client import AsyncMiniMax
from minimax_async._exceptions import InvalidRequestError
from minimax_async._status import TaskStatus
from minimax_async.cli._exit import OK, TASK_FAILED, CliError
from minimax_async.cli._mp4 import read_mp4_info
from minimax_async.cli._options import open_client, settings_from
from minimax_async.cli._output import Output, TaskRecord, failure_text
from minimax_async.cli._runner import Interrupt, run_command
from minimax_async.cli._single import check_out_file, collect
from minimax_async.models import TaskSnapshot

__all__ = ("download", "status", "wait")


def _check_id(value: str, flag: str) -> str:
    # Ids are decimal strings; anything else would only earn a 2013 from MiniMax.
    if not value.isdigit():
        raise CliError(f"{flag}={value!r}: must be the numeric id MiniMax returned")
    return value


async def _query(client: AsyncMiniMax, task_id: str, agent: bool, v2: bool = False) -> TaskSnapshot:
    if v2:
        return await client.video.v2.task(task_id).refresh()
    if agent:
        return await client.video_agent.query(task_id)
    try:
        return await client.video.query(task_id)
    except InvalidRequestError:
        pass  # not a V1 video task of this account: a template task, or a V2 one
    try:
        return await client.video_agent.query(task_id)
    except InvalidRequestError:
        return await client.video.v2.task(task_id).refresh()


def status(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    out = Output(json_mode=args.json)

    async def body() -> int:
        settings = settings_from(args)
        task_id = _check_id(args.task_id, "TASK_ID")
        async with open_client(settings, out) as client:
            try:
                snapshot = await _query(client, task_id, args.agent, args.v2)
            except InvalidRequestError as exc:
                raise CliError(f"TASK_ID={task_id}: {exc.status_msg}") from None
        status = TaskStatus.parse(snapshot.status)
        data: dict[str, Any] = {"task_id": task_id, "status": status.value}
        for key in ("file_id", "video_url", "video_width", "video_height"):
            value = getattr(snapshot, key, None)
            if value is not None:
                data[key] = value
        failed = status is TaskStatus.FAIL
        base = snapshot.base_resp
        data["error"] = (
            {"code": base.status_code if base else None, "message": failure_text(snapshot)}
            if failed
            else None
        )
        if out.json_mode:
            print(json.dumps(data), file=out.stdout, flush=True)
        else:
            shown = {k: v for k, v in data.items() if k not in ("task_id", "status", "error")}
            extras = " ".join(f"{k}={v}" for k, v in shown.items())
            why = f" {failure_text(snapshot)}" if failed else ""
            line = f"task {task_id}: {status.value}{why} {extras}".rstrip()
            print(line, file=out.stdout, flush=True)
        return TASK_FAILED if failed else OK

    return run_command(body, out)


def wait(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    out = Output(json_mode=args.json)
    interrupt = Interrupt()

    async def body() -> int:
        settings = settings_from(args)
        task_id = _check_id(args.task_id, "TASK_ID")
        check_out_file(args.out)
        async with open_client(settings, out) as client:
            resource = client.video_agent if args.agent else client.video
            task = client.video.v2.task(task_id) if args.v2 else resource.task(task_id)
            try:
                return await collect(
                    client,
                    task,
                    out,
                    args.out,
                    patience=settings.timeout,
                    interrupt=interrupt,
                    poll_interval=resource.poll_interval,
                )
            except InvalidRequestError as exc:
                hint = "" if args.agent or args.v2 else " (add --agent or --v2?)"
                raise CliError(f"TASK_ID={task_id}: {exc.status_msg}{hint}") from None

    return run_command(body, out, interrupt=interrupt)


def download(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    out = Output(json_mode=args.json)

    async def body() -> int:
        settings = settings_from(args)
        file_id = _check_id(args.file_id, "FILE_ID")
        check_out_file(args.out)
        path: Path = args.out if args.out is not None else Path(f"{file_id}.mp4")
        async with open_client(settings, out) as client:
            try:
                saved = Path(await client.files.download(file_id, path))
            except InvalidRequestError as exc:
                raise CliError(f"FILE_ID={file_id}: {exc.status_msg}") from None
        info = read_mp4_info(saved)
        out.result(
            TaskRecord(
                task_id=None,
                status="Success",
                file_id=file_id,
                path=saved,
                width=info.width,
                height=info.height,
                seconds=info.seconds,
            )
        )
        return OK

    return run_command(body, out)
