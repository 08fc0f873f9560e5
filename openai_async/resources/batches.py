"""``client.batches``: the Batch API, a file of requests run offline within 24 hours."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, Literal, Required, TypedDict, Unpack

from .._config import NotGiven
from .._exceptions import InvalidParameterError, shown
from .._pages import AsyncPaginator
from .._request import Endpoint, RequestOptions, json_request, pop_options
from ..types import Batch, ListResponse
from ._base import Resource, path_param
from ._checks import check_types, json_body
from ._common import check_expires_after, check_metadata, page_query

__all__ = ["BatchCreateParams", "BatchEndpoint", "Batches"]

BatchEndpoint = Literal[
    "/v1/responses",
    "/v1/chat/completions",
    "/v1/embeddings",
    "/v1/completions",
    "/v1/moderations",
    "/v1/images/generations",
    "/v1/images/edits",
    "/v1/videos",
]

_MAX_PAGE: Final = 100  # the service's largest page of batches


class FileExpiresAfter(TypedDict):
    """When a file expires: ``seconds`` (3600 to 2592000) after its ``created_at``."""

    anchor: Literal["created_at"]
    seconds: int


class BatchCreateParams(RequestOptions, total=False):
    """The parameters of ``POST /batches``, as the latest API reference has them.

    ``input_file_id`` is a file uploaded with ``purpose="batch"``: JSON Lines, each line
    ``{"custom_id", "method": "POST", "url": endpoint, "body"}``.
    """

    input_file_id: Required[str]
    endpoint: Required[BatchEndpoint]
    completion_window: Required[Literal["24h"]]
    metadata: Mapping[str, str] | NotGiven | None
    output_expires_after: FileExpiresAfter | Mapping[str, Any] | NotGiven | None


BATCHES = Endpoint("POST", "batches", Batch, BatchCreateParams)


class Batches(Resource):
    """Create, list, retrieve and cancel batches; their results are files."""

    __slots__ = ()

    async def create(self, **params: Unpack[BatchCreateParams]) -> Batch:
        """``POST /batches``: run the requests of ``input_file_id`` against ``endpoint``.

        Follow the batch with ``retrieve`` until its ``status`` is completed (or failed,
        expired, cancelled); its answers are then in ``output_file_id`` and the requests
        that failed in ``error_file_id`` (``client.files.content`` or ``download``).
        """
        given: dict[str, Any] = dict(params)
        options = pop_options(given)
        check_types(given, BatchCreateParams)
        body = json_body(**given)
        for name in ("input_file_id", "endpoint", "completion_window"):
            value = body.get(name)
            if not isinstance(value, str) or not value:
                raise InvalidParameterError(
                    name, f"expected a non-empty string, got {shown(value)}"
                )
        if not body["endpoint"].startswith("/"):
            raise InvalidParameterError("endpoint", "expected a path like '/v1/chat/completions'")
        check_metadata("metadata", body.get("metadata"))
        check_expires_after("output_expires_after", body.get("output_expires_after"))
        return await self._client.call(BATCHES.request(body, options))

    async def retrieve(self, batch_id: str, **options: Unpack[RequestOptions]) -> Batch:
        """``GET /batches/{batch_id}``: the batch, its status and its request counts."""
        path = f"batches/{path_param('batch_id', batch_id)}"
        return await self._client.call(json_request("GET", path, Batch, options=options))

    async def cancel(self, batch_id: str, **options: Unpack[RequestOptions]) -> Batch:
        """``POST /batches/{batch_id}/cancel``: the batch, now cancelling (then cancelled).

        The answers finished by then are still in its output file.
        """
        path = f"batches/{path_param('batch_id', batch_id)}/cancel"
        return await self._client.call(json_request("POST", path, Batch, options=options))

    def list(
        self,
        *,
        after: str | NotGiven | None = None,
        limit: int | NotGiven | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncPaginator[Batch]:
        """``GET /batches``, newest first: await it for a page, ``async for`` every batch.

        ``limit`` (1 to 100; the service's default is 20) is a page's size, ``after``
        the id of the batch to start after; iteration follows ``has_more``.
        """
        params = page_query(after, limit, _MAX_PAGE)
        pages = ListResponse[Batch]
        return AsyncPaginator(
            self._client, "batches", pages, params=params, cursor=True, options=options
        )
