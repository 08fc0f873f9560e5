"""``client.models``: list, retrieve and delete models."""

from __future__ import annotations

from .._pages import AsyncPaginator
from ..types import ListResponse, Model, ModelDeleted
from ._base import Resource, path_param

__all__ = ["Models"]


class Models(Resource):
    """The models the key may use; ``delete`` removes a fine-tuned model you own."""

    __slots__ = ()

    def list(self) -> AsyncPaginator[Model]:
        """``GET /models``: await for the ``ListResponse``, or ``async for`` the models."""
        return AsyncPaginator(self._client, "models", ListResponse[Model])

    async def retrieve(self, model: str) -> Model:
        """``GET /models/{model}``."""
        path = f"models/{path_param('model', model)}"
        return await self._client._request_model("GET", path, Model)

    async def delete(self, model: str) -> ModelDeleted:
        """``DELETE /models/{model}``."""
        path = f"models/{path_param('model', model)}"
        return await self._client._request_model("DELETE", path, ModelDeleted)
