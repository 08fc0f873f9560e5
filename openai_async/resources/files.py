"""``client.files``: upload, list, inspect, download and delete files."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any, Literal, Unpack

import anyio
import httpx

from .._config import NotGiven
from .._exceptions import APIConnectionError, InvalidParameterError, shown
from .._file_input import FileInput
from .._pages import AsyncPaginator
from .._request import APIRequest, RequestOptions, json_request
from .._streaming import finish_chunks
from ..types import BinaryResponseContent, FileDeleted, FileObject, ListResponse
from ._base import Resource, path_param, present
from ._checks import check_choice, check_range, json_body
from ._common import form_expires_after
from ._upload import form_request

__all__ = ["Files"]

_MAX_PAGE = 10_000  # "Limit can range between 1 and 10,000"


class Files(Resource):
    """Files for fine-tuning and other endpoints.

    Uploads stream from disk when given a path. Downloads come as ``bytes``
    (``content``, a ``BinaryResponseContent``) or stream into a file (``download``).
    """

    __slots__ = ()

    def list(
        self,
        *,
        purpose: str | NotGiven | None = None,
        limit: int | NotGiven | None = None,
        after: str | NotGiven | None = None,
        order: Literal["asc", "desc"] | NotGiven | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncPaginator[FileObject]:
        """``GET /files``, optionally only those with ``purpose``.

        Await it for one page, or ``async for`` every file: iteration follows the
        pages (``has_more``) with ``after=<last id>``. ``limit`` (1 to 10,000, the
        API's default) is the size of a page, ``after`` the id to start after,
        ``order`` by creation time (``"desc"``, newest first, is the service's default).
        """
        _check_purpose(purpose, required=False)
        check_range("limit", limit, 1, _MAX_PAGE)
        check_choice("order", order, ("asc", "desc"))
        if after is not None and (not isinstance(after, str) or not after):
            raise InvalidParameterError("after", f"expected a file id, got {shown(after)}")
        params = json_body(purpose=purpose, limit=limit, after=after, order=order)
        return AsyncPaginator(
            self._client,
            "files",
            ListResponse[FileObject],
            params=params,
            cursor=True,
            options=options,
        )

    async def create(
        self,
        *,
        file: FileInput,
        purpose: str,
        expires_after: Mapping[str, Any] | NotGiven | None = None,
        **options: Unpack[RequestOptions],
    ) -> FileObject:
        """``POST /files``: upload ``file`` (JSON Lines for ``purpose="fine-tune"``).

        ``file`` is a path (read in chunks while sending), bytes, a binary file
        object, or a ``(filename, content)`` or ``(filename, content, content_type)`` tuple.
        ``purpose="batch"`` is the input of ``client.batches.create``. ``expires_after``
        (``{"anchor": "created_at", "seconds": 3600 to 2592000}``) has the file deleted then.
        """
        _check_purpose(purpose, required=True)
        fields = {"purpose": purpose, **form_expires_after(present(expires_after))}
        request = await form_request(
            "files", FileObject, fields=fields, files={"file": file}, options=options
        )
        return await self._client.call(request)

    async def retrieve(self, file_id: str, **options: Unpack[RequestOptions]) -> FileObject:
        """``GET /files/{file_id}``."""
        path = f"files/{path_param('file_id', file_id)}"
        return await self._client.call(json_request("GET", path, FileObject, options=options))

    async def delete(self, file_id: str, **options: Unpack[RequestOptions]) -> FileDeleted:
        """``DELETE /files/{file_id}``."""
        path = f"files/{path_param('file_id', file_id)}"
        return await self._client.call(json_request("DELETE", path, FileDeleted, options=options))

    async def content(
        self, file_id: str, **options: Unpack[RequestOptions]
    ) -> BinaryResponseContent:
        """``GET /files/{file_id}/content``: the whole file in memory (see ``download``).

        The result is ``bytes``, with the official SDK's ``.text``, ``.json()``,
        ``.read()`` and ``.write_to_file(path)`` (see ``BinaryResponseContent``).
        """
        path = f"files/{path_param('file_id', file_id)}/content"
        request = APIRequest(method="GET", path=path, read=_binary_content, options=options)
        return await self._client.call(request)

    async def download(
        self, file_id: str, path: str | os.PathLike[str], **options: Unpack[RequestOptions]
    ) -> int:
        """Stream ``GET /files/{file_id}/content`` into the file at ``path``; return its size.

        Memory use stays at one chunk whatever the file's size. The bytes go to a
        temporary file beside ``path`` that replaces it only once the whole body has
        arrived, so a broken download never leaves a truncated file at ``path``.
        """
        url = f"files/{path_param('file_id', file_id)}/content"
        if not isinstance(path, str | os.PathLike):
            raise InvalidParameterError("path", f"expected a path, got {shown(path)}")
        target = Path(path)
        if not target.parent.is_dir():
            raise InvalidParameterError("path", f"no directory {str(target.parent)!r} to write in")
        partial = target.with_name(f".{target.name}.{os.urandom(4).hex()}.part")
        unread = APIRequest(method="GET", path=url, read=_unread, stream=True, options=options)
        response = await self._client.call(unread)
        chunks = response.aiter_bytes()
        try:
            written = await _save(chunks, response.request, partial)
            os.replace(partial, target)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        finally:
            # Shielded: a cancellation that lands in a file write (httpcore handles one
            # in a network read itself) would cancel an unshielded close too, and the
            # half-read connection would stay checked out of the pool.
            with anyio.CancelScope(shield=True):
                await response.aclose()
                await finish_chunks(chunks)
        return written


def _binary_content(response: httpx.Response) -> BinaryResponseContent:
    return BinaryResponseContent(response.content, response.encoding or "utf-8")


def _unread(response: httpx.Response) -> httpx.Response:
    return response


async def _save(chunks: AsyncIterator[bytes], request: httpx.Request, partial: Path) -> int:
    written = 0
    out = await anyio.open_file(partial, "wb")
    try:
        while True:
            # Read errors come translated from the transport; a full disk stays an OSError.
            try:
                chunk = await anext(chunks, None)
            except httpx.DecodingError as exc:  # the content-encoding did not decode
                raise APIConnectionError(
                    f"Connection error: the download could not be decoded: {exc}", request=request
                ) from exc
            if chunk is None:
                return written
            await out.write(chunk)
            written += len(chunk)
    finally:
        with anyio.CancelScope(shield=True):
            await out.aclose()


def _check_purpose(purpose: object, *, required: bool) -> None:
    # Any string: the service adds purposes ("evals", "user_data") and says which it takes.
    if (purpose is not None or required) and (not isinstance(purpose, str) or not purpose):
        raise InvalidParameterError("purpose", f"expected a string, got {shown(purpose)}")
