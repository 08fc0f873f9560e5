"""``client.engines``: the deprecated predecessor of ``client.models``."""

from __future__ import annotations

import warnings

from .._pages import AsyncPaginator
from ..types import Engine, ListResponse
from ._base import Resource, path_param

__all__ = ["Engines"]


def _warn() -> None:
    warnings.warn(
        "The engines endpoints are deprecated: use client.models instead.",
        DeprecationWarning,
        stacklevel=3,
    )


class Engines(Resource):
    """Engines (deprecated by OpenAI; every call warns with DeprecationWarning)."""

    __slots__ = ()

    def list(self) -> AsyncPaginator[Engine]:
        """``GET /engines`` (deprecated: use ``client.models.list()``); await, or ``async for``."""
        _warn()
        return AsyncPaginator(self._client, "engines", ListResponse[Engine])

    async def retrieve(self, engine_id: str) -> Engine:
        """``GET /engines/{engine_id}`` (deprecated: use ``client.models.retrieve()``)."""
        _warn()
        path = f"engines/{path_param('engine_id', engine_id)}"
        return await self._client._request_model("GET", path, Engine)
