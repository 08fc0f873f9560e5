"""``client.models``: list, retrieve and delete models."""

from __future__ import annotations

from typing import Unpack

from .._pages import AsyncPaginator
from .._request import RequestOptions, json_request
from ..types import ListResponse, Model, ModelDeleted
from ._base import Resource, path_param

__all__ = ["Models"]


class Models(Resource):
    """The models the key may use; ``delete`` removes a fine-tuned model you own."""

    __slots__ = ()

    def list(self, **options: Unpack[RequestOptions]) -> AsyncPaginator[Model]:
        """``GET /models``: await for the ``ListResponse``, or ``async for`` the models."""
        return AsyncPaginator(self._client, "models", ListResponse[Model], options=options)

    async def retrieve(self, model: str, **options: Unpack[RequestOptions]) -> Model:
        """``GET /models/{model}``."""
        path = f"models/{path_param('model', model)}"
        return await self._client.call(json_request("GET", path, Model, options=options))

    async def delete(self, model: str, **options: Unpack[RequestOptions]) -> ModelDeleted:
        """``DELETE /models/{model}``."""
        path = f"models/{path_param('model', model)}"
        return await self._client.call(json_request("DELETE", path, ModelDeleted, options=options))
