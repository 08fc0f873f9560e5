"""A closed client, or one used from a second event loop, raises a typed error, sending nothing."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Iterator

import pytest
import trio

from openai_async import AsyncClient, ClientStateError, OpenAIError
from openai_async._transport import Pool
from openai_async.testing import LocalServer

from .test_env_proxies import ForwardingProxy


@pytest.mark.anyio
async def test_closed_client_and_its_variants(server: LocalServer) -> None:
    """After aclose(), the client and a with_options variant of it raise ClientStateError."""
    client = AsyncClient(base_url=server.url, api_key="")
    await client.models.list()
    variant = client.with_options(timeout=5)
    await client.aclose()
    sent = len(server.requests)
    for closed in (client, variant):
        with pytest.raises(ClientStateError, match="closed") as info:
            await closed.models.list()
        assert isinstance(info.value, OpenAIError)
        assert isinstance(info.value, RuntimeError)
    assert len(server.requests) == sent


@pytest.fixture(params=["direct", "env proxy"])
def proxied(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[bool]:
    """No proxy, or HTTP_PROXY naming a real forwarding proxy (the requests go through it)."""
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    if request.param == "direct":
        yield False
        return
    proxy = ForwardingProxy()
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    yield True
    proxy.close()
    assert proxy.seen, "the requests went through the proxy"


def test_second_asyncio_run(server: LocalServer, proxied: bool) -> None:
    """A client whose pool served one asyncio.run refuses the next, clearly and unsent.

    With a proxy from the environment too: the check is the client's pool's, whatever
    sends underneath.
    """
    client = AsyncClient(base_url=server.url, api_key="", max_retries=2)
    assert asyncio.run(_count_models(client, close_connections=True)) > 0
    sent = len(server.requests)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "Event loop is closed" noise either
        with pytest.raises(ClientStateError, match="another event loop"):
            asyncio.run(_count_models(client))
    assert len(server.requests) == sent  # refused, not sent (nor retried)


def test_second_trio_run(server: LocalServer, proxied: bool) -> None:
    """The same under trio: a second trio.run gets the typed error."""
    client = AsyncClient(base_url=server.url, api_key="")
    assert trio.run(_count_models, client, True) > 0
    sent = len(server.requests)
    with pytest.raises(ClientStateError, match="another event loop"):
        trio.run(_count_models, client)
    assert len(server.requests) == sent


def test_client_made_in_its_loop_works_in_each(server: LocalServer) -> None:
    """A client made inside the loop that uses it (the advice in the error) always works."""

    async def main() -> int:
        async with AsyncClient(base_url=server.url, api_key="") as client:
            return await _count_models(client)

    assert asyncio.run(main()) == asyncio.run(main())


async def _count_models(client: AsyncClient, close_connections: bool = False) -> int:
    page = await client.models.list()
    if close_connections:
        # What a user's program leaves open is closed here, in its own loop, so that
        # its sockets are not collected (with a ResourceWarning) during later tests.
        # The client's pool itself stays as the program left it: bound to this loop.
        pool = client._http._transport
        assert isinstance(pool, Pool)
        assert pool.inner is not None
        await pool.inner.aclose()
    return len(page.data)
