"""``AsyncPaginator``: what a ``list()`` method returns, a page to await or items to iterate.

A page got by awaiting one keeps, in a side table, the paginator that fetched it
and the cursors followed to reach it, so that it walks on as the SDK's pages do
(``async for`` over it, ``has_next_page()``, ``get_next_page()``). Why a side
table and not a field: which request fetched a page is not part of its value (two
equal pages stay equal, ``repr``, ``to_dict()`` and pickling do not see a client),
and the models module stays unaware of HTTP. An entry costs one small tuple and a
weak reference per list request, and lives exactly as long as its page.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import AsyncIterator, Callable, Generator, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import attrs
import httpx

from ._exceptions import APIResponseValidationError
from ._models import ListResponse
from ._request import APIRequest, RequestOptions, reader

if TYPE_CHECKING:
    from ._client import AsyncClient

__all__ = ["AsyncPaginator", "PageInfo"]

T = TypeVar("T")
R = TypeVar("R")


@attrs.frozen
class PageInfo:
    """What the request for the next page adds to the first's query: ``{"after": <last id>}``.

    The SDK's ``PageInfo``, with ``params`` only: every cursor endpoint here pages by
    ``after``.
    """

    params: Mapping[str, str]


class AsyncPaginator(Generic[T]):
    """One ``GET`` of a list endpoint, not sent yet: await it for the page, iterate it for items.

    ::

        page = await client.files.list()        # ListResponse[FileObject]: one request
        async for file in client.files.list():  # every FileObject, page after page
            ...
        async for file in page:                 # the same: page's items, then the next pages'

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
        return self._first_page().__await__()

    def __aiter__(self) -> AsyncIterator[T]:
        return _Items(self, None)

    def _request(self, after: str | None, read: Callable[[httpx.Response], R]) -> APIRequest[R]:
        params = self._params if after is None else {**self._params, "after": after}
        return APIRequest(
            method="GET", path=self._path, read=read, query=params or None, options=self._options
        )

    async def _first_page(self) -> ListResponse[T]:
        """The page asked for, remembered as the start of a walk."""
        page = await self._client.call(self._request(None, reader(self._cast_to)))
        if isinstance(page, ListResponse):  # not an APIResponse (with_raw_response)
            _remember(page, self, frozenset())
        return page

    async def _page_after(self, after: str, followed: frozenset[str]) -> ListResponse[T]:
        """The page after cursor ``after``, reached by following the cursors ``followed``.

        ``followed`` includes ``after``; a page whose own next cursor is one of them
        would start the loop again, and raises instead of being given out.
        """
        read_page = reader(self._cast_to)

        def read(response: httpx.Response) -> tuple[ListResponse[T], httpx.Response]:
            return read_page(response), response

        page, response = await self._client.call(self._request(after, read))
        following = self._next_after(page)
        if following is not None and following in followed:
            raise APIResponseValidationError(
                f"The list's pages go round in a loop: the page after {after!r} leads "
                f"back to {following!r}, a cursor already followed (has_more is true).",
                response=response,
                body=None,
            )
        _remember(page, self, followed)
        return page

    def _next_after(self, page: ListResponse[T]) -> str | None:
        """The cursor of the page after ``page``, or None when ``page`` is the last."""
        # An empty page has no id to go on from (the official SDK stops there too).
        if not self._cursor or not page.data or page.extra.get("has_more") is not True:
            return None
        # Cursor endpoints list objects with a required string ``id``.
        last_id: str = page.data[-1].id  # type: ignore[attr-defined]
        return last_id


# id(page) -> (its paginator, the cursors followed to reach it, a weak reference to
# the page whose death removes the entry)
_Walk = tuple[AsyncPaginator[Any], frozenset[str], weakref.ref[ListResponse[Any]]]
_walks: dict[int, _Walk] = {}


def _remember(
    page: ListResponse[Any], pages: AsyncPaginator[Any], followed: frozenset[str]
) -> None:
    key = id(page)
    _walks[key] = (pages, followed, weakref.ref(page, functools.partial(_forget, key)))


def _forget(key: int, ref: weakref.ref[ListResponse[Any]]) -> None:
    entry = _walks.get(key)
    if entry is not None and entry[2] is ref:  # not a newer page's at the same id
        del _walks[key]


def _walk_of(page: ListResponse[Any]) -> _Walk | None:
    entry = _walks.get(id(page))
    return None if entry is None or entry[2]() is not page else entry


def next_page_info(page: ListResponse[Any]) -> PageInfo | None:
    """``page.next_page_info()``: the next page's cursor, if ``page`` has a next page."""
    walk = _walk_of(page)
    after = None if walk is None else walk[0]._next_after(page)
    return None if after is None else PageInfo(params={"after": after})


async def next_page(page: ListResponse[T]) -> ListResponse[T]:
    """``page.get_next_page()``: fetch the page after ``page``."""
    walk = _walk_of(page)
    after = None if walk is None else walk[0]._next_after(page)
    if walk is None or after is None:
        raise RuntimeError(
            "No next page expected; check has_next_page() before calling get_next_page()."
        )
    pages: AsyncPaginator[T] = walk[0]
    return await pages._page_after(after, walk[1] | {after})


def items_from(page: ListResponse[T]) -> AsyncIterator[T]:
    """``async for`` over ``page``: its items, then those of the pages after it."""
    return _Items(None, page)


class _Items(Generic[T]):
    """Items page after page: from a paginator's first page, or from a page already got."""

    __slots__ = ("_items", "_page", "_pages")

    def __init__(self, pages: AsyncPaginator[T] | None, page: ListResponse[T] | None) -> None:
        self._pages = pages  # the first page is still to fetch from it
        self._page = page  # the page whose items are being given out
        self._items: Iterator[T] = iter(()) if page is None else iter(page.data)

    def __aiter__(self) -> _Items[T]:
        return self

    async def __anext__(self) -> T:
        while True:
            for item in self._items:
                return item
            if self._page is not None:
                if next_page_info(self._page) is None:
                    raise StopAsyncIteration
                self._page = await next_page(self._page)
            elif self._pages is not None:
                self._page = await self._pages._first_page()
            else:
                raise StopAsyncIteration
            self._items = iter(self._page.data)
