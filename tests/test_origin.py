"""The caller's credentials never reach another origin, on a redirect or by a full URL."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from openai_async import AsyncClient
from openai_async.testing import LocalServer

pytestmark = [pytest.mark.anyio, pytest.mark.off_spec("redirects and full URLs on purpose")]

SECRETS = ("authorization", "api-key", "openai-organization", "openai-project", "x-team-token")


@pytest.fixture(scope="module")
def elsewhere() -> Iterator[LocalServer]:
    """A second server: another port, so another origin."""
    with LocalServer() as other:
        yield other


def _client(server: LocalServer, http_client: httpx.AsyncClient | None = None) -> AsyncClient:
    return AsyncClient(
        base_url=server.url,
        api_key="sk-secret",
        organization="org-secret",
        default_headers={"api-key": "azure-secret", "OpenAI-Project": "p", "X-Team-Token": "t"},
        http_client=http_client,
    )


async def test_redirect_to_another_origin_drops_every_credential(
    server: LocalServer, elsewhere: LocalServer
) -> None:
    """With the caller's follow_redirects client, a 307 elsewhere arrives with no credentials."""
    elsewhere.reset()
    target = f"{elsewhere.url}/models"
    server.inject(status=307, headers={"location": target}, body="", path="/models")
    async with httpx.AsyncClient(follow_redirects=True) as http, _client(server, http) as client:
        page = await client.models.list()
    assert page.data  # the other server answered
    (arrived,) = elsewhere.requests
    assert not [name for name in SECRETS if name in arrived.headers]


async def test_redirect_within_the_origin_keeps_them(server: LocalServer) -> None:
    """A redirect to the same origin is the API's own: the credentials go along."""
    server.inject(status=307, headers={"location": f"{server.url}/models"}, body="", path="/v1/x")
    async with httpx.AsyncClient(follow_redirects=True) as http, _client(server, http) as client:
        await client.request("GET", "x")
    arrived = server.requests[-1]
    assert arrived.path == "/v1/models"
    assert all(name in arrived.headers for name in SECRETS)


async def test_full_url_elsewhere_gets_no_credentials(
    server: LocalServer, elsewhere: LocalServer
) -> None:
    """The escape hatch with a full URL of another host sends it no credentials."""
    elsewhere.reset()
    async with _client(server) as client:
        await client.request("GET", f"{elsewhere.url}/models")
        await client.models.list()
    (arrived,) = elsewhere.requests
    assert not [name for name in SECRETS if name in arrived.headers]
    assert all(name in server.requests[-1].headers for name in SECRETS)
