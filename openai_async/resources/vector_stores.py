"""``client.vector_stores``: stores of files to search, their ``files`` and ``file_batches``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, Required, Unpack

import anyio

from .._exceptions import InvalidParameterError
from .._file_input import FileInput
from .._pages import AsyncPaginator
from .._request import APIRequest, RequestOptions, json_request, pop_options
from .._taskgroup import task_group
from ..types import (
    ListResponse,
    VectorStore,
    VectorStoreDeleted,
    VectorStoreFile,
    VectorStoreFileBatch,
    VectorStoreFileContent,
    VectorStoreFileDeleted,
    VectorStoreSearchPage,
    VectorStoreSearchResponse,
)
from ._base import Resource, path_param
from ._checks import check_choice, check_range, json_body

if TYPE_CHECKING:
    from .._client import AsyncClient

__all__ = [
    "VectorStoreCreateParams",
    "VectorStoreFileBatches",
    "VectorStoreFiles",
    "VectorStoreSearch",
    "VectorStoreSearchParams",
    "VectorStoreUpdateParams",
    "VectorStores",
]

JSONObject = Mapping[str, Any]
Attributes = Mapping[str, str | float | bool]
Order = Literal["asc", "desc"]
FileStatus = Literal["in_progress", "completed", "failed", "cancelled"]

_MAX_PAGE = 100  # "Limit can range between 1 and 100"
_FILE_STATES = ("in_progress", "completed", "failed", "cancelled")
_POLL_MS = 1000  # the SDK's default wait between two looks at a processing file


class VectorStoreCreateParams(RequestOptions, total=False):
    """The parameters of ``POST /vector_stores``; None (or leaving one out): not sent."""

    name: str | None
    description: str | None
    file_ids: Sequence[str] | None
    chunking_strategy: JSONObject | None
    expires_after: JSONObject | None
    metadata: Mapping[str, str] | None


class VectorStoreUpdateParams(RequestOptions, total=False):
    """The parameters of ``POST /vector_stores/{id}``.

    Unlike elsewhere, None is sent (as null): the API reads it as "clear this"
    (``expires_after=None``: never expire). Leave a parameter out to keep its value.
    """

    name: str | None
    expires_after: JSONObject | None
    metadata: Mapping[str, str] | None


class VectorStoreSearchParams(RequestOptions, total=False):
    """The parameters of ``POST /vector_stores/{id}/search``.

    ``filters`` match the files' ``attributes``: ``{"type": "eq", "key": ...,
    "value": ...}``, or ``{"type": "and" | "or", "filters": [...]}``.
    """

    query: Required[str | Sequence[str]]
    filters: JSONObject | None
    max_num_results: int | None
    ranking_options: JSONObject | None
    rewrite_query: bool | None


def _check_mapping(name: str, value: object) -> None:
    if value is not None and not isinstance(value, Mapping):
        raise InvalidParameterError(name, f"expected a mapping, got {type(value).__name__}")


def _check_ids(name: str, value: object, most: int) -> None:
    if value is None:
        return
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise InvalidParameterError(name, f"expected a list of ids, got {value!r:.60}")
    if not all(isinstance(item, str) and item for item in value):
        raise InvalidParameterError(name, "every id must be a non-empty string")
    if len(value) > most:
        raise InvalidParameterError(name, f"holds {len(value)} ids; the limit is {most}")


def _check_attributes(value: object) -> None:
    _check_mapping("attributes", value)
    if isinstance(value, Mapping) and len(value) > 16:
        raise InvalidParameterError("attributes", f"holds {len(value)} pairs; the limit is 16")


def _list_query(
    *, after: str | None, before: str | None, limit: int | None, order: str | None, **more: Any
) -> dict[str, Any]:
    check_range("limit", limit, 1, _MAX_PAGE)
    check_choice("order", order, ("asc", "desc"))
    check_choice("filter", more.get("filter"), _FILE_STATES)
    for name, cursor in (("after", after), ("before", before)):
        if cursor is not None and (not isinstance(cursor, str) or not cursor):
            raise InvalidParameterError(name, f"expected an object id, got {cursor!r}")
    return json_body(after=after, before=before, limit=limit, order=order, **more)


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
        "query", f"expected a string or a non-empty list of strings, got {query!r:.60}"
    )


def _interval(poll_interval_ms: int | None) -> float:
    check_range("poll_interval_ms", poll_interval_ms, 1)
    return (_POLL_MS if poll_interval_ms is None else poll_interval_ms) / 1000


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
        return self._results()

    async def _results(self) -> AsyncIterator[VectorStoreSearchResponse]:
        page = await self._client.call(self._request)
        for result in page.data:
            yield result


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
        body = json_body(**given)
        _check_ids("file_ids", body.get("file_ids"), 500)
        for name in ("chunking_strategy", "expires_after", "metadata"):
            _check_mapping(name, body.get(name))
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
        for name in ("expires_after", "metadata"):
            _check_mapping(name, given.get(name))
        request = json_request("POST", path, VectorStore, body=given, options=options)
        return await self._client.call(request)

    def list(
        self,
        *,
        after: str | None = None,
        before: str | None = None,
        limit: int | None = None,
        order: Order | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncPaginator[VectorStore]:
        """``GET /vector_stores``: await it for one page, ``async for`` every store.

        Iteration follows the pages (``has_more``) with ``after=<last id>``. ``limit``
        is 1 to 100 (20 by default), ``order`` by creation (``desc`` by default).
        """
        query = _list_query(after=after, before=before, limit=limit, order=order)
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
        body = json_body(**given)
        body["query"] = _checked_query(body.get("query"))
        check_range("max_num_results", body.get("max_num_results"), 1, 50)
        _check_mapping("filters", body.get("filters"))
        _check_mapping("ranking_options", body.get("ranking_options"))
        request = json_request("POST", path, VectorStoreSearchPage, body=body, options=options)
        return VectorStoreSearch(self._client, request)


class VectorStoreFiles(Resource):
    """``/vector_stores/{id}/files``: the files of a store, one at a time.

    As in the official SDK, the store's id comes first where the path ends at the
    store (``create``, ``list``) and as ``vector_store_id=`` where it names a file.
    """

    __slots__ = ()

    async def create(
        self,
        vector_store_id: str,
        *,
        file_id: str,
        attributes: Attributes | None = None,
        chunking_strategy: JSONObject | None = None,
        **options: Unpack[RequestOptions],
    ) -> VectorStoreFile:
        """``POST /vector_stores/{id}/files``: add an uploaded file; it is processed next.

        Its ``status`` is ``in_progress`` until it is searchable (``completed``);
        ``create_and_poll`` waits for that.
        """
        path = f"vector_stores/{path_param('vector_store_id', vector_store_id)}/files"
        path_param("file_id", file_id)
        _check_attributes(attributes)
        _check_mapping("chunking_strategy", chunking_strategy)
        body = json_body(
            file_id=file_id, attributes=attributes, chunking_strategy=chunking_strategy
        )
        request = json_request("POST", path, VectorStoreFile, body=body, options=options)
        return await self._client.call(request)

    async def retrieve(
        self, file_id: str, *, vector_store_id: str, **options: Unpack[RequestOptions]
    ) -> VectorStoreFile:
        """``GET /vector_stores/{vector_store_id}/files/{file_id}``."""
        path = _file_path(vector_store_id, file_id)
        return await self._client.call(json_request("GET", path, VectorStoreFile, options=options))

    async def update(
        self,
        file_id: str,
        *,
        vector_store_id: str,
        attributes: Attributes | None,
        **options: Unpack[RequestOptions],
    ) -> VectorStoreFile:
        """``POST /vector_stores/{vector_store_id}/files/{file_id}``: replace its attributes.

        ``attributes=None`` is sent as null: the file keeps no attributes.
        """
        path = _file_path(vector_store_id, file_id)
        _check_attributes(attributes)
        body = {"attributes": attributes}
        request = json_request("POST", path, VectorStoreFile, body=body, options=options)
        return await self._client.call(request)

    def list(
        self,
        vector_store_id: str,
        *,
        after: str | None = None,
        before: str | None = None,
        filter: FileStatus | None = None,
        limit: int | None = None,
        order: Order | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncPaginator[VectorStoreFile]:
        """``GET /vector_stores/{id}/files``, optionally only those in one ``filter`` state.

        Await it for one page, ``async for`` every file (pages followed by cursor).
        """
        path = f"vector_stores/{path_param('vector_store_id', vector_store_id)}/files"
        query = _list_query(after=after, before=before, limit=limit, order=order, filter=filter)
        return AsyncPaginator(
            self._client,
            path,
            ListResponse[VectorStoreFile],
            params=query,
            cursor=True,
            options=options,
        )

    async def delete(
        self, file_id: str, *, vector_store_id: str, **options: Unpack[RequestOptions]
    ) -> VectorStoreFileDeleted:
        """``DELETE /vector_stores/{vector_store_id}/files/{file_id}`` (the upload stays)."""
        path = _file_path(vector_store_id, file_id)
        request = json_request("DELETE", path, VectorStoreFileDeleted, options=options)
        return await self._client.call(request)

    def content(
        self, file_id: str, *, vector_store_id: str, **options: Unpack[RequestOptions]
    ) -> AsyncPaginator[VectorStoreFileContent]:
        """``GET .../files/{file_id}/content``: the file's parsed text, in pieces.

        Await it for the page, or ``async for`` each ``VectorStoreFileContent``.
        """
        path = f"{_file_path(vector_store_id, file_id)}/content"
        return AsyncPaginator(
            self._client, path, ListResponse[VectorStoreFileContent], options=options
        )

    async def poll(
        self,
        file_id: str,
        *,
        vector_store_id: str,
        poll_interval_ms: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> VectorStoreFile:
        """Retrieve the file every ``poll_interval_ms`` (1000) until it is no longer in progress.

        It returns a failed file too: look at ``status`` and ``last_error``.
        """
        interval = _interval(poll_interval_ms)
        while True:
            found = await self.retrieve(file_id, vector_store_id=vector_store_id, **options)
            if found.status != "in_progress":
                return found
            await anyio.sleep(interval)

    async def create_and_poll(
        self,
        file_id: str,
        *,
        vector_store_id: str,
        attributes: Attributes | None = None,
        chunking_strategy: JSONObject | None = None,
        poll_interval_ms: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> VectorStoreFile:
        """``create``, then ``poll`` until the file is processed."""
        _interval(poll_interval_ms)
        await self.create(
            vector_store_id,
            file_id=file_id,
            attributes=attributes,
            chunking_strategy=chunking_strategy,
            **options,
        )
        return await self.poll(
            file_id, vector_store_id=vector_store_id, poll_interval_ms=poll_interval_ms, **options
        )

    async def upload(
        self,
        *,
        vector_store_id: str,
        file: FileInput,
        chunking_strategy: JSONObject | None = None,
        **options: Unpack[RequestOptions],
    ) -> VectorStoreFile:
        """Upload ``file`` (purpose ``assistants``) and add it to the store, without waiting."""
        path_param("vector_store_id", vector_store_id)
        _check_mapping("chunking_strategy", chunking_strategy)
        uploaded = await self._client.files.create(file=file, purpose="assistants", **options)
        return await self.create(
            vector_store_id, file_id=uploaded.id, chunking_strategy=chunking_strategy, **options
        )

    async def upload_and_poll(
        self,
        *,
        vector_store_id: str,
        file: FileInput,
        attributes: Attributes | None = None,
        chunking_strategy: JSONObject | None = None,
        poll_interval_ms: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> VectorStoreFile:
        """Upload ``file``, add it to the store and wait until it is processed."""
        path_param("vector_store_id", vector_store_id)
        _check_attributes(attributes)
        _check_mapping("chunking_strategy", chunking_strategy)
        _interval(poll_interval_ms)
        uploaded = await self._client.files.create(file=file, purpose="assistants", **options)
        return await self.create_and_poll(
            uploaded.id,
            vector_store_id=vector_store_id,
            attributes=attributes,
            chunking_strategy=chunking_strategy,
            poll_interval_ms=poll_interval_ms,
            **options,
        )


def _file_path(vector_store_id: str, file_id: str) -> str:
    store = path_param("vector_store_id", vector_store_id)
    return f"vector_stores/{store}/files/{path_param('file_id', file_id)}"


def _batch_path(vector_store_id: str, batch_id: str) -> str:
    store = path_param("vector_store_id", vector_store_id)
    return f"vector_stores/{store}/file_batches/{path_param('batch_id', batch_id)}"


def _batch_body(
    file_ids: Sequence[str] | None,
    files: Sequence[JSONObject] | None,
    attributes: Attributes | None,
    chunking_strategy: JSONObject | None,
) -> dict[str, Any]:
    if (file_ids is None) == (files is None):
        raise InvalidParameterError("file_ids", "give exactly one of file_ids and files")
    _check_ids("file_ids", file_ids, 2000)
    if files is not None:
        if isinstance(files, str | bytes | Mapping) or not isinstance(files, Sequence):
            raise InvalidParameterError("files", f"expected a list of mappings, got {files!r:.60}")
        if not all(isinstance(f, Mapping) and isinstance(f.get("file_id"), str) for f in files):
            raise InvalidParameterError("files", "each needs a 'file_id'")
        if not 1 <= len(files) <= 2000:
            raise InvalidParameterError("files", f"holds {len(files)} files; 1 to 2000 allowed")
    if file_ids is not None and not file_ids:
        raise InvalidParameterError("file_ids", "needs at least one id")
    _check_attributes(attributes)
    _check_mapping("chunking_strategy", chunking_strategy)
    return json_body(
        file_ids=None if file_ids is None else list(file_ids),
        files=None if files is None else [dict(f) for f in files],
        attributes=attributes,
        chunking_strategy=chunking_strategy,
    )


class VectorStoreFileBatches(Resource):
    """``/vector_stores/{id}/file_batches``: many files added to a store at once."""

    __slots__ = ()

    async def create(
        self,
        vector_store_id: str,
        *,
        file_ids: Sequence[str] | None = None,
        files: Sequence[JSONObject] | None = None,
        attributes: Attributes | None = None,
        chunking_strategy: JSONObject | None = None,
        **options: Unpack[RequestOptions],
    ) -> VectorStoreFileBatch:
        """``POST /vector_stores/{id}/file_batches``: add up to 2,000 uploaded files.

        Give ``file_ids`` (with ``attributes`` and ``chunking_strategy`` for all), or
        ``files``: ``{"file_id": ..., "attributes": ..., "chunking_strategy": ...}``
        each.
        """
        path = f"vector_stores/{path_param('vector_store_id', vector_store_id)}/file_batches"
        body = _batch_body(file_ids, files, attributes, chunking_strategy)
        request = json_request("POST", path, VectorStoreFileBatch, body=body, options=options)
        return await self._client.call(request)

    async def retrieve(
        self, batch_id: str, *, vector_store_id: str, **options: Unpack[RequestOptions]
    ) -> VectorStoreFileBatch:
        """``GET /vector_stores/{vector_store_id}/file_batches/{batch_id}``."""
        path = _batch_path(vector_store_id, batch_id)
        request = json_request("GET", path, VectorStoreFileBatch, options=options)
        return await self._client.call(request)

    async def cancel(
        self, batch_id: str, *, vector_store_id: str, **options: Unpack[RequestOptions]
    ) -> VectorStoreFileBatch:
        """``POST .../file_batches/{batch_id}/cancel``: stop processing its files."""
        path = f"{_batch_path(vector_store_id, batch_id)}/cancel"
        request = json_request("POST", path, VectorStoreFileBatch, options=options)
        return await self._client.call(request)

    def list_files(
        self,
        batch_id: str,
        *,
        vector_store_id: str,
        after: str | None = None,
        before: str | None = None,
        filter: FileStatus | None = None,
        limit: int | None = None,
        order: Order | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncPaginator[VectorStoreFile]:
        """``GET .../file_batches/{batch_id}/files``: the batch's files, paged by cursor."""
        path = f"{_batch_path(vector_store_id, batch_id)}/files"
        query = _list_query(after=after, before=before, limit=limit, order=order, filter=filter)
        return AsyncPaginator(
            self._client,
            path,
            ListResponse[VectorStoreFile],
            params=query,
            cursor=True,
            options=options,
        )

    async def poll(
        self,
        batch_id: str,
        *,
        vector_store_id: str,
        poll_interval_ms: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> VectorStoreFileBatch:
        """Retrieve the batch every ``poll_interval_ms`` (1000) until it is no longer in progress.

        A batch whose files failed is returned too: look at ``file_counts.failed``.
        """
        interval = _interval(poll_interval_ms)
        while True:
            batch = await self.retrieve(batch_id, vector_store_id=vector_store_id, **options)
            if batch.status != "in_progress":
                return batch
            await anyio.sleep(interval)

    async def create_and_poll(
        self,
        vector_store_id: str,
        *,
        file_ids: Sequence[str] | None = None,
        files: Sequence[JSONObject] | None = None,
        attributes: Attributes | None = None,
        chunking_strategy: JSONObject | None = None,
        poll_interval_ms: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> VectorStoreFileBatch:
        """``create``, then ``poll`` until every file of the batch is processed."""
        _interval(poll_interval_ms)
        batch = await self.create(
            vector_store_id,
            file_ids=file_ids,
            files=files,
            attributes=attributes,
            chunking_strategy=chunking_strategy,
            **options,
        )
        return await self.poll(
            batch.id,
            vector_store_id=vector_store_id,
            poll_interval_ms=poll_interval_ms,
            **options,
        )

    async def upload_and_poll(
        self,
        vector_store_id: str,
        *,
        files: Iterable[FileInput],
        max_concurrency: int = 5,
        file_ids: Sequence[str] = (),
        chunking_strategy: JSONObject | None = None,
        poll_interval_ms: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> VectorStoreFileBatch:
        """Upload ``files`` (``max_concurrency`` at a time), add them and ``file_ids`` as a
        batch, and wait until it is processed.

        The first failed upload stops the others and is raised as itself.
        """
        path_param("vector_store_id", vector_store_id)
        check_range("max_concurrency", max_concurrency, 1)
        _check_ids("file_ids", file_ids, 2000)
        _check_mapping("chunking_strategy", chunking_strategy)
        _interval(poll_interval_ms)
        inputs = list(files)
        uploaded: list[str | None] = [None] * len(inputs)
        limiter = anyio.CapacityLimiter(max_concurrency)

        async def upload(index: int, file: FileInput) -> None:
            async with limiter:
                found = await self._client.files.create(file=file, purpose="assistants", **options)
            uploaded[index] = found.id

        async with task_group() as group:
            for index, file in enumerate(inputs):
                group.start_soon(upload, index, file)
        ids = [*file_ids, *(file_id for file_id in uploaded if file_id is not None)]
        return await self.create_and_poll(
            vector_store_id,
            file_ids=ids,
            chunking_strategy=chunking_strategy,
            poll_interval_ms=poll_interval_ms,
            **options,
        )
