"""Typed request and response models, with the wire's field names.

Every model keeps unknown fields (MiniMax adds fields over time) and every id is a
string, even where the wire sends a JSON number.
"""

from minimax_async.models._base import BaseResp, Id, WireModel
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
    "CreateTaskResponse",
    "FileObject",
    "FileRetrieveResponse",
    "Id",
    "MediaInput",
    "SubjectReference",
    "TaskSnapshot",
    "TextInput",
    "VideoGenerationRequest",
    "VideoQueryResponse",
    "VideoTemplateRequest",
    "WireModel",
)
