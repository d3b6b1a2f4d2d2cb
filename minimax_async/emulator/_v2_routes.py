"""The V2 routes (reference §2): create, query, list, cancel/delete, the H3 side
endpoints, and the ``/v1/files/upload`` route whose files V2 references as ``mm_file://``.
"""

from __future__ import annotations

import functools
import logging
import random
import re
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import BodyPartReader, web

from minimax_async.emulator import _v2_tables as v2
from minimax_async.emulator._callbacks import CallbackClient
from minimax_async.emulator._config import EmulatorConfig
from minimax_async.emulator._errors import BodyTooLarge, Refused
from minimax_async.emulator._http import AuthFailed, answer, authenticate, current_record, read_body
from minimax_async.emulator._lifecycle import Runners
from minimax_async.emulator._media import v2_asset
from minimax_async.emulator._rate import SlidingWindow
from minimax_async.emulator._state import Store
from minimax_async.emulator._status import V2Status
from minimax_async.emulator._v2_lifecycle import V2Lifecycle, push_of
from minimax_async.emulator._v2_media import check_bytes, kind_of_bytes
from minimax_async.emulator._v2_state import Upload, V2Task
from minimax_async.emulator._v2_validate import (
    CheckedTask,
    check_context_ir,
    check_create,
    check_regeneration,
)
from minimax_async.emulator._v2_wire import ApiError, invalid, respond, task_body
from minimax_async.emulator._validate import choose_failure, parse_json_body
from minimax_async.emulator._wire import base_resp, error_body

__all__ = ("V2Api",)

logger = logging.getLogger(__name__)

_LOGIN = (
    "login fail: Please carry the API secret key in the 'Authorization' field of the request header"
)
_RATE = "rate limit, please retry later"
_INJECTED = {500: (1000, "internal error"), 529: (1000, "service overloaded, please retry later")}
_LIST_FILTERS = ("filter.status", "filter.task_ids", "filter.model", "filter.task_type")
_TASK_TYPES = ("generation", "h3_context_ir", "regeneration")
_MB = 1024 * 1024

Handler = Callable[["V2Api", web.Request, str], Awaitable[web.StreamResponse]]


def _endpoint(handler: Handler) -> Callable[[V2Api, web.Request], Awaitable[web.StreamResponse]]:
    """Injected errors, Bearer auth (401), and refusals as envelopes, around a handler."""

    @functools.wraps(handler)
    async def wrapped(self: V2Api, request: web.Request) -> web.StreamResponse:
        config = self._config()
        try:
            if config.v2_error_rate and self._rng.random() < config.v2_error_rate:
                code, message = _INJECTED[config.v2_error_status]
                current_record().fault = f"v2 {config.v2_error_status}"
                raise ApiError(config.v2_error_status, code, message)
            try:
                owner = authenticate(request, config.api_keys)
            except AuthFailed as exc:
                message = _LOGIN if "missing" in exc.message else f"login fail: {exc.message}"
                raise ApiError(401, 1004, message) from None
            return await handler(self, request, owner)
        except BodyTooLarge as exc:
            raise_as = config.v2_body_cap_status
            return respond(ApiError(raise_as, 2013, exc.message))
        except Refused as exc:
            return respond(ApiError(400, 2013, exc.message))
        except ApiError as exc:
            return respond(exc)

    return wrapped


class V2Api:
    """V2 handlers over the emulator's shared store, callbacks and runners."""

    def __init__(
        self,
        *,
        config: Callable[[], EmulatorConfig],
        store: Store,
        callbacks: CallbackClient,
        rng: random.Random,
        runners: Runners,
        base_url: Callable[[], str],
    ) -> None:
        self._config = config
        self._store = store
        self._callbacks = callbacks
        self._rng = rng
        self._base_url = base_url
        self._creates = SlidingWindow()
        self.tasks: dict[str, V2Task] = {}
        self.uploads: dict[str, Upload] = {}
        #: Called after every new task, status change, deletion and upload (a saved
        #: state hooks in here).
        self.on_change: Callable[[V2Task | Upload], None] | None = None
        self.lifecycle = V2Lifecycle(
            store, callbacks, config, self._finish, runners, changed=self._report
        )

    def _report(self, item: V2Task | Upload) -> None:
        if self.on_change is not None:
            self.on_change(item)

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post("/v2/video_generation", self.create),
            web.delete("/v2/video_generation/{task_id}", self.delete),
            web.get("/v2/query/video_generation/{task_id}", self.query, allow_head=False),
            web.get("/v2/query/video_generation", self.list, allow_head=False),
            web.post("/v2/h3_context_ir", self.context_ir),
            web.post("/v2/video_regeneration", self.regeneration),
            web.post("/v1/files/upload", self.upload),
            web.get("/v1/files/list", self.list_files, allow_head=False),
        ]

    # --- creates -------------------------------------------------------------------

    @_endpoint
    async def create(self, request: web.Request, owner: str) -> web.StreamResponse:
        """POST /v2/video_generation."""
        return await self._create(request, owner, check_create)

    @_endpoint
    async def context_ir(self, request: web.Request, owner: str) -> web.StreamResponse:
        """POST /v2/h3_context_ir: a text-only task (an enhanced prompt)."""
        return await self._create(request, owner, check_context_ir)

    @_endpoint
    async def regeneration(self, request: web.Request, owner: str) -> web.StreamResponse:
        """POST /v2/video_regeneration: a 768P H3 output re-rendered at 2K."""

        def check(body: Any, config: EmulatorConfig, upload: Any) -> CheckedTask:
            return check_regeneration(body, config, upload, lambda tid: self._source(owner, tid))

        return await self._create(request, owner, check)

    async def _create(
        self,
        request: web.Request,
        owner: str,
        check: Callable[[Any, EmulatorConfig, Any], CheckedTask],
    ) -> web.StreamResponse:
        config = self._config()
        if not self._creates.take(config.v2_rpm_limit):
            raise ApiError(429, 1002, _RATE)
        body = parse_json_body(await read_body(request, config.max_body_bytes))
        current_record().json = body
        checked = check(body, config, lambda file_id: self._upload_for(owner, file_id))
        if config.v2_insufficient_balance:
            raise ApiError(402, 1008, "insufficient balance")
        pattern = config.v2_moderation_pattern
        texts = [i.get("text", "") for i in body.get("content") or [] if i.get("type") == "text"]
        if pattern is not None and any(re.search(pattern, text) for text in texts):
            raise ApiError(422, 1026, "video description contains sensitive content")
        limit = config.v2_in_flight_limit
        if limit is not None and self._in_flight(owner) >= limit:
            raise ApiError(429, 1002, _RATE)
        callback_url = checked.callback_url
        if callback_url is not None:
            challenge = await self._callbacks.challenge(
                callback_url, secrets.token_hex(16), method=config.v2_challenge_method
            )
            if not challenge.delivered:
                if config.v2_callback_check == "reject":
                    raise invalid("fail to check callback url")
                callback_url = None  # accepted silently: no push will ever come
        task = self._new_task(body, checked, owner, callback_url, config)
        # Stored only now: every refusal above leaves nothing behind.
        self.tasks[task.task_id] = task
        await self._store.notify()
        pushed = False
        early = config.push_before_create_returns and config.v2_push_queued
        if early and callback_url is not None:
            await self._callbacks.push_now(task.task_id, callback_url, push_of(task, config))
            pushed = True
        response = respond({"task_id": task.task_id})
        await response.prepare(request)
        await response.write_eof()
        self.lifecycle.start(task, queued_pushed=pushed)
        return response

    def _new_task(
        self,
        body: dict[str, Any],
        checked: CheckedTask,
        owner: str,
        callback_url: str | None,
        config: EmulatorConfig,
    ) -> V2Task:
        now = self._store.clock.wall()
        asset: Path | None = None
        if checked.task_type != "h3_context_ir":
            asset = v2_asset(checked.resolution, _ratio_of(checked))
        return V2Task(
            # 15 digits, as the documented examples; never the id of a V1 task.
            task_id=self._store.unique(15, self.tasks, self._store.tasks),
            owner=owner,
            model=checked.model,
            task_type=checked.task_type,
            request=body,
            resolution=checked.resolution,
            duration=checked.duration,
            ratio=checked.ratio,
            requested_ratio=checked.requested_ratio,
            created_at=int(now),
            updated_at=int(now),
            created_mono=self._store.clock.monotonic(),
            media=checked.media,
            asset=asset,
            width=checked.width,
            height=checked.height,
            failure_code=choose_failure(body, config, self._rng),
            callback_url=callback_url,
            history_times=[now],
        )

    def _in_flight(self, owner: str) -> int:
        live = (V2Status.QUEUED, V2Status.RUNNING)
        return sum(1 for t in self.tasks.values() if t.owner == owner and t.status in live)

    def _finish(self, task: V2Task) -> None:
        if task.task_type == "h3_context_ir":
            task.prompt = _enhanced_prompt(task)
            return
        self._mint_url(task)

    def _mint_url(self, task: V2Task) -> None:
        assert task.asset is not None
        config = self._config()
        # The same links and download handler as V1's files, so V2 inherits Range.
        link = self._store.mint_link(task.asset, config.scaled(config.v2_content_url_ttl))
        task.content_url = f"{self._base_url()}/download/{link.token}/output.mp4"
        task.content_url_expires = link.expires_at

    # --- lookups -------------------------------------------------------------------

    def _visible(self, owner: str, task_id: str) -> V2Task | None:
        """The caller's task if it is in the [T - 7 d, T) window and not deleted."""
        task = self.tasks.get(task_id)
        if task is None or task.owner != owner or task.deleted:
            return None
        config = self._config()
        age = self._store.clock.monotonic() - task.created_mono
        return task if age < config.scaled(config.v2_task_window_seconds) else None

    def _known(self, owner: str, task_id: str) -> V2Task:
        task = self._visible(owner, task_id)
        if task is None:
            status = self._config().v2_unknown_task_status
            raise ApiError(status, 2013, "invalid params, invalid task_id")
        return task

    def _source(self, owner: str, task_id: str) -> tuple[int, str] | None:
        task = self._visible(owner, task_id)
        if task is None:
            return None
        fit = (
            task.task_type == "generation"
            and task.model == "MiniMax-H3"
            and task.resolution == "768P"
            and task.status is V2Status.SUCCEEDED
        )
        if not fit:
            raise Refused("source_task_id", task_id, "must be a succeeded 768P MiniMax-H3 task")
        return task.duration, task.ratio

    def _upload_for(self, owner: str, file_id: str) -> Upload | None:
        record = self.uploads.get(file_id)
        if record is None or record.owner != owner:
            return None
        config = self._config()
        age = self._store.clock.monotonic() - record.created_mono
        if age >= config.scaled(config.v2_file_lifetime_seconds):
            raise Refused(f"mm_file://{file_id}", file_id, "file expired")
        if record.purpose != "video_generation_input":
            raise Refused(f"mm_file://{file_id}", file_id, f"purpose is {record.purpose}")
        return record

    # --- query, list, delete -------------------------------------------------------

    def _body(self, task: V2Task) -> dict[str, Any]:
        config = self._config()
        if task.status is V2Status.SUCCEEDED and task.asset is not None:
            expired = self._store.clock.monotonic() >= task.content_url_expires
            if config.v2_url_per_query or expired:
                self._mint_url(task)
        return task_body(task, config)

    @_endpoint
    async def query(self, request: web.Request, owner: str) -> web.StreamResponse:
        """GET /v2/query/video_generation/{task_id}."""
        task = self._known(owner, request.match_info["task_id"])
        return respond({"task": self._body(task)})

    @_endpoint
    async def list(self, request: web.Request, owner: str) -> web.StreamResponse:
        """GET /v2/query/video_generation: newest first, with filters and a total."""
        page_num = _positive(request, "page_num", 1)
        page_size = _positive(request, "page_size", 20)
        status = request.query.get("filter.status")
        allowed = [s.value for s in V2Status]
        if status is not None and status not in allowed:
            raise Refused("filter.status", status, f"must be one of {allowed}")
        task_type = request.query.get("filter.task_type")
        if task_type is not None and task_type not in _TASK_TYPES:
            raise Refused("filter.task_type", task_type, f"must be one of {list(_TASK_TYPES)}")
        # Both serialisations seen in clients: repeated keys and one comma-joined value.
        ids = {i for v in request.query.getall("filter.task_ids", []) for i in v.split(",") if i}
        model = request.query.get("filter.model")
        matches = [
            task
            for task in sorted(self.tasks.values(), key=lambda t: t.created_mono, reverse=True)
            if self._visible(owner, task.task_id) is not None
            and (status is None or task.status.value == status)
            and (task_type is None or task.task_type == task_type)
            and (model is None or task.model == model)
            and (not ids or task.task_id in ids)
        ]
        start = (page_num - 1) * page_size
        items = [self._body(task) for task in matches[start : start + page_size]]
        return respond({"items": items, "total": len(matches)})

    @_endpoint
    async def delete(self, request: web.Request, owner: str) -> web.StreamResponse:
        """DELETE /v2/video_generation/{task_id}: cancel a queued task, delete a finished one."""
        task = self._known(owner, request.match_info["task_id"])
        verb = self._config().v2_delete_style == "verb"
        if task.status is V2Status.QUEUED:
            await self.lifecycle.cancel(task)
            action, status = ("cancel" if verb else "cancelled"), "cancelled"
        elif task.status in (V2Status.SUCCEEDED, V2Status.FAILED, V2Status.EXPIRED):
            task.deleted = True
            self._report(task)
            await self._store.notify()
            action, status = ("delete" if verb else "deleted"), "deleted"
        elif task.status is V2Status.RUNNING:
            raise invalid("task is running; only a queued task can be cancelled")
        else:
            raise invalid("task is already cancelled")
        return respond({"task_id": task.task_id, "action": action, "status": status})

    # --- files ---------------------------------------------------------------------

    async def upload(self, request: web.Request) -> web.StreamResponse:
        """POST /v1/files/upload (multipart ``purpose`` + ``file``), V1-style answers."""
        config = self._config()
        try:
            owner = authenticate(request, config.api_keys)
        except AuthFailed as exc:
            return answer(request, error_body(exc.code, exc.message))
        try:
            record = await self._receive(request, owner)
        except Refused as exc:
            # Checked at upload: a file that breaks a rule is refused and not stored.
            response = answer(request, error_body(2013, exc.message))
            response.set_status(400)
            return response
        self.uploads[record.file_id] = record
        self._report(record)
        return answer(request, {"file": self._file(record), "base_resp": base_resp()})

    async def _receive(self, request: web.Request, owner: str) -> Upload:
        if not request.content_type.startswith("multipart/"):
            raise Refused("body", request.content_type, "must be multipart/form-data")
        reader = await request.multipart()
        purpose: str | None = None
        data: bytes | None = None
        filename = "upload"
        limit = max(v2.VIDEO_MAX_BYTES, v2.IMAGE_MAX_BYTES, v2.AUDIO_MAX_BYTES)
        while True:
            part = await reader.next()
            if part is None:
                break
            if not isinstance(part, BodyPartReader):
                raise Refused("body", "<nested multipart>", "must be flat multipart/form-data")
            if part.name == "purpose":
                purpose = (await _read_part(part, 256)).decode("utf-8", "replace").strip()
            elif part.name == "file":
                filename = part.filename or filename
                data = await _read_part(part, limit)
        if purpose is None:
            raise Refused("purpose", None, "required")
        if purpose not in v2.FILE_PURPOSES:
            raise Refused("purpose", purpose, f"must be one of {list(v2.FILE_PURPOSES)}")
        if data is None:
            raise Refused("file", None, "required")
        now = self._store.clock.wall()
        record = Upload(
            file_id=self._store.unique(15, self.uploads, self._store.files),
            owner=owner,
            purpose=purpose,
            filename=filename,
            bytes=len(data),
            created_at=int(now),
            created_mono=self._store.clock.monotonic(),
        )
        if purpose == "video_generation_input":
            kind = kind_of_bytes(data)
            if kind is None:
                raise Refused(
                    "file",
                    filename,
                    "not an image (JPG/PNG/WEBP/HEIC/HEIF), video (MP4/MOV) or audio (WAV/MP3)",
                )
            checked = check_bytes(kind, data, field="file", label=filename)
            record.kind = kind
            record.width, record.height, record.seconds = (
                checked.width,
                checked.height,
                checked.seconds,
            )
            record.video, record.audio = checked.video, checked.audio
        return record

    def _file(self, record: Upload) -> dict[str, Any]:
        as_number = self._config().v2_file_id_type == "number"
        return {
            "file_id": int(record.file_id) if as_number else record.file_id,
            "bytes": record.bytes,
            "created_at": record.created_at,
            "filename": record.filename,
            "purpose": record.purpose,
        }

    async def list_files(self, request: web.Request) -> web.StreamResponse:
        """GET /v1/files/list?purpose=: the caller's uploads of that purpose."""
        try:
            owner = authenticate(request, self._config().api_keys)
        except AuthFailed as exc:
            return answer(request, error_body(exc.code, exc.message))
        purpose = request.query.get("purpose")
        if purpose is None:
            return answer(request, error_body(2013, "invalid params, purpose: required"))
        files = [
            self._file(r)
            for r in self.uploads.values()
            if r.owner == owner and r.purpose == purpose
        ]
        return answer(request, {"files": files, "base_resp": base_resp()})


async def _read_part(part: BodyPartReader, limit: int) -> bytes:
    """The part's bytes, refused as soon as they pass ``limit`` (never all in memory)."""
    chunks: list[bytes] = []
    size = 0
    while chunk := await part.read_chunk():
        size += len(chunk)
        if size > limit:
            # In MB as the reference states the caps (the largest is video's 50 MB).
            cap = f"{limit / _MB:g} MB" if limit >= _MB else f"{limit} bytes"
            raise Refused(part.name or "part", f"<over {cap}>", f"must be at most {cap}")
        chunks.append(chunk)
    return b"".join(chunks)


def _positive(request: web.Request, name: str, default: int) -> int:
    raw = request.query.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise Refused(name, raw, "must be a positive integer")
    return int(raw)


def _ratio_of(checked: CheckedTask) -> str:
    """The ratio whose bundled asset matches the output size (regeneration reports "")."""
    sizes = v2.OUTPUT_PIXELS[checked.resolution]
    return next(r for r, size in sizes.items() if size == (checked.width, checked.height))


def _enhanced_prompt(task: V2Task) -> str:
    """A Context-IR result in the documented shape (§8.1)."""
    text = " ".join(task.text.split())
    return (
        f"integrated_multimodal_description: [Shot 1] {text}\n"
        "overall_soundscape: ambient sound matching the scene (emulator)\n"
        "non_diegetic_music: none (emulator)"
    )
