"""``list()`` methods over loopback: await for the page, ``async for`` the items, pages followed."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from openai_async import (
    APIResponseValidationError,
    AsyncClient,
    AsyncPaginator,
    BadRequestError,
    InternalServerError,
    InvalidParameterError,
)
from openai_async.testing import LocalServer
from openai_async.types import ListResponse

from .test_stream_leaks import pool_state

pytestmark = pytest.mark.anyio

# Each list method, called with no arguments, and the path it sends to.
LISTS: dict[str, tuple[Callable[[AsyncClient], AsyncPaginator[object]], str]] = {
    "models": (lambda c: c.models.list(), "/v1/models"),
    "files": (lambda c: c.files.list(), "/v1/files"),
    "fine_tunes": (lambda c: c.fine_tunes.list(), "/v1/fine-tunes"),
    "engines": (lambda c: c.engines.list(), "/v1/engines"),
}
every_list = pytest.mark.parametrize("name", sorted(LISTS))
# engines.list warns on every call; tests/test_engines.py checks the warning itself.
no_engine_warning = pytest.mark.filterwarnings("ignore:The engines endpoints:DeprecationWarning")


async def _upload(client: AsyncClient, count: int, purpose: str = "fine-tune") -> list[str]:
    ids = []
    for i in range(count):
        upload = await client.files.create(file=(f"{i}.jsonl", b"{}\n", None), purpose=purpose)
        ids.append(upload.id)
    return ids


@no_engine_warning
@every_list
async def test_await_and_async_for_give_the_same_items(
    client: AsyncClient, server: LocalServer, name: str
) -> None:
    """Awaiting list() gives the ListResponse; async for over list() gives its items."""
    call, path = LISTS[name]
    await _upload(client, 2)  # the other lists have entries from the start
    server.requests.clear()
    page = await call(client)
    assert isinstance(page, ListResponse)
    assert len(page) > 0
    items = [item async for item in call(client)]
    assert items == list(page)
    assert [(r.method, r.path, r.query) for r in server.requests] == [("GET", path, {})] * 2


@no_engine_warning
@every_list
async def test_each_await_and_each_loop_sends_its_own_request(
    client: AsyncClient, server: LocalServer, name: str
) -> None:
    """list() sends nothing by itself; every await and every async for sends one request."""
    call, path = LISTS[name]
    paginator = call(client)
    assert server.requests == []
    await paginator
    await paginator
    async for _ in paginator:
        pass
    assert [r.path for r in server.requests] == [path] * 3


@no_engine_warning
@every_list
async def test_errors_are_the_same_from_await_and_async_for(
    client: AsyncClient, server: LocalServer, name: str
) -> None:
    """A 500 raises InternalServerError from await and from async for alike."""
    call, path = LISTS[name]
    server.inject(status=500, path=path, times=2)
    with pytest.raises(InternalServerError) as awaited:
        await call(client)
    with pytest.raises(InternalServerError) as iterated:
        async for _ in call(client):
            pass
    assert awaited.value.status_code == iterated.value.status_code == 500


async def test_list_response_is_async_iterable(client: AsyncClient) -> None:
    """async for over an awaited page goes over its data, as for does."""
    page = await client.models.list()
    assert [m async for m in page] == list(page) == page.data
    assert [x async for x in ListResponse(data=[1, 2])] == [1, 2]


@pytest.mark.latest_spec("GET /files?limit=&after= came after the 2023 spec")
async def test_async_for_follows_file_pages(client: AsyncClient, server: LocalServer) -> None:
    """async for asks for the page after the last id while has_more is true; await does not."""
    ids = await _upload(client, 5)
    server.requests.clear()
    page = await client.files.list(limit=2)
    assert [f.id for f in page] == ids[:2]
    assert page.extra["has_more"] is True
    assert [f.id async for f in client.files.list(limit=2)] == ids
    assert [r.query for r in server.requests] == [
        {"limit": "2"},
        {"limit": "2"},
        {"limit": "2", "after": ids[1]},
        {"limit": "2", "after": ids[3]},
    ]


def _file_page(last_id: str) -> str:
    file = {
        "id": last_id,
        "object": "file",
        "bytes": 3,
        "created_at": 1,
        "filename": "a.jsonl",
        "purpose": "fine-tune",
    }
    return json.dumps({"object": "list", "data": [file], "has_more": True})


@pytest.mark.parametrize("cycle", [["file-a"], ["file-a", "file-b"]])
async def test_pages_that_loop_back_raise_instead_of_looping_forever(
    client: AsyncClient, server: LocalServer, cycle: list[str]
) -> None:
    """A server whose has_more pages lead back to a cursor already followed: a typed error."""
    for last_id in [*cycle, *cycle]:
        server.inject(status=200, body=_file_page(last_id), path="/v1/files", method="GET")
    seen = []

    async def follow() -> None:
        async for file in client.files.list():
            seen.append(file.id)

    with pytest.raises(APIResponseValidationError, match="loop"):
        await follow()
    assert seen == cycle  # the page that loops back is not given out
    afters = [r.query.get("after") for r in server.requests if r.path == "/v1/files"]
    assert afters == [None, *cycle]


@pytest.mark.latest_spec("GET /files?purpose=&limit=&after= came after the 2023 spec")
async def test_following_keeps_the_filter_and_starts_after(
    client: AsyncClient, server: LocalServer
) -> None:
    """Every page keeps purpose and limit; a given after= is where the first page starts."""
    wanted = await _upload(client, 4, purpose="assistants")
    await _upload(client, 2)
    listed = client.files.list(purpose="assistants", limit=1, after=wanted[0])
    assert [f.id async for f in listed] == wanted[1:]
    assert {r.query["purpose"] for r in server.requests if r.method == "GET"} == {"assistants"}


async def test_pages_are_not_followed_where_the_endpoint_has_no_cursor(
    client: AsyncClient, server: LocalServer
) -> None:
    """/models defines no after=: a has_more in its answer is not followed."""
    body = {"object": "list", "data": [{"id": "a"}], "has_more": True}
    server.inject(status=200, body=body, path="/v1/models", times=2)
    assert [m.id async for m in client.models.list()] == ["a"]
    assert len(server.requests) == 1


@pytest.mark.latest_spec("GET /files?limit= came after the 2023 spec")
async def test_an_error_on_a_later_page_raises_after_the_earlier_items(
    client: AsyncClient, server: LocalServer
) -> None:
    """A failing second page raises its error once the first page's items are used."""
    ids = await _upload(client, 3)
    seen = []

    async def read_all() -> None:
        async for f in client.files.list(limit=2):
            seen.append(f.id)
            if len(seen) == 1:
                server.inject(status=500, path="/v1/files")  # for the next request

    with pytest.raises(InternalServerError):
        await read_all()
    assert seen == ids[:2]


@pytest.mark.latest_spec("GET /files?limit= came after the 2023 spec")
async def test_breaking_out_early_leaks_no_connection(
    client: AsyncClient, server: LocalServer
) -> None:
    """Leaving the loop on the first item fetches no further page and holds no connection."""
    await _upload(client, 3)
    server.requests.clear()
    async for _ in client.files.list(limit=1):
        break
    assert len(server.requests) == 1
    assert pool_state(client)[0] == 0  # nothing checked out


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [({"limit": 0}, "limit"), ({"limit": 10_001}, "limit"), ({"after": ""}, "after")],
)
async def test_bad_page_arguments_raise_at_the_call(
    client: AsyncClient, server: LocalServer, kwargs: dict[str, object], param: str
) -> None:
    """files.list checks limit and after when called, before anything is sent."""
    with pytest.raises(InvalidParameterError) as info:
        client.files.list(**kwargs)  # type: ignore[arg-type]
    assert info.value.param == param
    assert server.requests == []


@pytest.mark.latest_spec("GET /files?limit= came after the 2023 spec")
async def test_local_server_refuses_a_limit_out_of_range(
    client: AsyncClient, server: LocalServer
) -> None:
    """The local server answers 400 naming limit when it is not 1 to 10,000."""
    with pytest.raises(BadRequestError) as info:
        await client.request("GET", "files", params={"limit": "0"})
    assert info.value.param == "limit"
