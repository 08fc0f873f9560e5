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

    async def stream(self, model: str = MODEL) -> int:
        """Stream one chat answer; return the number of chunks received.

        A model name ending in ``-paced`` makes the server send one event every few ms.
        """
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

    async def stream(self, model: str = MODEL) -> int:
        body = {"model": model, "messages": MESSAGES, "stream": True}
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
    """Raw httpx on openai_async's aiohttp transport: the floor under openai_async's default."""

    name = "httpx+aiohttp"

    def __init__(self, base_url: str) -> None:
        import httpx

        from openai_async import aiohttp_transport

        limits = httpx.Limits(max_connections=LIMIT, max_keepalive_connections=LIMIT)
        super().__init__(base_url, transport=aiohttp_transport(limits=limits))


# -- openai_async ------------------------------------------------------------------------


class OpenAIAsync(Client):
    """openai_async on its default transport (aiohttp's pool on asyncio)."""

    name = "openai_async"

    def __init__(self, base_url: str, transport: Any = None) -> None:
        super().__init__(base_url)
        import openai_async

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

    async def stream(self, model: str = MODEL) -> int:
        if not self._has_chat:
            raise NotAvailable("no chat.completions resource")
        stream = await self._client.chat.completions.create(  # type: ignore[attr-defined]
            model=model, messages=MESSAGES, stream=True
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


def _candidate(label: str) -> type[OpenAIAsync]:
    """openai_async on one of the candidate transports of ``candidates.py``."""

    class Candidate(OpenAIAsync):
        name = f"openai_async[{label}]"

        def __init__(self, base_url: str) -> None:
            from candidates import CANDIDATES

            super().__init__(base_url, transport=CANDIDATES[label]())

    return Candidate


class OpenAIAsyncBaseline(OpenAIAsync):
    """openai_async from another checkout (``--baseline PATH``), e.g. main before a change."""

    name = "openai_async@baseline"

    def __init__(self, base_url: str) -> None:
        import os
        import sys

        sys.path.insert(0, os.environ["BENCH_BASELINE"])
        super().__init__(base_url)
        import openai_async

        self.notes["chat"] = self.notes["stream"] = self.notes["embed"] = (
            f"from {os.path.dirname(os.path.dirname(openai_async.__file__))}"
        )


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

    async def stream(self, model: str = MODEL) -> int:
        stream = await self._client.chat.completions.create(
            model=model, messages=MESSAGES, stream=True
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
        _candidate("httpcore"),
        OfficialSDK,
        OfficialSDKAiohttp,
    )
}
DEFAULT_CLIENTS = [*CLIENTS, "openai_async@trio"]  # trio: the worker runs it under trio
# The other candidates of issue 13, the baseline and orjson: ask for them by name.
for _label in ("httpcore-keepall", "shard8", "httpcore2", "httpx-aiohttp", "shards", "http11"):
    _cls = _candidate(_label)
    CLIENTS[_cls.name] = _cls
CLIENTS[OpenAIAsyncBaseline.name] = OpenAIAsyncBaseline
CLIENTS[OpenAIAsyncOrjson.name] = OpenAIAsyncOrjson

# Which raw-httpx floor each client stands on ("same transport"). openai_async's
# default is aiohttp's pool; its httpcore row is what trio gets.
RAW_FLOOR = {
    "openai_async@trio": "httpx",
    "openai_async[shards]@trio": "httpx",
    "openai_async": "httpx+aiohttp",
    "openai_async+orjson": "httpx+aiohttp",
    "openai_async[httpx-aiohttp]": "httpx+aiohttp",
    "openai_async@baseline": "httpx+aiohttp",  # another checkout, on its default (asyncio)
    "httpx+aiohttp": "httpx+aiohttp",
}
SDK_DEFAULT = "openai"
SDK_AIOHTTP = "openai+aiohttp"
