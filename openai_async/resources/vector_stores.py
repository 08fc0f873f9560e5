"""``client.vector_stores``: stores of files to search, their ``files`` and ``file_batches``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Required, Unpack

from .._config import NotGiven
from .._exceptions import InvalidParameterError, shown
from .._pages import AsyncPaginator
from .._request import APIRequest, RequestOptions, json_request, pop_options
from ..types import (
    ListResponse,
    VectorStore,
    VectorStoreDeleted,
    VectorStoreSearchPage,
    VectorStoreSearchResponse,
)
from ._base import Resource, path_param
from ._checks import check_range, check_types, json_body
from ._vector_checks import JSONObject, Order, check_ids, check_mapping, list_query
from .vector_store_files import VectorStoreFileBatches, VectorStoreFiles

if TYPE_CHECKING:
    from .._client import AsyncClient

__all__ = [
    "VectorStoreCreateParams",
    "VectorStoreSearch",
    "VectorStoreSearchParams",
    "VectorStoreUpdateParams",
    "VectorStores",
]


class VectorStoreCreateParams(RequestOptions, total=False):
    """The parameters of ``POST /vector_stores``; None (or leaving one out): not sent."""

    name: str | NotGiven | None
    description: str | NotGiven | None
    file_ids: Sequence[str] | NotGiven | None
    chunking_strategy: JSONObject | NotGiven | None
    expires_after: JSONObject | NotGiven | None
    metadata: Mapping[str, str] | NotGiven | None


class VectorStoreUpdateParams(RequestOptions, total=False):
    """The parameters of ``POST /vector_stores/{id}``.

    Unlike elsewhere, None is sent (as null): the API reads it as "clear this"
    (``expires_after=None``: never expire). Leave a parameter out to keep its value.
    """

    name: str | NotGiven | None
    expires_after: JSONObject | NotGiven | None
    metadata: Mapping[str, str] | NotGiven | None


class VectorStoreSearchParams(RequestOptions, total=False):
    """The parameters of ``POST /vector_stores/{id}/search``.

    ``filters`` match the files' ``attributes``: ``{"type": "eq", "key": ...,
    "value": ...}``, or ``{"type": "and" | "or", "filters": [...]}``.
    """

    query: Required[str | Sequence[str]]
    filters: JSONObject | NotGiven | None
    max_num_results: int | NotGiven | None
    ranking_options: JSONObject | NotGiven | None
    rewrite_query: bool | NotGiven | None


def _checked_query(query: object) -> str | list[str]:
    if isinstance(query, str):
        return query
    if (
        isinstance(query, Sequence)
        and not isinstance(query, bytes)
        and query
        and all(isinstance(q, str) for q in query)
    ):
        return list(query)
    raise InvalidParameterError(
        "query", f"expected a string or a non-empty list of strings, got {shown(query)}"
    )


class VectorStoreSearch:
    """``vector_stores.search(...)``, not sent yet: await it for the page, iterate it for results.

    ::

        page = await client.vector_stores.search(vs.id, query="refund policy")
        async for result in client.vector_stores.search(vs.id, query="refund policy"):
            ...

    Each ``await`` and each ``async for`` sends the search once.
    """

    __slots__ = ("_client", "_request")

    def __init__(self, client: AsyncClient, request: APIRequest[VectorStoreSearchPage]) -> None:
        self._client = client
        self._request = request

    def __repr__(self) -> str:
        return f"<VectorStoreSearch POST /{self._request.path}>"

    def __await__(self) -> Generator[Any, None, VectorStoreSearchPage]:
        return self._client.call(self._request).__await__()

    def __aiter__(self) -> AsyncIterator[VectorStoreSearchResponse]:
        return _Results(self)


class _Results:
    """The results of a search, which is sent when the first one is asked for.

    A class, not an async generator: a loop left early leaves nothing to finalize.
    """

    __slots__ = ("_items", "_search")

    def __init__(self, search: VectorStoreSearch) -> None:
        self._search: VectorStoreSearch | None = search
        self._items: Iterator[VectorStoreSearchResponse] = iter(())

    def __aiter__(self) -> _Results:
        return self

    async def __anext__(self) -> VectorStoreSearchResponse:
        if self._search is not None:
            page = await self._search
            self._search = None
            self._items = iter(page.data)
        for item in self._items:
            return item
        raise StopAsyncIteration


class VectorStores(Resource):
    """``/vector_stores``: create, list, retrieve, update, delete and search stores.

    Files go in through ``files`` (one at a time) or ``file_batches`` (many at once),
    after an upload with ``client.files.create(..., purpose="assistants")``.
    """

    __slots__ = ()

    @property
    def files(self) -> VectorStoreFiles:
        return VectorStoreFiles(self._client)

    @property
    def file_batches(self) -> VectorStoreFileBatches:
        return VectorStoreFileBatches(self._client)

    async def create(self, **params: Unpack[VectorStoreCreateParams]) -> VectorStore:
        """``POST /vector_stores``: a new store, with the files of ``file_ids`` if given.

        ``expires_after`` is ``{"anchor": "last_active_at", "days": 1..365}``;
        ``chunking_strategy`` (only with ``file_ids``) ``{"type": "auto"}`` or
        ``{"type": "static", "static": {"max_chunk_size_tokens": ...,
        "chunk_overlap_tokens": ...}}``.
        """
        given: dict[str, Any] = dict(params)
        options = pop_options(given)
        check_types(given, VectorStoreCreateParams)
        body = json_body(**given)
        check_ids("file_ids", body.get("file_ids"), 500)
        for name in ("chunking_strategy", "expires_after", "metadata"):
            check_mapping(name, body.get(name))
        if "file_ids" in body:
            body["file_ids"] = list(body["file_ids"])
        request = json_request("POST", "vector_stores", VectorStore, body=body, options=options)
        return await self._client.call(request)

    async def retrieve(
        self, vector_store_id: str, **options: Unpack[RequestOptions]
    ) -> VectorStore:
        """``GET /vector_stores/{vector_store_id}``."""
        path = f"vector_stores/{path_param('vector_store_id', vector_store_id)}"
        return await self._client.call(json_request("GET", path, VectorStore, options=options))

    async def update(
        self, vector_store_id: str, **params: Unpack[VectorStoreUpdateParams]
    ) -> VectorStore:
        """``POST /vector_stores/{vector_store_id}``: change the name, expiry or metadata.

        A parameter given as None is sent as null, which clears it.
        """
        path = f"vector_stores/{path_param('vector_store_id', vector_store_id)}"
        given: dict[str, Any] = dict(params)
        options = pop_options(given)
        check_types(given, VectorStoreUpdateParams)
        for name in ("expires_after", "metadata"):
            check_mapping(name, given.get(name))
        request = json_request("POST", path, VectorStore, body=given, options=options)
        return await self._client.call(request)

    def list(
        self,
        *,
        after: str | NotGiven | None = None,
        before: str | NotGiven | None = None,
        limit: int | NotGiven | None = None,
        order: Order | NotGiven | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncPaginator[VectorStore]:
        """``GET /vector_stores``: await it for one page, ``async for`` every store.

        Iteration follows the pages (``has_more``) with ``after=<last id>``. ``limit``
        is 1 to 100 (20 by default), ``order`` by creation (``desc`` by default).
        """
        query = list_query(after=after, before=before, limit=limit, order=order)
        return AsyncPaginator(
            self._client,
            "vector_stores",
            ListResponse[VectorStore],
            params=query,
            cursor=True,
            options=options,
        )

    async def delete(
        self, vector_store_id: str, **options: Unpack[RequestOptions]
    ) -> VectorStoreDeleted:
        """``DELETE /vector_stores/{vector_store_id}`` (the files themselves stay)."""
        path = f"vector_stores/{path_param('vector_store_id', vector_store_id)}"
        request = json_request("DELETE", path, VectorStoreDeleted, options=options)
        return await self._client.call(request)

    def search(
        self, vector_store_id: str, **params: Unpack[VectorStoreSearchParams]
    ) -> VectorStoreSearch:
        """``POST /vector_stores/{vector_store_id}/search``: the chunks that match ``query``.

        Await the result for a ``VectorStoreSearchPage`` (results best first), or
        ``async for`` over it for each ``VectorStoreSearchResponse``. ``query`` is a
        string or a list of them; ``max_num_results`` 1 to 50 (10 by default);
        ``ranking_options`` ``{"ranker": ..., "score_threshold": 0..1}``.
        """
        path = f"vector_stores/{path_param('vector_store_id', vector_store_id)}/search"
        given: dict[str, Any] = dict(params)
        options = pop_options(given)
        check_types(given, VectorStoreSearchParams)
        body = json_body(**given)
        body["query"] = _checked_query(body.get("query"))
        check_range("max_num_results", body.get("max_num_results"), 1, 50)
        check_mapping("filters", body.get("filters"))
        check_mapping("ranking_options", body.get("ranking_options"))
        request = json_request("POST", path, VectorStoreSearchPage, body=body, options=options)
        return VectorStoreSearch(self._client, request)
