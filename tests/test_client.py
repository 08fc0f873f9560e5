"""AsyncClient configuration, headers and the request path, over loopback."""

from __future__ import annotations

import httpx
import pytest

from openai_async import (
    NOT_GIVEN,
    AsyncClient,
    InvalidParameterError,
    MissingAPIKeyError,
    __version__,
)
from openai_async.testing import LocalServer
from openai_async.types import ListResponse, Model

from .conftest import API_KEY

pytestmark = pytest.mark.anyio


async def test_auth_and_organization_headers_arrive(server: LocalServer) -> None:
    """The bearer key and the organization reach the server on every request."""
    async with AsyncClient(base_url=server.url, api_key=API_KEY, organization="org-42") as client:
        await client.models.list()
    headers = server.requests[-1].headers
    assert headers["authorization"] == f"Bearer {API_KEY}"
    assert headers["openai-organization"] == "org-42"


async def test_user_agent_names_package_and_version(
    client: AsyncClient, server: LocalServer
) -> None:
    """The User-Agent says which client and version sent the request."""
    await client.models.list()
    assert f"openai_async/{__version__}" in server.requests[-1].headers["user-agent"]


async def test_environment_is_honoured(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Key, base URL and organization come from the environment when not given."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    monkeypatch.setenv("OPENAI_BASE_URL", server.url)
    monkeypatch.setenv("OPENAI_ORG_ID", "org-env")
    async with AsyncClient() as client:
        models = await client.models.list()
    assert len(models) > 0
    headers = server.requests[-1].headers
    assert headers["authorization"] == "Bearer sk-from-env"
    assert headers["openai-organization"] == "org-env"


async def test_arguments_beat_environment(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Explicit arguments win over OPENAI_API_KEY, OPENAI_BASE_URL and OPENAI_ORG_ID."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("OPENAI_ORG_ID", "org-env")
    async with AsyncClient(base_url=server.url, api_key="sk-arg", organization="org-arg") as client:
        await client.models.list()
    headers = server.requests[-1].headers
    assert headers["authorization"] == "Bearer sk-arg"
    assert headers["openai-organization"] == "org-arg"


async def test_project_as_the_sdk_sends_it(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``project=`` (else ``OPENAI_PROJECT_ID``) goes out as ``OpenAI-Project``, as the SDK's."""
    monkeypatch.setenv("OPENAI_PROJECT_ID", "proj-env")
    async with AsyncClient(base_url=server.url, api_key="sk-test") as client:
        assert client.project == "proj-env"
        await client.models.list()
        assert server.requests[-1].headers["openai-project"] == "proj-env"
        variant = client.with_options(project="proj-variant")
        await variant.models.list()
        assert server.requests[-1].headers["openai-project"] == "proj-variant"
    async with AsyncClient(base_url=server.url, api_key="sk-test", project="proj-arg") as client:
        await client.models.list()
        assert server.requests[-1].headers["openai-project"] == "proj-arg"
    with pytest.raises(InvalidParameterError, match="project"):
        AsyncClient(base_url=server.url, api_key="sk-test", project="proj\nX-Evil: 1")


async def test_is_closed_as_the_sdk_has_it(server: LocalServer) -> None:
    client = AsyncClient(base_url=server.url, api_key="sk-test")
    variant = client.with_options(max_retries=5)
    await client.models.list()
    assert not client.is_closed()
    assert not variant.is_closed()
    await client.close()
    assert client.is_closed()
    assert variant.is_closed()  # the variant shares the pool


async def test_environment_read_at_construction(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Changing the environment after the client is built changes nothing."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-first")
    client = AsyncClient(base_url=server.url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-second")
    async with client:
        await client.models.list()
    assert server.requests[-1].headers["authorization"] == "Bearer sk-first"


async def test_missing_key_fails_before_sending(server: LocalServer) -> None:
    """Without any key the first request raises MissingAPIKeyError and sends nothing."""
    async with AsyncClient(base_url=server.url) as client:
        with pytest.raises(MissingAPIKeyError, match="OPENAI_API_KEY"):
            await client.models.list()
    assert server.requests == []


async def test_empty_key_sends_no_authorization(server: LocalServer) -> None:
    """api_key="" is for servers that need no key: no Authorization header at all."""
    async with AsyncClient(base_url=server.url, api_key="") as client:
        await client.models.list()
    assert "authorization" not in server.requests[-1].headers


@pytest.mark.parametrize("suffix", ["", "/"])
async def test_base_url_with_or_without_trailing_slash(server: LocalServer, suffix: str) -> None:
    """A trailing slash on base_url makes no difference to the path sent."""
    async with AsyncClient(base_url=server.url + suffix, api_key="") as client:
        await client.models.retrieve("gpt-4o-mini")
    assert server.requests[-1].path == "/v1/models/gpt-4o-mini"


async def test_default_headers_are_sent(server: LocalServer) -> None:
    """default_headers ride along on every request."""
    async with AsyncClient(base_url=server.url, api_key="", default_headers={"X-Team": "a"}) as c:
        await c.models.list()
    assert server.requests[-1].headers["x-team"] == "a"


async def test_with_options_shares_the_pool(client: AsyncClient, server: LocalServer) -> None:
    """A with_options variant reuses the parent's connections and leaves it open."""
    await client.models.list()
    opened = server.connections_opened
    variant = client.with_options(timeout=5.0, max_retries=1)
    assert variant.timeout == httpx.Timeout(5.0)
    assert variant.max_retries == 1
    assert client.max_retries == 0
    await variant.models.list()
    await variant.aclose()
    await client.models.list()  # the parent's pool is still open
    assert server.connections_opened == opened


async def test_with_options_timeout_none_means_no_timeout(client: AsyncClient) -> None:
    """timeout=None is a real value (no timeout), distinct from leaving it out."""
    assert client.with_options(timeout=None).timeout == httpx.Timeout(None)
    assert client.with_options(max_retries=3).timeout == client.timeout


async def test_with_options_changes_identity_on_the_same_pool(
    client: AsyncClient, server: LocalServer
) -> None:
    """api_key, organization, base_url and default_headers can change per variant."""
    await client.models.list()
    opened = server.connections_opened
    variant = client.with_options(
        api_key="sk-other",
        organization="org-2",
        base_url=f"{server.url}/",
        default_headers={"X-Team": "search"},
    )
    await variant.models.list()
    sent = server.requests[-1].headers
    assert sent["authorization"] == "Bearer sk-other"
    assert (sent["openai-organization"], sent["x-team"]) == ("org-2", "search")
    assert server.connections_opened == opened  # same pool
    await client.models.list()  # the parent is unchanged
    assert server.requests[-1].headers["authorization"] == f"Bearer {API_KEY}"
    assert "x-team" not in server.requests[-1].headers
    both = variant.copy(default_headers={"X-Env": "prod"})  # the SDK's name; headers add up
    await both.models.list()
    assert (server.requests[-1].headers["x-team"], server.requests[-1].headers["x-env"]) == (
        "search",
        "prod",
    )
    with pytest.raises(InvalidParameterError) as info:
        client.with_options(api_key="sk-x\n")
    assert info.value.param == "api_key"


@pytest.mark.off_spec("api-version is Azure's query parameter, not in the OpenAI spec")
async def test_default_query_goes_with_every_request(server: LocalServer) -> None:
    """default_query (Azure's api-version, say) joins each request's own query."""
    async with AsyncClient(
        base_url=server.url,
        api_key="",
        default_headers={"api-key": API_KEY},
        default_query={"api-version": "2024-02-01"},
    ) as client:
        await client.models.list()
        sent = server.requests[-1]
        assert sent.query == {"api-version": "2024-02-01"}
        assert sent.headers["api-key"] == API_KEY
        assert "authorization" not in sent.headers
        await client.request("GET", "models", params={"x": "1"})
        assert server.requests[-1].query == {"api-version": "2024-02-01", "x": "1"}
        newer = client.with_options(default_query={"api-version": "2024-06-01"})
        await newer.files.list(purpose="fine-tune")
        assert server.requests[-1].query == {"api-version": "2024-06-01", "purpose": "fine-tune"}


def test_base_url_with_a_query_is_refused() -> None:
    """A query in base_url would end up before the path: refused, pointing at default_query."""
    with pytest.raises(InvalidParameterError, match="default_query") as info:
        AsyncClient(api_key="", base_url="https://x.openai.azure.com/openai?api-version=1")
    assert info.value.param == "base_url"


async def test_sdk_names_close_api_key_and_base_url(server: LocalServer) -> None:
    """close(), api_key and an httpx.URL base_url work as on the official SDK's client."""
    client = AsyncClient(base_url=server.url, api_key=API_KEY)
    assert client.api_key == API_KEY
    assert isinstance(client.base_url, httpx.URL)
    assert client.base_url.host == "127.0.0.1"
    assert str(client.base_url) == f"{server.url}/"
    stream = await client.chat.completions.create(
        model="gpt-3.5-turbo", messages=[{"role": "user", "content": "hi"}], stream=True
    )
    await stream.close()
    assert stream.response.is_closed
    await client.close()
    assert client._http.is_closed


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"max_retries": -1}, "max_retries"),
        ({"timeout": "fast"}, "timeout"),
        ({"timeout": 0}, "timeout"),
        ({"base_url": "api.openai.com"}, "base_url"),
    ],
)
def test_bad_configuration_names_the_parameter(kwargs: dict[str, object], param: str) -> None:
    """A bad constructor argument raises InvalidParameterError naming it."""
    with pytest.raises(InvalidParameterError) as info:
        AsyncClient(api_key="", **kwargs)  # type: ignore[arg-type]
    assert info.value.param == param
    assert isinstance(info.value, ValueError)


def test_transport_and_http_client_are_exclusive() -> None:
    """Giving both a transport and an http_client is refused."""
    with pytest.raises(InvalidParameterError, match="transport"):
        AsyncClient(
            api_key="", transport=httpx.AsyncHTTPTransport(), http_client=httpx.AsyncClient()
        )


class CountingTransport(httpx.AsyncHTTPTransport):
    """A real HTTP transport that counts what it sends."""

    sent = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent += 1
        return await super().handle_async_request(request)


async def test_custom_transport_is_used(server: LocalServer) -> None:
    """A transport passed in carries the client's requests."""
    transport = CountingTransport()
    async with AsyncClient(base_url=server.url, api_key="", transport=transport) as client:
        await client.models.list()
        await client.models.retrieve("whisper-1")
    assert transport.sent == 2


async def test_own_http_client_is_not_closed(server: LocalServer) -> None:
    """An http_client passed in stays open after the client closes; the caller owns it."""
    async with httpx.AsyncClient() as http:
        async with AsyncClient(base_url=server.url, api_key="", http_client=http) as client:
            await client.models.list()
        assert not http.is_closed


@pytest.mark.off_spec("the escape hatch sends any query: ?x=1 on GET /models")
async def test_request_escape_hatch(client: AsyncClient, server: LocalServer) -> None:
    """client.request reaches any path with auth and errors, decoding as asked."""
    raw = await client.request("GET", "/models")
    assert raw["object"] == "list"
    typed = await client.request("GET", "models", cast_to=ListResponse[Model])
    assert [m.id for m in typed] == [m["id"] for m in raw["data"]]
    body = await client.request("GET", "models/whisper-1", cast_to=bytes)
    assert b'"whisper-1"' in body
    response = await client.request("GET", "models", params={"x": "1"}, cast_to=httpx.Response)
    assert response.status_code == 200
    assert server.requests[-1].query == {"x": "1"}
    assert server.requests[-1].headers["authorization"] == f"Bearer {API_KEY}"


async def test_request_options_given_as_not_given_are_left_out(
    client: AsyncClient, server: LocalServer
) -> None:
    """extra_headers / extra_query / extra_body=NOT_GIVEN mean "none", as on endpoints."""
    reply = await client.request(
        "POST",
        "embeddings",
        json={"model": "text-embedding-3-small", "input": "hi"},
        extra_headers=NOT_GIVEN,
        extra_query=NOT_GIVEN,
        extra_body=NOT_GIVEN,
    )
    assert reply["data"]
    assert server.requests[-1].query == {}
    stream = await client.request_stream(
        "POST",
        "chat/completions",
        json={"model": "m", "messages": [{"role": "user", "content": "hi"}], "stream": True},
        extra_body=NOT_GIVEN,
    )
    async with stream:
        assert [chunk async for chunk in stream]


def test_repr_and_errors_hide_a_password_in_base_url() -> None:
    """user:pass@ in base_url is Basic auth: the password shows in no repr or message."""
    client = AsyncClient(api_key="", base_url="http://user:BASICPW@127.0.0.1:9/v1")
    assert "BASICPW" not in repr(client)
    assert "user:[secure]@" in repr(client)
    with pytest.raises(InvalidParameterError) as info:
        AsyncClient(api_key="", base_url="ftp://user:BASICPW@x/")
    assert "BASICPW" not in str(info.value)


def test_repr_hides_the_key() -> None:
    """repr(client) tells whether a key is set, never the key."""
    text = repr(AsyncClient(api_key=API_KEY))
    assert API_KEY not in text
    assert "api_key=set" in text


def test_asyncopenai_is_the_client() -> None:
    """`from openai_async import AsyncOpenAI` gives the client, for code moving from the SDK."""
    import openai_async

    assert openai_async.AsyncOpenAI is AsyncClient
