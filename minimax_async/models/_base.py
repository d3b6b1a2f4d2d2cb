from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict

__all__ = ("BaseResp", "Id", "WireModel")


def _id_to_str(value: Any) -> Any:
    # files/retrieve sends file_id as a JSON number while the query sends a string;
    # bool is an int subclass and never a valid id.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


#: A task, file or template id: always a string, even when the wire sends a number.
Id = Annotated[str, BeforeValidator(_id_to_str)]


class WireModel(BaseModel):
    """Base of every request and response model: wire-exact names, unknown fields kept."""

    # defer_build: each model compiles its validator on first use, not at import, so
    # importing the client does not pay for the models a program never touches.
    model_config = ConfigDict(extra="allow", populate_by_name=True, defer_build=True)


class BaseResp(WireModel):
    """The ``base_resp`` envelope on every V1 answer; ``status_code`` 0 means success."""

    status_code: int = 0
    status_msg: str = ""

    @property
    def ok(self) -> bool:
        return self.status_code == 0
