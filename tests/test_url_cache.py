"""Parsed URLs are cached between requests; the cache must never leak one call into another."""

from __future__ import annotations

import pytest

from openai_async import AsyncClient
from openai_async.testing import LocalServer

pytestmark = pytest.mark.anyio


@pytest.mark.off_spec("query parameters /models lacks, to show none sticks to a cached URL")
async def test_query_params_do_not_stick_to_a_cached_url(
    client: AsyncClient, server: LocalServer
) -> None:
    """A call with params, then the same path without: the second sends no query."""
    await client.request("GET", "models", params={"limit": "2"})
    await client.request("GET", "models")
    await client.request("GET", "/models", params={"after": "x"})
    assert [dict(r.query) for r in server.requests] == [{"limit": "2"}, {}, {"after": "x"}]


async def test_same_path_on_two_servers(server: LocalServer) -> None:
    """Clients on different base URLs never share a cached URL."""
    with LocalServer() as other:
        async with (
            AsyncClient(base_url=server.url, api_key="") as first,
            AsyncClient(base_url=other.url, api_key="") as second,
        ):
            await first.models.list()
            await second.models.list()
            await first.models.list()
        assert len(other.requests) == 1
    assert len(server.requests) == 2
