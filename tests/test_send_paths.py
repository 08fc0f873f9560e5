"""The two ways a request leaves the client behave the same.

A pool the client builds is sent on directly (``_transport.DirectSend``); a pool the
caller brings goes through ``httpx.AsyncClient.send``. What httpx's ``send`` does
beyond sending - cookies, ``response.elapsed``, its log line, refusing a closed
pool - must hold on both.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import anyio
import httpx
import pytest

from openai_async import (
    APIConnectionError,
    APITimeoutError,
    AsyncClient,
    CallNext,
)
from openai_async.testing import LocalServer

from .conftest import API_KEY, unused_port

pytestmark = pytest.mark.anyio

MakeClient = Callable[..., AbstractAsyncContextManager[AsyncClient]]


@asynccontextmanager
async def _own_pool(server: LocalServer, **options: Any) -> AsyncIterator[AsyncClient]:
    async with AsyncClient(base_url=server.url, api_key=API_KEY, max_retries=0, **options) as c:
        yield c


@asynccontextmanager
async def _callers_pool(server: LocalServer, **options: Any) -> AsyncIterator[AsyncClient]:
    # The caller's pool has the same timeout: httpx gives it to requests without one.
    timeout = options.get("timeout", httpx.Timeout(5.0))
    async with (
        httpx.AsyncClient(timeout=timeout) as http,
        AsyncClient(
            base_url=server.url, api_key=API_KEY, max_retries=0, http_client=http, **options
        ) as client,
    ):
        yield client


@pytest.fixture(params=["own pool", "caller's pool"])
def make_client(request: pytest.FixtureRequest) -> MakeClient:
    return _own_pool if request.param == "own pool" else _callers_pool


_MODELS = {"object": "list", "data": []}


async def test_cookies_set_by_the_server_are_sent_back(
    server: LocalServer, make_client: MakeClient
) -> None:
    """A load balancer's sticky-session cookie comes back on the next request."""
    server.inject(status=200, headers={"set-cookie": "lb=node-7; Path=/"}, body=_MODELS)
    async with make_client(server) as client:
        await client.models.list()
        assert "cookie" not in server.requests[-1].headers
        await client.models.list()
        assert server.requests[-1].headers["cookie"] == "lb=node-7"
        await client.chat.completions.create(
            model="gpt-3.5-turbo", messages=[{"role": "user", "content": "hi"}]
        )
        assert server.requests[-1].headers["cookie"] == "lb=node-7"


async def test_response_elapsed_is_set(server: LocalServer, make_client: MakeClient) -> None:
    """``response.elapsed`` is readable on a read answer and on a closed stream."""
    server.inject(delay=0.05, path="/v1/models")
    async with make_client(server) as client:
        response = await client.request("GET", "models", cast_to=httpx.Response)
        assert response.elapsed.total_seconds() >= 0.05
        stream = await client.chat.completions.create(
            model="gpt-3.5-turbo", messages=[{"role": "user", "content": "hi"}], stream=True
        )
        async with stream:
            async for _ in stream:
                pass
        assert stream.response.elapsed.total_seconds() > 0


async def test_httpx_log_line_is_written(
    server: LocalServer, make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    """Logging configured for httpx sees our requests, as it would the SDK's."""
    caplog.set_level(logging.INFO, logger="httpx")
    async with make_client(server) as client:
        await client.models.list()
    lines = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert lines == [f'HTTP Request: GET {server.url}/models "HTTP/1.1 200 OK"']


async def test_closed_client_refuses_to_send(server: LocalServer, make_client: MakeClient) -> None:
    """After the client is closed a request fails at once and reaches no server."""
    async with make_client(server) as client:
        pass
    if not client._owns_http:
        await client._http.aclose()  # the caller's pool: the caller closes it
    with pytest.raises(RuntimeError, match="closed"):
        await client.models.list()
    assert server.requests == []


async def test_proxy_from_the_environment_is_used(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """HTTP_PROXY is honoured by the pool the client builds: here it refuses connections."""
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{unused_port()}")
    async with AsyncClient(base_url=server.url, api_key=API_KEY, max_retries=0) as client:
        with pytest.raises(APIConnectionError):
            await client.models.list()
    assert server.requests == []


async def test_header_names_are_merged_without_case(
    server: LocalServer, make_client: MakeClient
) -> None:
    """Api-Key replaces api-key, authorization replaces the Bearer key: one value each."""
    async with make_client(
        server, default_headers={"api-key": "PARENT", "authorization": "Bearer gateway"}
    ) as client:
        await client.models.list()
        sent = server.requests[-1].headers
        assert (sent["api-key"], sent["authorization"]) == ("PARENT", "Bearer gateway")
        variant = client.with_options(api_key="sk-new", default_headers={"Api-Key": "CHILD"})
        await variant.models.list()
        assert server.requests[-1].headers["api-key"] == "CHILD"
        await client.request("GET", "models", headers={"accept": "text/plain"}, cast_to=str)
        assert server.requests[-1].headers["accept"] == "text/plain"


async def test_default_headers_override_the_pools(server: LocalServer) -> None:
    """default_headers win over httpx's own defaults; per-request Accept wins over both."""
    headers = {"Accept-Encoding": "identity", "X-Team": "search"}
    async with AsyncClient(
        base_url=server.url, api_key=API_KEY, max_retries=0, default_headers=headers
    ) as client:
        await client.models.list()
        sent = server.requests[-1].headers
        assert (sent["accept-encoding"], sent["x-team"], sent["accept"]) == (
            "identity",
            "search",
            "application/json",
        )
        stream = await client.chat.completions.create(
            model="gpt-3.5-turbo", messages=[{"role": "user", "content": "hi"}], stream=True
        )
        async with stream:
            pass
        sent = server.requests[-1].headers
        assert (sent["accept"], sent["x-team"]) == ("text/event-stream", "search")


@pytest.mark.parametrize("own_pool", [True, False], ids=["own pool", "caller's pool"])
async def test_connection_error_cause_carries_the_request(own_pool: bool) -> None:
    """The httpx error under APIConnectionError knows its request, as httpx sets it."""
    url = f"http://127.0.0.1:{unused_port()}/v1"
    async with httpx.AsyncClient() as http:
        client = AsyncClient(
            base_url=url, api_key=API_KEY, max_retries=0, http_client=None if own_pool else http
        )
        async with client:
            with pytest.raises(APIConnectionError) as info:
                await client.models.list()
    cause = info.value.__cause__
    assert isinstance(cause, httpx.ConnectError)
    assert cause.request.url == f"{url}/models"


async def _rebuild(request: httpx.Request, call_next: CallNext) -> httpx.Response:
    """A middleware that sends a new request: it has no timeout of its own."""
    extensions = {k: v for k, v in request.extensions.items() if k != "timeout"}
    fresh = httpx.Request(
        request.method, request.url, headers=request.headers, extensions=extensions
    )
    return await call_next(fresh)


async def test_request_without_timeout_gets_the_pools(
    server: LocalServer, make_client: MakeClient
) -> None:
    """A request a middleware built afresh still times out, with the pool's timeout."""
    server.inject(delay=2.0, path="/v1/models")
    async with make_client(server, timeout=0.3, middleware=[_rebuild]) as client:
        with anyio.fail_after(1.5):
            with pytest.raises(APITimeoutError):
                await client.models.list()


async def test_credentials_in_the_url_become_basic_auth(
    server: LocalServer, make_client: MakeClient
) -> None:
    """user:pass@ in the base URL is sent as Basic auth, as httpx does."""
    async with make_client(server) as client:
        url = server.url.replace("http://", "http://alice:pw@")
        await client.request("GET", f"{url}/models")
    basic = base64.b64encode(b"alice:pw").decode()
    assert server.requests[-1].headers["authorization"] == f"Basic {basic}"


@pytest.mark.off_spec("a redirect is not an API answer")
async def test_redirect_is_not_followed_but_offered(
    server: LocalServer, make_client: MakeClient
) -> None:
    """A 307 comes back as it is, with next_request set, as httpx leaves it."""
    server.inject(status=307, headers={"location": f"{server.url}/models?page=2"}, body={})
    async with make_client(server) as client:
        response = await client.request("GET", "models", cast_to=httpx.Response)
    assert response.status_code == 307
    assert response.next_request is not None
    assert str(response.next_request.url) == f"{server.url}/models?page=2"
    assert len(server.requests) == 1
