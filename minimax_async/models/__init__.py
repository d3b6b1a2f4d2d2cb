"""Typed request and response models, with the wire's field names.

Every model keeps unknown fields (MiniMax adds fields over time) and every id is a
string, even where the wire sends a JSON number. V1 models live in ``_video``, the
V2 API's (MiniMax-H3) in ``_v2``.
"""

from minimax_async.models._base import BaseResp, Id, WireModel
from minimax_async.models._v2 import (
    ContentItem,
    MediaURL,
    V2DeleteResponse,
    V2Error,
    V2ErrorDetail,
    V2ErrorEnvelope,
    V2Extra,
    V2ListResponse,
    V2QueryResponse,
    V2Snapshot,
    V2Task,
    V2TaskContent,
    V2UploadedFile,
    V2UploadResponse,
    V2Usage,
    VideoGenerationV2Request,
)
from minimax_async.models._video import (
    AgentQueryResponse,
    CreateTaskResponse,
    FileObject,
    FileRetrieveResponse,
    MediaInput,
    SubjectReference,
    TaskSnapshot,
    TextInput,
    VideoGenerationRequest,
    VideoQueryResponse,
    VideoTemplateRequest,
)

__all__ = (
    "AgentQueryResponse",
    "BaseResp",
    "ContentItem",
    "CreateTaskResponse",
    "FileObject",
    "FileRetrieveResponse",
    "Id",
    "MediaInput",
    "MediaURL",
    "SubjectReference",
    "TaskSnapshot",
    "TextInput",
    "V2DeleteResponse",
    "V2Error",
    "V2ErrorDetail",
    "V2ErrorEnvelope",
    "V2Extra",
    "V2ListResponse",
    "V2QueryResponse",
    "V2Snapshot",
    "V2Task",
    "V2TaskContent",
    "V2UploadResponse",
    "V2UploadedFile",
    "V2Usage",
    "VideoGenerationRequest",
    "VideoGenerationV2Request",
    "VideoQueryResponse",
    "VideoTemplateRequest",
    "WireModel",
)
