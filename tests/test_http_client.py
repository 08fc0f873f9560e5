"""``DefaultAsyncHttpxClient`` and ``DefaultAioHttpClient``: your settings, our transports.

The official SDK's names for the ``http_client`` a program builds itself; here they keep
the package's own pool (or aiohttp's) under the settings given, over loopback to real
servers: a TLS server with a certificate of its own, the local server, a forwarding
proxy.
"""

from __future__ import annotations

import ssl
from pathlib import Path

import anyio
import httpx
import pytest

from openai_async import (
    APIConnectionError,
    AsyncClient,
    DefaultAioHttpClient,
    DefaultAsyncHttpxClient,
)
from openai_async._aiohttp import AiohttpTransport
from openai_async._asyncio_http import AsyncioTransport
from openai_async._http11 import HTTP11Transport
from openai_async._transport import Pool
from openai_async.testing import LocalServer

from .test_env_proxies import ForwardingProxy, proxy  # noqa: F401  (a fixture)
from .test_transport import _OneAnswerServer, server_tls

pytestmark = pytest.mark.anyio


def trusting(pair: tuple[Path, Path]) -> ssl.SSLContext:
    """A client's TLS context that trusts the ``certificate`` fixture's certificate."""
    return ssl.create_default_context(cafile=str(pair[0]))


async def test_the_pool_trusts_the_certificates_it_is_given(
    certificate: tuple[Path, Path],
    anyio_backend: str,
) -> None:
    """``verify`` reaches the package's own pool: a CA bundle given is trusted, not others."""
    server = _OneAnswerServer(tls=server_tls(certificate))
    url = f"https://localhost:{server.port}/v1"
    try:
        async with DefaultAsyncHttpxClient(verify=trusting(certificate)) as http:
            client = AsyncClient(base_url=url, api_key="", max_retries=0, http_client=http)
            assert (await client.models.list()).data == []
            assert isinstance(http.pool, Pool)
            own = AsyncioTransport if anyio_backend == "asyncio" else HTTP11Transport
            assert isinstance(http.pool.inner, own)
        async with DefaultAsyncHttpxClient() as http:  # the usual CAs: this one is unknown
            client = AsyncClient(base_url=url, api_key="", max_retries=0, http_client=http)
            with pytest.raises(APIConnectionError):
                await client.models.list()
    finally:
        server.close()


async def test_the_pool_keeps_the_limits_it_is_given(server: LocalServer) -> None:
    """``limits`` bound the package's pool: ten requests at once share one connection."""

    async def ten_at_once(http: DefaultAsyncHttpxClient) -> tuple[int, int]:
        client = AsyncClient(base_url=server.url, api_key="", max_retries=0, http_client=http)

        async def one() -> None:
            await client.models.list()

        async with anyio.create_task_group() as tg:
            for _ in range(10):
                tg.start_soon(one)
        assert http.pool is not None
        assert isinstance(http.pool.inner, AsyncioTransport | HTTP11Transport)
        return http.pool.inner.counts()

    one = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with DefaultAsyncHttpxClient(limits=one) as http:
        assert await ten_at_once(http) == (0, 1)
    async with DefaultAsyncHttpxClient() as http:  # the default: a connection each
        in_use, idle = await ten_at_once(http)
        assert (in_use, idle) == (0, 10)


async def test_proxies_come_from_the_environment_unless_told_not_to(
    proxy: ForwardingProxy,  # noqa: F811  (the fixture imported above)
    server: LocalServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As ``AsyncClient()``, the pool reads HTTP_PROXY; with ``trust_env=False`` it does not."""
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    async with DefaultAsyncHttpxClient() as http:
        client = AsyncClient(base_url=server.url, api_key="", max_retries=0, http_client=http)
        await client.models.list()
    assert proxy.seen == [f"GET {server.url}/models HTTP/1.1"]
    async with DefaultAsyncHttpxClient(trust_env=False) as http:
        client = AsyncClient(base_url=server.url, api_key="", max_retries=0, http_client=http)
        await client.models.list()
    assert len(proxy.seen) == 1
    assert len(server.requests) == 2


async def test_a_transport_given_is_the_one_used(server: LocalServer) -> None:
    """Given ``transport``, httpx's choice applies: no pool is made."""
    given = httpx.AsyncHTTPTransport()
    async with DefaultAsyncHttpxClient(transport=given) as http:
        assert http.pool is None
        client = AsyncClient(base_url=server.url, api_key="", max_retries=0, http_client=http)
        assert len((await client.models.list()).data) > 0
    assert len(server.requests) == 1


@pytest.mark.parametrize("anyio_backend", ["asyncio"])  # aiohttp runs on asyncio only
async def test_the_aiohttp_client_sends_on_aiohttp_with_the_certificates_given(
    certificate: tuple[Path, Path],
) -> None:
    """``DefaultAioHttpClient`` sends on aiohttp's pool, trusting the CA bundle it is given."""
    server = _OneAnswerServer(tls=server_tls(certificate))
    url = f"https://localhost:{server.port}/v1"
    try:
        async with DefaultAioHttpClient(verify=trusting(certificate)) as http:
            assert isinstance(http._transport, AiohttpTransport)
            client = AsyncClient(base_url=url, api_key="", max_retries=0, http_client=http)
            assert (await client.models.list()).data == []
        async with DefaultAioHttpClient() as http:
            client = AsyncClient(base_url=url, api_key="", max_retries=0, http_client=http)
            with pytest.raises(APIConnectionError):
                await client.models.list()
    finally:
        server.close()
