"""``AsyncAzureOpenAI`` over loopback: Azure's URLs, ``api-version``, ``api-key`` and tokens.

The local server answers Azure OpenAI's URL shape (``/openai/deployments/{name}/...``
with ``?api-version=``) as OpenAI's and takes Azure's ``api-key`` header as the key,
so each test checks what went over the wire. It runs outside the ``server`` fixture,
whose check is against OpenAI's spec, where Azure's paths are not.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from openai_async import (
    AsyncAzureOpenAI,
    AuthenticationError,
    InternalServerError,
    InvalidParameterError,
    MissingAPIKeyError,
)
from openai_async.testing import LocalServer

pytestmark = pytest.mark.anyio

KEY = "azure-secret-0123456789"
VERSION = "2024-10-21"
QUESTION = [{"role": "user", "content": "hi"}]


@pytest.fixture(scope="module")
def azure_server() -> Iterator[LocalServer]:
    with LocalServer(api_key=KEY) as server:
        yield server


@pytest.fixture
def azure(azure_server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> LocalServer:
    for name in ("AZURE_OPENAI_API_KEY", "AZURE_OPENAI_AD_TOKEN", "AZURE_OPENAI_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("OPENAI_API_VERSION", raising=False)
    azure_server.reset()
    return azure_server


def _client(server: LocalServer, **kwargs: object) -> AsyncAzureOpenAI:
    settings: dict[str, object] = {"azure_endpoint": server.url.removesuffix("/v1")}
    settings |= {"api_version": VERSION, "max_retries": 0, **kwargs}
    return AsyncAzureOpenAI(**settings)  # type: ignore[arg-type]


def _seen(server: LocalServer) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in server.requests]


async def test_api_key_and_deployment_urls(azure: LocalServer) -> None:
    """The model names the deployment; api-key and api-version go with every request."""
    async with _client(azure, api_key=KEY) as client:
        reply = await client.chat.completions.create(model="my-gpt", messages=QUESTION)
        assert reply.choices[0].message.content
        await client.embeddings.create(model="my-embed", input="x")
        await client.models.list()
    assert _seen(azure) == [
        ("POST", "/openai/deployments/my-gpt/chat/completions"),
        ("POST", "/openai/deployments/my-embed/embeddings"),
        ("GET", "/openai/models"),
    ]
    for request in azure.requests:
        assert request.query == {"api-version": VERSION}
        assert request.headers["api-key"] == KEY
        assert "authorization" not in request.headers


async def test_azure_deployment_in_the_base_url(azure: LocalServer) -> None:
    """With azure_deployment, its endpoints go under it and the others under /openai."""
    async with _client(azure, api_key=KEY, azure_deployment="dep") as client:
        await client.chat.completions.create(model="ignored-here", messages=QUESTION)
        transcript = await client.audio.transcriptions.create(
            model="whisper-1", file=("a.wav", b"RIFF0000WAVE")
        )
        assert transcript.text is not None
        await client.models.list()
        await client.files.list()
        variant = client.with_options(timeout=30.0)
        await variant.models.list()
        raw = await client.models.with_raw_response.list()
        assert raw.status_code == 200
    assert _seen(azure) == [
        ("POST", "/openai/deployments/dep/chat/completions"),
        ("POST", "/openai/deployments/dep/audio/transcriptions"),
        ("GET", "/openai/models"),
        ("GET", "/openai/files"),
        ("GET", "/openai/models"),  # a variant routes as its client
        ("GET", "/openai/models"),  # so does with_raw_response
    ]


async def test_with_options_api_key_is_the_api_key_header(azure: LocalServer) -> None:
    """with_options(api_key=...) on an Azure client replaces api-key; no bearer appears."""
    async with _client(azure, api_key="an-older-key-00000") as client:
        variant = client.with_options(api_key=KEY)
        assert isinstance(variant, AsyncAzureOpenAI)
        await variant.models.list()
    assert azure.requests[-1].headers["api-key"] == KEY
    assert "authorization" not in azure.requests[-1].headers


async def test_multipart_model_names_the_deployment(azure: LocalServer) -> None:
    """A multipart endpoint's model (a form field) names the deployment too, as in the SDK."""
    async with _client(azure, api_key=KEY) as client:
        await client.audio.transcriptions.create(model="my-whisper", file=("a.wav", b"RIFF"))
    assert _seen(azure) == [("POST", "/openai/deployments/my-whisper/audio/transcriptions")]


async def test_azure_ad_token_and_provider(azure: LocalServer) -> None:
    """A token is sent as a bearer; a provider's (sync or async) is asked for each attempt."""
    async with _client(azure, azure_ad_token=KEY) as client:
        await client.models.list()
    assert azure.requests[-1].headers["authorization"] == f"Bearer {KEY}"
    assert "api-key" not in azure.requests[-1].headers

    tokens = iter(["expired-token-0000", KEY])
    calls = []

    async def provider() -> str:
        calls.append(1)
        return next(tokens)

    azure.reset()
    azure.inject(status=500, path="/openai/models")
    async with _client(azure, azure_ad_token_provider=provider, max_retries=1) as client:
        await client.models.list()  # a 500, then a retry with a new token
    assert len(calls) == 2
    assert [r.headers["authorization"] for r in azure.requests] == [
        "Bearer expired-token-0000",
        f"Bearer {KEY}",
    ]
    async with _client(azure, azure_ad_token_provider=lambda: KEY) as client:
        await client.models.list()
    assert azure.requests[-1].headers["authorization"] == f"Bearer {KEY}"


async def test_settings_from_the_environment(
    azure: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """AZURE_OPENAI_API_KEY, AZURE_OPENAI_ENDPOINT and OPENAI_API_VERSION, as the SDK reads them."""
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", KEY)
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", azure.url.removesuffix("/v1"))
    monkeypatch.setenv("OPENAI_API_VERSION", "2025-01-01")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai-not-for-azure")
    async with AsyncAzureOpenAI() as client:
        await client.models.list()
        assert client.api_key == KEY
        assert client.api_version == "2025-01-01"
    request = azure.requests[-1]
    assert (request.path, request.query) == ("/openai/models", {"api-version": "2025-01-01"})
    assert request.headers["api-key"] == KEY
    assert "authorization" not in request.headers


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"api_key": KEY, "api_version": None}, "api_version"),
        ({"api_key": KEY, "azure_endpoint": None}, "azure_endpoint"),
        ({"api_key": KEY, "azure_ad_token": KEY}, "azure_ad_token"),
        ({"api_key": KEY, "base_url": "https://x.example/openai"}, "base_url"),
        ({"api_key": "bad key\n"}, "api_key"),
        ({"api_key": KEY, "azure_deployment": ".."}, "azure_deployment"),
    ],
)
async def test_bad_arguments_raise_naming_them(
    azure: LocalServer, kwargs: dict[str, object], param: str
) -> None:
    """Each missing or bad argument raises InvalidParameterError naming it, sending nothing."""
    with pytest.raises(InvalidParameterError) as info:
        _client(azure, **kwargs)
    assert info.value.param == param
    assert KEY not in str(info.value)
    with pytest.raises(MissingAPIKeyError, match="AZURE_OPENAI_API_KEY"):
        _client(azure)
    assert azure.requests == []


async def test_bad_token_from_a_provider_is_refused_before_sending(azure: LocalServer) -> None:
    """A provider that returns no token, or one no header can carry: an error, nothing sent."""
    for token in ["", None, "line\nbreak"]:
        async with _client(azure, azure_ad_token_provider=lambda t=token: t) as client:
            with pytest.raises(InvalidParameterError) as info:
                await client.models.list()
        assert info.value.param == "azure_ad_token_provider"
    assert azure.requests == []


async def test_credentials_never_show(azure: LocalServer) -> None:
    """Not in repr; not in an error's message when the server quotes them back."""
    async with _client(azure, api_key=KEY, azure_deployment="dep") as client:
        assert KEY not in repr(client)
        assert "auth=api-key" in repr(client)
        echo = {"error": {"message": f"bad key {KEY}", "type": "invalid_request_error"}}
        azure.inject(status=401, body=echo, path="/openai/models")
        with pytest.raises(AuthenticationError) as info:
            await client.models.list()
    assert KEY not in str(info.value)
    assert "[redacted]" in str(info.value)
    async with _client(azure, azure_ad_token_provider=lambda: KEY) as tokened:
        assert KEY not in repr(tokened)
        echo = {"error": {"message": f"token {KEY}"}}
        azure.inject(status=500, body=echo, path="/openai/models")
        with pytest.raises(InternalServerError) as failed:
            await tokened.models.list()
    assert KEY not in str(failed.value)
