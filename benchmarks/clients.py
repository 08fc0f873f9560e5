"""The clients under test, each behind the same four calls.

Each adapter imports its library only when built, so a worker process holds only the
library it measures. Every call checks what it got, so a misconfigured client fails
loudly instead of looking fast.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

MODEL = "gpt-4o-mini"
MESSAGES = [{"role": "user", "content": "Say something about foxes."}]
EMBED_INPUT = [f"sentence number {i}" for i in range(8)]
LIMIT = 1000  # connections: every client gets room for the 200-way load
TIMEOUT = 60.0


class NotAvailable(Exception):
    """This client cannot run this scenario (yet); the report shows n/a."""


class Client:
    """One client library, configured against ``base_url``."""

    name = ""
    notes: dict[str, str]

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.notes = {}

    async def chat(self) -> None:
        raise NotImplementedError

    async def stream(self) -> int:
        """Stream one chat answer; return the number of chunks received."""
        raise NotImplementedError

    async def embed(self) -> None:
        raise NotImplementedError

    async def aclose(self) -> None:
        raise NotImplementedError


def _check_chat(content: object) -> None:
    if not isinstance(content, str) or not content.startswith("The quick"):
        raise AssertionError(f"unexpected chat content: {content!r}")


def _check_embeddings(count: int) -> None:
    if count != len(EMBED_INPUT):
        raise AssertionError(f"expected {len(EMBED_INPUT)} embeddings, got {count}")


# -- raw httpx ---------------------------------------------------------------------------


class RawHTTPX(Client):
    """httpx with json.loads: the floor any httpx-based client stands on."""

    name = "httpx"

    def __init__(self, base_url: str, transport: Any = None) -> None:
        super().__init__(base_url)
        import httpx

        self._http = httpx.AsyncClient(
            base_url=base_url,
            headers={"Authorization": "Bearer sk-bench"},
            timeout=TIMEOUT,
            limits=httpx.Limits(max_connections=LIMIT, max_keepalive_connections=LIMIT),
            transport=transport,
        )

    async def chat(self) -> None:
        response = await self._http.post(
            "chat/completions", json={"model": MODEL, "messages": MESSAGES}
        )
        response.raise_for_status()
        _check_chat(json.loads(response.content)["choices"][0]["message"]["content"])

    async def stream(self) -> int:
        body = {"model": MODEL, "messages": MESSAGES, "stream": True}
        count = 0
        async with self._http.stream("POST", "chat/completions", json=body) as response:
            response.raise_for_status()
            async for line in response.aiter_lines():
                if not line.startswith("data: "):
                    continue
                data = line[6:]
                if data == "[DONE]":
                    break
                json.loads(data)
                count += 1
        return count

    async def embed(self) -> None:
        response = await self._http.post(
            "embeddings", json={"model": "emb", "input": EMBED_INPUT, "encoding_format": "float"}
        )
        response.raise_for_status()
        _check_embeddings(len(json.loads(response.content)["data"]))

    async def aclose(self) -> None:
        await self._http.aclose()


class RawHTTPXAiohttp(RawHTTPX):
    name = "httpx+aiohttp"

    def __init__(self, base_url: str) -> None:
        import httpx
        from httpx_aiohttp import AiohttpTransport

        limits = httpx.Limits(max_connections=LIMIT, max_keepalive_connections=LIMIT)
        super().__init__(base_url, transport=AiohttpTransport(limits=limits))


# -- openai_async ------------------------------------------------------------------------


class OpenAIAsync(Client):
    name = "openai_async"

    def __init__(self, base_url: str, aiohttp: bool = False) -> None:
        super().__init__(base_url)
        import openai_async

        transport = openai_async.aiohttp_transport() if aiohttp else None
        self._client = openai_async.AsyncClient(
            base_url=base_url, api_key="sk-bench", max_retries=0, transport=transport
        )
        self._has_chat = hasattr(self._client, "chat")
        self._has_embeddings = hasattr(self._client, "embeddings")
        if not self._has_chat:
            self.notes["chat"] = "client.request() (no chat resource yet): JSON, no model"
            self.notes["stream"] = "no chat resource yet"
        if not self._has_embeddings:
            self.notes["embed"] = "client.request() (no embeddings resource yet): JSON, no model"

    async def chat(self) -> None:
        if self._has_chat:
            reply = await self._client.chat.completions.create(  # type: ignore[attr-defined]
                model=MODEL, messages=MESSAGES
            )
            _check_chat(reply.choices[0].message.content)
        else:
            body = await self._client.request(
                "POST", "chat/completions", json={"model": MODEL, "messages": MESSAGES}
            )
            _check_chat(body["choices"][0]["message"]["content"])

    async def stream(self) -> int:
        if not self._has_chat:
            raise NotAvailable("no chat.completions resource")
        stream = await self._client.chat.completions.create(  # type: ignore[attr-defined]
            model=MODEL, messages=MESSAGES, stream=True
        )
        count = 0
        async with stream:
            async for _chunk in stream:
                count += 1
        return count

    async def embed(self) -> None:
        if self._has_embeddings:
            reply = await self._client.embeddings.create(  # type: ignore[attr-defined]
                model="emb", input=EMBED_INPUT
            )
            _check_embeddings(len(reply.data))
        else:
            body = await self._client.request(
                "POST", "embeddings", json={"model": "emb", "input": EMBED_INPUT}
            )
            _check_embeddings(len(body["data"]))

    async def aclose(self) -> None:
        await self._client.aclose()


class OpenAIAsyncAiohttp(OpenAIAsync):
    name = "openai_async+aiohttp"

    def __init__(self, base_url: str) -> None:
        super().__init__(base_url, aiohttp=True)


class OpenAIAsyncOrjson(OpenAIAsync):
    """openai_async with orjson patched in for decoding: evaluates orjson, ships nothing.

    Not in the default set; ask for it with ``--clients openai_async,openai_async+orjson``.
    """

    name = "openai_async+orjson"

    def __init__(self, base_url: str) -> None:
        super().__init__(base_url)
        import types

        import orjson

        from openai_async import _client

        _client.jsonlib = types.SimpleNamespace(loads=orjson.loads)  # type: ignore[assignment]


# -- the official SDK --------------------------------------------------------------------


class OfficialSDK(Client):
    name = "openai"

    def __init__(self, base_url: str, aiohttp: bool = False) -> None:
        super().__init__(base_url)
        import openai

        http_client = None
        if aiohttp:
            if not hasattr(openai, "DefaultAioHttpClient"):
                raise NotAvailable(f"openai {openai.__version__} has no DefaultAioHttpClient")
            http_client = openai.DefaultAioHttpClient(timeout=TIMEOUT)
        self._client = openai.AsyncOpenAI(
            base_url=base_url,
            api_key="sk-bench",
            max_retries=0,
            timeout=TIMEOUT,
            http_client=http_client,
        )
        self.notes["embed"] = "SDK default: base64 embeddings"

    async def chat(self) -> None:
        reply = await self._client.chat.completions.create(model=MODEL, messages=MESSAGES)
        _check_chat(reply.choices[0].message.content)

    async def stream(self) -> int:
        stream = await self._client.chat.completions.create(
            model=MODEL, messages=MESSAGES, stream=True
        )
        count = 0
        async with stream:
            async for _chunk in stream:
                count += 1
        return count

    async def embed(self) -> None:
        reply = await self._client.embeddings.create(model="emb", input=EMBED_INPUT)
        _check_embeddings(len(reply.data))

    async def aclose(self) -> None:
        await self._client.close()


class OfficialSDKAiohttp(OfficialSDK):
    name = "openai+aiohttp"

    def __init__(self, base_url: str) -> None:
        super().__init__(base_url, aiohttp=True)


CLIENTS: dict[str, Callable[[str], Client]] = {
    cls.name: cls
    for cls in (
        RawHTTPX,
        RawHTTPXAiohttp,
        OpenAIAsync,
        OpenAIAsyncAiohttp,
        OfficialSDK,
        OfficialSDKAiohttp,
    )
}
DEFAULT_CLIENTS = list(CLIENTS)
CLIENTS[OpenAIAsyncOrjson.name] = OpenAIAsyncOrjson

# Which raw-httpx baseline and which SDK each client is compared with.
TRANSPORT = {
    "httpx": "default",
    "openai_async": "default",
    "openai_async+orjson": "default",
    "openai": "default",
    "httpx+aiohttp": "aiohttp",
    "openai_async+aiohttp": "aiohttp",
    "openai+aiohttp": "aiohttp",
}
RAW = {"default": "httpx", "aiohttp": "httpx+aiohttp"}
SDK = {"default": "openai", "aiohttp": "openai+aiohttp"}
