"""``AsyncPaginator``: what a ``list()`` method returns, a page to await or items to iterate."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Generator, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import httpx

from ._exceptions import APIResponseValidationError
from ._models import ListResponse
from ._request import APIRequest, RequestOptions, reader

if TYPE_CHECKING:
    from ._client import AsyncClient

__all__ = ["AsyncPaginator"]

T = TypeVar("T")
R = TypeVar("R")


class AsyncPaginator(Generic[T]):
    """One ``GET`` of a list endpoint, not sent yet: await it for the page, iterate it for items.

    ::

        page = await client.files.list()        # ListResponse[FileObject]: one request
        async for file in client.files.list():  # every FileObject, page after page
            ...

    Each ``await`` and each ``async for`` sends its own requests, as calling ``list()``
    again would, and raises the same errors. Where the endpoint pages by cursor
    (``files``), iteration asks for the next page with ``after=<last id>`` for as long
    as the answer says ``has_more``; elsewhere the one page is the whole list.
    Pages are fetched one at a time, as the loop reaches them, and each is read whole,
    so leaving the loop early holds no connection. A server whose pages lead back to a
    cursor already followed (so that the loop would never end) gets an
    ``APIResponseValidationError`` instead.
    """

    __slots__ = ("_cast_to", "_client", "_cursor", "_options", "_params", "_path")

    def __init__(
        self,
        client: AsyncClient,
        path: str,
        cast_to: type[ListResponse[T]],
        *,
        params: Mapping[str, Any] | None = None,
        cursor: bool = False,
        options: RequestOptions | None = None,
    ) -> None:
        self._client = client
        self._options = options or {}
        self._path = path
        self._cast_to = cast_to
        self._params = dict(params or {})
        self._cursor = cursor

    def __repr__(self) -> str:
        return f"<AsyncPaginator GET /{self._path}>"

    def __await__(self) -> Generator[Any, None, ListResponse[T]]:
        return self._page().__await__()

    def __aiter__(self) -> AsyncIterator[T]:
        return _Items(self)

    def _request(self, after: str | None, read: Callable[[httpx.Response], R]) -> APIRequest[R]:
        params = self._params if after is None else {**self._params, "after": after}
        return APIRequest(
            method="GET", path=self._path, read=read, query=params or None, options=self._options
        )

    async def _page(self, after: str | None = None) -> ListResponse[T]:
        """One page: the one asked for, or the one after ``after`` (a cursor we follow)."""
        return await self._client.call(self._request(after, reader(self._cast_to)))

    async def _page_and_response(self, after: str | None) -> tuple[ListResponse[T], httpx.Response]:
        """``_page``, and the response it came in (for an error about it)."""
        read_page = reader(self._cast_to)

        def read(response: httpx.Response) -> tuple[ListResponse[T], httpx.Response]:
            return read_page(response), response

        return await self._client.call(self._request(after, read))

    def _next_after(self, page: ListResponse[T]) -> str | None:
        """The cursor of the page after ``page``, or None when ``page`` is the last."""
        # An empty page has no id to go on from (the official SDK stops there too).
        if not self._cursor or not page.data or page.extra.get("has_more") is not True:
            return None
        # Cursor endpoints list objects with a required string ``id``.
        last_id: str = page.data[-1].id  # type: ignore[attr-defined]
        return last_id


class _Items(Generic[T]):
    """The items of an ``AsyncPaginator``, fetching the next page when one runs out."""

    __slots__ = ("_after", "_followed", "_items", "_more", "_pages")

    def __init__(self, pages: AsyncPaginator[T]) -> None:
        self._pages = pages
        self._items: Iterator[T] = iter(())
        self._more = True  # another page to fetch
        self._after: str | None = None  # None: the first page, as list() was asked
        self._followed: set[str] = set()  # the cursors followed so far

    def __aiter__(self) -> _Items[T]:
        return self

    async def __anext__(self) -> T:
        while True:
            for item in self._items:
                return item
            if not self._more:
                raise StopAsyncIteration
            page, response = await self._pages._page_and_response(self._after)
            after = self._pages._next_after(page)
            if after is not None:
                if after in self._followed:
                    raise APIResponseValidationError(
                        f"The list's pages go round in a loop: the page after {after!r} "
                        "leads back to a page already read (has_more is true, and its "
                        "last id was followed before).",
                        response=response,
                        body=None,
                    )
                self._followed.add(after)
            self._after = after
            self._more = after is not None
            self._items = iter(page.data)
