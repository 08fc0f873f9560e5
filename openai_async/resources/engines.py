"""``client.engines``: the deprecated predecessor of ``client.models``."""

from __future__ import annotations

import warnings
from typing import Unpack

from .._pages import AsyncPaginator
from .._request import RequestOptions, json_request
from ..types import Engine, ListResponse
from ._base import Resource, path_param

__all__ = ["Engines"]


def _warn(stacklevel: int) -> None:
    # ``stacklevel`` points at the caller's line: past this function and the method,
    # and for a method that is not async, past ``Resource``'s NOT_GIVEN wrapper too
    # (an async one runs after the wrapper returned, awaited by the caller itself).
    warnings.warn(
        "The engines endpoints are deprecated: use client.models instead.",
        DeprecationWarning,
        stacklevel=stacklevel,
    )


class Engines(Resource):
    """Engines (deprecated by OpenAI; every call warns with DeprecationWarning)."""

    __slots__ = ()

    def list(self, **options: Unpack[RequestOptions]) -> AsyncPaginator[Engine]:
        """``GET /engines`` (deprecated: use ``client.models.list()``); await, or ``async for``."""
        _warn(stacklevel=4)
        return AsyncPaginator(self._client, "engines", ListResponse[Engine], options=options)

    async def retrieve(self, engine_id: str, **options: Unpack[RequestOptions]) -> Engine:
        """``GET /engines/{engine_id}`` (deprecated: use ``client.models.retrieve()``)."""
        _warn(stacklevel=3)
        path = f"engines/{path_param('engine_id', engine_id)}"
        return await self._client.call(json_request("GET", path, Engine, options=options))
