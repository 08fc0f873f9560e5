"""``client.vector_stores.files`` and ``.file_batches``: the files in a store."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Unpack

import anyio

from .._config import NotGiven
from .._exceptions import InvalidParameterError, shown
from .._file_input import FileInput
from .._pages import AsyncPaginator
from .._request import RequestOptions, json_request
from .._taskgroup import task_group
from ..types import (
    ListResponse,
    VectorStoreFile,
    VectorStoreFileBatch,
    VectorStoreFileContent,
    VectorStoreFileDeleted,
)
from ._base import Resource, path_param, present
from ._checks import check_range, json_body
from ._vector_checks import (
    Attributes,
    FileStatus,
    JSONObject,
    Order,
    check_attributes,
    check_ids,
    check_mapping,
    list_query,
    poll_interval,
)

__all__ = ["VectorStoreFileBatches", "VectorStoreFiles"]


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
        attributes: Attributes | NotGiven | None = None,
        chunking_strategy: JSONObject | NotGiven | None = None,
        **options: Unpack[RequestOptions],
    ) -> VectorStoreFile:
        """``POST /vector_stores/{id}/files``: add an uploaded file; it is processed next.

        Its ``status`` is ``in_progress`` until it is searchable (``completed``);
        ``create_and_poll`` waits for that.
        """
        path = f"vector_stores/{path_param('vector_store_id', vector_store_id)}/files"
        path_param("file_id", file_id)
        check_attributes(attributes)
        check_mapping("chunking_strategy", chunking_strategy)
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
        check_attributes(attributes)
        body = {"attributes": attributes}
        request = json_request("POST", path, VectorStoreFile, body=body, options=options)
        return await self._client.call(request)

    def list(
        self,
        vector_store_id: str,
        *,
        after: str | NotGiven | None = None,
        before: str | NotGiven | None = None,
        filter: FileStatus | NotGiven | None = None,
        limit: int | NotGiven | None = None,
        order: Order | NotGiven | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncPaginator[VectorStoreFile]:
        """``GET /vector_stores/{id}/files``, optionally only those in one ``filter`` state.

        Await it for one page, ``async for`` every file (pages followed by cursor).
        """
        path = f"vector_stores/{path_param('vector_store_id', vector_store_id)}/files"
        query = list_query(after=after, before=before, limit=limit, order=order, filter=filter)
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
        poll_interval_ms: int | NotGiven | None = None,
        **options: Unpack[RequestOptions],
    ) -> VectorStoreFile:
        """Retrieve the file every ``poll_interval_ms`` (1000) until it is no longer in progress.

        It returns a failed file too: look at ``status`` and ``last_error``.
        """
        interval = poll_interval(present(poll_interval_ms))
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
        attributes: Attributes | NotGiven | None = None,
        chunking_strategy: JSONObject | NotGiven | None = None,
        poll_interval_ms: int | NotGiven | None = None,
        **options: Unpack[RequestOptions],
    ) -> VectorStoreFile:
        """``create``, then ``poll`` until the file is processed."""
        poll_interval(present(poll_interval_ms))
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
        chunking_strategy: JSONObject | NotGiven | None = None,
        **options: Unpack[RequestOptions],
    ) -> VectorStoreFile:
        """Upload ``file`` (purpose ``assistants``) and add it to the store, without waiting."""
        path_param("vector_store_id", vector_store_id)
        check_mapping("chunking_strategy", chunking_strategy)
        uploaded = await self._client.files.create(file=file, purpose="assistants", **options)
        return await self.create(
            vector_store_id, file_id=uploaded.id, chunking_strategy=chunking_strategy, **options
        )

    async def upload_and_poll(
        self,
        *,
        vector_store_id: str,
        file: FileInput,
        attributes: Attributes | NotGiven | None = None,
        chunking_strategy: JSONObject | NotGiven | None = None,
        poll_interval_ms: int | NotGiven | None = None,
        **options: Unpack[RequestOptions],
    ) -> VectorStoreFile:
        """Upload ``file``, add it to the store and wait until it is processed."""
        path_param("vector_store_id", vector_store_id)
        check_attributes(attributes)
        check_mapping("chunking_strategy", chunking_strategy)
        poll_interval(present(poll_interval_ms))
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
    check_ids("file_ids", file_ids, 2000)
    if files is not None:
        if isinstance(files, str | bytes | Mapping) or not isinstance(files, Sequence):
            raise InvalidParameterError("files", f"expected a list of mappings, got {shown(files)}")
        if not all(isinstance(f, Mapping) and isinstance(f.get("file_id"), str) for f in files):
            raise InvalidParameterError("files", "each needs a 'file_id'")
        if not 1 <= len(files) <= 2000:
            raise InvalidParameterError("files", f"holds {len(files)} files; 1 to 2000 allowed")
    if file_ids is not None and not file_ids:
        raise InvalidParameterError("file_ids", "needs at least one id")
    check_attributes(attributes)
    check_mapping("chunking_strategy", chunking_strategy)
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
        file_ids: Sequence[str] | NotGiven | None = None,
        files: Sequence[JSONObject] | NotGiven | None = None,
        attributes: Attributes | NotGiven | None = None,
        chunking_strategy: JSONObject | NotGiven | None = None,
        **options: Unpack[RequestOptions],
    ) -> VectorStoreFileBatch:
        """``POST /vector_stores/{id}/file_batches``: add up to 2,000 uploaded files.

        Give ``file_ids`` (with ``attributes`` and ``chunking_strategy`` for all), or
        ``files``: ``{"file_id": ..., "attributes": ..., "chunking_strategy": ...}``
        each.
        """
        path = f"vector_stores/{path_param('vector_store_id', vector_store_id)}/file_batches"
        body = _batch_body(
            present(file_ids), present(files), present(attributes), present(chunking_strategy)
        )
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
        after: str | NotGiven | None = None,
        before: str | NotGiven | None = None,
        filter: FileStatus | NotGiven | None = None,
        limit: int | NotGiven | None = None,
        order: Order | NotGiven | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncPaginator[VectorStoreFile]:
        """``GET .../file_batches/{batch_id}/files``: the batch's files, paged by cursor."""
        path = f"{_batch_path(vector_store_id, batch_id)}/files"
        query = list_query(after=after, before=before, limit=limit, order=order, filter=filter)
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
        poll_interval_ms: int | NotGiven | None = None,
        **options: Unpack[RequestOptions],
    ) -> VectorStoreFileBatch:
        """Retrieve the batch every ``poll_interval_ms`` (1000) until it is no longer in progress.

        A batch whose files failed is returned too: look at ``file_counts.failed``.
        """
        interval = poll_interval(present(poll_interval_ms))
        while True:
            batch = await self.retrieve(batch_id, vector_store_id=vector_store_id, **options)
            if batch.status != "in_progress":
                return batch
            await anyio.sleep(interval)

    async def create_and_poll(
        self,
        vector_store_id: str,
        *,
        file_ids: Sequence[str] | NotGiven | None = None,
        files: Sequence[JSONObject] | NotGiven | None = None,
        attributes: Attributes | NotGiven | None = None,
        chunking_strategy: JSONObject | NotGiven | None = None,
        poll_interval_ms: int | NotGiven | None = None,
        **options: Unpack[RequestOptions],
    ) -> VectorStoreFileBatch:
        """``create``, then ``poll`` until every file of the batch is processed."""
        poll_interval(present(poll_interval_ms))
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
        max_concurrency: int | NotGiven = 5,
        file_ids: Sequence[str] | NotGiven = (),
        chunking_strategy: JSONObject | NotGiven | None = None,
        poll_interval_ms: int | NotGiven | None = None,
        **options: Unpack[RequestOptions],
    ) -> VectorStoreFileBatch:
        """Upload ``files`` (``max_concurrency`` at a time), add them and ``file_ids`` as a
        batch, and wait until it is processed.

        The first failed upload stops the others and is raised as itself.
        """
        path_param("vector_store_id", vector_store_id)
        check_range("max_concurrency", max_concurrency, 1)
        check_ids("file_ids", file_ids, 2000)
        check_mapping("chunking_strategy", chunking_strategy)
        poll_interval(present(poll_interval_ms))
        inputs = _file_inputs(files)
        uploaded: list[str | None] = [None] * len(inputs)
        limiter = anyio.CapacityLimiter(present(max_concurrency))

        async def upload(index: int, file: FileInput) -> None:
            async with limiter:
                try:
                    found = await self._client.files.create(
                        file=file, purpose="assistants", **options
                    )
                except InvalidParameterError as exc:
                    if exc.param != "file":
                        raise
                    message = str(exc).removeprefix("file: ")
                    raise InvalidParameterError(f"files[{index}]", message) from None
            uploaded[index] = found.id

        async with task_group() as group:
            for index, file in enumerate(inputs):
                group.start_soon(upload, index, file)
        ids = [*present(file_ids), *(file_id for file_id in uploaded if file_id is not None)]
        return await self.create_and_poll(
            vector_store_id,
            file_ids=ids,
            chunking_strategy=chunking_strategy,
            poll_interval_ms=poll_interval_ms,
            **options,
        )


def _file_inputs(files: object) -> list[FileInput]:
    """``files`` as a list, each item shaped as a file input (nothing is read yet)."""
    if isinstance(files, str | bytes | bytearray | Mapping) or not isinstance(files, Iterable):
        raise InvalidParameterError("files", f"expected a list of files, got {shown(files)}")
    inputs = list(files)
    for index, file in enumerate(inputs):
        if not (
            isinstance(file, str | os.PathLike | bytes | bytearray | memoryview | tuple)
            or callable(getattr(file, "read", None))
        ):
            raise InvalidParameterError(
                f"files[{index}]",
                "expected a path, bytes, a binary file object or a (filename, content) "
                f"tuple, got {shown(file)}",
            )
    return inputs
