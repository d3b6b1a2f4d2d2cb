"""The six V1 routes plus the download links the emulator mints."""

from __future__ import annotations

import logging
import random
import secrets
from collections.abc import Callable
from typing import Any

from aiohttp import web

from minimax_async.emulator._callbacks import CallbackClient
from minimax_async.emulator._config import EmulatorConfig
from minimax_async.emulator._download import serve_file
from minimax_async.emulator._errors import Refused
from minimax_async.emulator._http import (
    AuthFailed,
    answer,
    authenticate,
    current_record,
    read_body,
)
from minimax_async.emulator._lifecycle import Lifecycle, Runners
from minimax_async.emulator._media import output_size, video_asset
from minimax_async.emulator._rate import SlidingWindow
from minimax_async.emulator._state import Store, TaskRecord
from minimax_async.emulator._status import Status
from minimax_async.emulator._validate import (
    check_agent_body,
    check_video_body,
    choose_failure,
    parse_json_body,
)
from minimax_async.emulator._wire import error_body, file_body, push_body, query_body

__all__ = ("Api",)

logger = logging.getLogger(__name__)

_CALLBACK_FAILED = "invalid params, fail to check callback url"


def _invalid(exc: Refused) -> dict[str, Any]:
    return error_body(2013, exc.message, task_id="")


class Api:
    """Route handlers over one emulator's store; ``base_url`` is set once the port is known."""

    def __init__(
        self,
        *,
        config: Callable[[], EmulatorConfig],
        store: Store,
        callbacks: CallbackClient,
        rng: random.Random,
        runners: Runners,
    ) -> None:
        self._config = config
        self._store = store
        self._callbacks = callbacks
        self._rng = rng
        self._creates = SlidingWindow()
        self.base_url = ""
        self.lifecycle = Lifecycle(store, callbacks, config, self._mint_agent_url, runners)

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post("/v1/video_generation", self.create_video),
            web.get("/v1/query/video_generation", self.query_video, allow_head=False),
            web.get("/v1/files/retrieve", self.retrieve_file, allow_head=False),
            web.get("/v1/files/retrieve_content", self.retrieve_content, allow_head=False),
            web.post("/v1/video_template_generation", self.create_agent),
            web.get("/v1/query/video_template_generation", self.query_agent, allow_head=False),
            web.get("/download/{token}/{name}", self.download),
        ]

    # --- creates -----------------------------------------------------------------

    async def create_video(self, request: web.Request) -> web.StreamResponse:
        """POST /v1/video_generation."""
        return await self._create(request, "video")

    async def create_agent(self, request: web.Request) -> web.StreamResponse:
        """POST /v1/video_template_generation."""
        return await self._create(request, "agent")

    async def _create(self, request: web.Request, kind: str) -> web.StreamResponse:
        config = self._config()
        try:
            owner = authenticate(request, config.api_keys)
        except AuthFailed as exc:
            return answer(request, error_body(exc.code, exc.message, task_id=""))
        if not self._creates.take(config.rpm_limit):
            return answer(request, error_body(1002, "rate limit exceeded (RPM)", task_id=""))
        try:
            body = parse_json_body(await read_body(request, config.max_body_bytes))
            current_record().json = body
            task = self._new_task(body, kind, owner, config)
        except Refused as exc:
            return answer(request, _invalid(exc))
        if task.callback_url is not None:
            challenge = await self._callbacks.challenge(task.callback_url, secrets.token_hex(16))
            if not challenge.delivered:
                return answer(request, error_body(2013, _CALLBACK_FAILED, task_id=""))
        await self._store.add_task(task)
        if config.push_before_create_returns and task.callback_url is not None:
            await self._callbacks.push_now(
                task.task_id, task.callback_url, push_body(task, config.push_status_case)
            )
        response = answer(request, {"task_id": task.task_id, "base_resp": _ok()})
        # Send the answer before the lifecycle starts, so no push can overtake it
        # (unless push_before_create_returns asked for exactly that).
        await response.prepare(request)
        await response.write_eof()
        self.lifecycle.start(task)
        return response

    def _new_task(
        self, body: dict[str, Any], kind: str, owner: str, config: EmulatorConfig
    ) -> TaskRecord:
        if kind == "video":
            video = check_video_body(body)
            resolution, duration = video.resolution, video.duration
            width, height = output_size(resolution, video.first_frame)
            callback_url = video.callback_url
            task_kind: Any = "video"
        else:
            agent = check_agent_body(body, region=config.region)
            resolution, duration = "768P", 6
            width, height = output_size(resolution, None)
            callback_url = agent.callback_url
            task_kind = "agent"
        return TaskRecord(
            task_id=self._store.new_task_id(),
            kind=task_kind,
            request=body,
            owner=owner,
            asset=video_asset(resolution, duration),
            resolution=resolution,
            duration=duration,
            width=width,
            height=height,
            failure_code=choose_failure(body, config, self._rng),
            callback_url=callback_url,
        )

    # --- queries -------------------------------------------------------------------

    async def query_video(self, request: web.Request) -> web.StreamResponse:
        """GET /v1/query/video_generation?task_id=."""
        return self._query(request, "video")

    async def query_agent(self, request: web.Request) -> web.StreamResponse:
        """GET /v1/query/video_template_generation?task_id=."""
        return self._query(request, "agent")

    def _query(self, request: web.Request, kind: str) -> web.StreamResponse:
        try:
            owner = authenticate(request, self._config().api_keys)
        except AuthFailed as exc:
            return answer(request, error_body(exc.code, exc.message))
        task_id = request.query.get("task_id", "").strip()
        if not task_id:
            return answer(request, error_body(2013, "invalid params, task_id: required"))
        task = self._store.tasks.get(task_id)
        # Another account's task, or the other API's, is as unknown as a made-up id.
        if task is None or task.owner != owner or task.kind != kind:
            return answer(request, error_body(2013, "invalid params, task_id not found"))
        expired = self._store.clock.monotonic() >= task.video_url_expires
        if kind == "agent" and task.status is Status.SUCCESS and expired:
            self._mint_agent_url(task)
        return answer(request, query_body(task))

    # --- files ---------------------------------------------------------------------

    def _file_for(self, request: web.Request) -> Any:
        """The caller's FileRecord, or an error body to answer instead."""
        try:
            owner = authenticate(request, self._config().api_keys)
        except AuthFailed as exc:
            return error_body(exc.code, exc.message)
        raw = request.query.get("file_id", "").strip()
        if not raw:
            return error_body(2013, "invalid params, file_id: required")
        if not raw.isdigit() or not raw.isascii():
            return error_body(2013, f"invalid params, file_id={raw[:40]!r}: must be an integer")
        record = self._store.files.get(str(int(raw)))
        if record is None or record.owner != owner:
            return error_body(2013, "invalid params, file_id not found")
        return record

    async def retrieve_file(self, request: web.Request) -> web.StreamResponse:
        """GET /v1/files/retrieve?file_id=: metadata plus a freshly minted download_url."""
        found = self._file_for(request)
        if isinstance(found, dict):
            return answer(request, found)
        config = self._config()
        link = self._store.mint_link(found.path, config.scaled(config.download_url_ttl))
        url = f"{self.base_url}/download/{link.token}/output.mp4"
        return answer(request, file_body(found, url))

    async def retrieve_content(self, request: web.Request) -> web.StreamResponse:
        """GET /v1/files/retrieve_content?file_id=: the raw bytes."""
        found = self._file_for(request)
        if isinstance(found, dict):
            return answer(request, found)
        current_record().status_code = 0
        return await serve_file(request, found.path, "video/mp4")

    async def download(self, request: web.Request) -> web.StreamResponse:
        """GET/HEAD /download/{token}/{name}: a minted link, until it expires."""
        link = self._store.links.get(request.match_info["token"])
        if link is None:
            return web.Response(status=404, text="no such object")
        if link.expired:
            # What signed CDN links answer after their expiry.
            return web.Response(status=403, text="link expired; retrieve the file again")
        # Byte ranges as CDNs serve them, so a cut download resumes where it stopped.
        return await serve_file(request, link.path, "video/mp4")

    def _mint_agent_url(self, task: TaskRecord) -> None:
        config = self._config()
        ttl = config.scaled(config.agent_url_ttl)
        link = self._store.mint_link(task.asset, ttl)
        task.video_url = f"{self.base_url}/download/{link.token}/video.mp4"
        task.video_url_expires = link.expires_at


def _ok() -> dict[str, Any]:
    return {"status_code": 0, "status_msg": "success"}
