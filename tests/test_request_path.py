"""What the request path sends: identity headers and timeouts, as a middleware sees them."""

from __future__ import annotations

import httpx
import pytest

from openai_async import AsyncClient, CallNext
from openai_async.testing import LocalServer

from .conftest import API_KEY

pytestmark = pytest.mark.anyio

IDENTITY = ("user-agent", "accept", "authorization")


class Recorder:
    """A middleware that keeps every request it passes on."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    async def __call__(self, request: httpx.Request, call_next: CallNext) -> httpx.Response:
        self.requests.append(request)
        return await call_next(request)

    def headers(self, index: int) -> dict[str, list[str]]:
        """The identity headers of one request, each with every value it went out with."""
        items = self.requests[index].headers.multi_items()
        return {name: [v for n, v in items if n.lower() == name] for name in IDENTITY}


@pytest.mark.parametrize("pool", ["ours", "given"])
async def test_identity_headers_go_once_each(server: LocalServer, pool: str) -> None:
    """User-Agent, Accept and auth go out once each, ours; a variant's replace them."""
    record = Recorder()
    given = None
    if pool == "given":
        given = httpx.AsyncClient(
            headers={"User-Agent": "theirs", "Accept": "application/json", "X-Theirs": "1"}
        )
    try:
        async with AsyncClient(
            base_url=server.url, api_key=API_KEY, middleware=[record], http_client=given
        ) as client:
            await client.models.list()
            if given is not None:
                given.headers["Accept"] = "text/html"  # theirs to change; ours still win
            variant = client.with_options(
                api_key="sk-other", default_headers={"User-Agent": "mine/1", "Accept": "x/y"}
            )
            await variant.request("GET", "models")
            await client.request("GET", "models", headers={"Accept": "text/plain"})
            await client.request("GET", "models")
    finally:
        if given is not None:
            await given.aclose()
    first, second, third, fourth = (record.headers(i) for i in range(4))
    assert len(first["user-agent"]) == 1
    assert first["user-agent"][0].startswith("openai_async/")
    assert first["accept"] == ["application/json"]
    assert first["authorization"] == [f"Bearer {API_KEY}"]
    assert second == {
        "user-agent": ["mine/1"],
        "accept": ["x/y"],
        "authorization": ["Bearer sk-other"],
    }
    assert third["accept"] == ["text/plain"]
    assert third["authorization"] == [f"Bearer {API_KEY}"]
    assert fourth == first
    if pool == "given":
        assert record.requests[0].headers["x-theirs"] == "1"
    # What the server got, as well as what the chain saw.
    assert server.requests[-2].headers["accept"] == "text/plain"
    assert server.requests[-1].headers["accept"] == "application/json"


async def test_timeouts_per_client_variant_and_call(server: LocalServer) -> None:
    """Each request carries its client's timeout, its variant's, or the call's own."""
    record = Recorder()
    async with AsyncClient(
        base_url=server.url, api_key=API_KEY, middleware=[record], timeout=30.0
    ) as client:
        await client.models.list()
        await client.with_options(timeout=httpx.Timeout(5.0, connect=2.0)).models.list()
        await client.models.list(timeout=7.0)
        await client.models.list()
    timeouts = [request.extensions["timeout"] for request in record.requests]
    assert timeouts == [
        httpx.Timeout(30.0).as_dict(),
        httpx.Timeout(5.0, connect=2.0).as_dict(),
        httpx.Timeout(7.0).as_dict(),
        httpx.Timeout(30.0).as_dict(),
    ]
    assert timeouts[0] is not timeouts[3]  # each request its own, for a middleware to change


@pytest.mark.parametrize("pool", ["ours", "given"])
async def test_cookies_a_server_sets_go_back_to_it(server: LocalServer, pool: str) -> None:
    """As with httpx's own client: a Set-Cookie answer is kept, and sent on later requests.

    The client's own pool reads cookies only from answers with a Set-Cookie header;
    this pins that it still reads those.
    """
    given = httpx.AsyncClient() if pool == "given" else None
    server.inject(
        status=200,
        headers={"Set-Cookie": "__cf_bm=abc123; Path=/; HttpOnly"},
        body={"object": "list", "data": []},
        path="/v1/models",
    )
    try:
        async with AsyncClient(base_url=server.url, api_key=API_KEY, http_client=given) as client:
            await client.models.list()
            await client.models.list()  # no cookie set: the jar keeps the first
            await client.models.list()
    finally:
        if given is not None:
            await given.aclose()
    sent = [request.headers.get("cookie") for request in server.requests]
    assert sent == [None, "__cf_bm=abc123", "__cf_bm=abc123"]
