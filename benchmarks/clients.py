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


class RawHTTPXAsyncio(RawHTTPX):
    """Raw httpx on openai_async's own asyncio transport: the floor under openai_async's default."""

    name = "httpx+asyncio"

    def __init__(self, base_url: str) -> None:
        import httpx

        from openai_async._asyncio_http import AsyncioTransport

        limits = httpx.Limits(max_connections=LIMIT, max_keepalive_connections=LIMIT)
        super().__init__(base_url, transport=AsyncioTransport(limits))


class RawHTTPXAiohttp(RawHTTPX):
    """Raw httpx on openai_async's aiohttp transport: the floor under ``openai_async[aiohttp]``."""

    name = "httpx+aiohttp"

    def __init__(self, base_url: str) -> None:
        import httpx

        from openai_async import aiohttp_transport

        limits = httpx.Limits(max_connections=LIMIT, max_keepalive_connections=LIMIT)
        super().__init__(base_url, transport=aiohttp_transport(limits=limits))


class RawAiohttp(Client):
    """aiohttp alone with json.loads: the floor under any client on aiohttp's pool.

    Not in the default set; ask for it by name (``--clients aiohttp``).
    """

    name = "aiohttp"

    def __init__(self, base_url: str) -> None:
        super().__init__(base_url)
        self._base = base_url.rstrip("/") + "/"
        self._http: Any = None

    def _session(self) -> Any:
        if self._http is None:
            import aiohttp

            self._http = aiohttp.ClientSession(
                headers={"Authorization": "Bearer sk-bench"},
                connector=aiohttp.TCPConnector(limit=LIMIT),
                timeout=aiohttp.ClientTimeout(total=TIMEOUT),
            )
        return self._http

    async def chat(self) -> None:
        body = {"model": MODEL, "messages": MESSAGES}
        async with self._session().post(self._base + "chat/completions", json=body) as response:
            response.raise_for_status()
            reply = json.loads(await response.read())
        _check_chat(reply["choices"][0]["message"]["content"])

    async def stream(self, model: str = MODEL) -> int:
        body = {"model": model, "messages": MESSAGES, "stream": True}
        count = 0
        async with self._session().post(self._base + "chat/completions", json=body) as response:
            response.raise_for_status()
            async for line in response.content:
                if not line.startswith(b"data: "):
                    continue
                data = line[6:].rstrip(b"\r\n")
                if data == b"[DONE]":
                    break
                json.loads(data)
                count += 1
        return count

    async def embed(self) -> None:
        body = {"model": "emb", "input": EMBED_INPUT, "encoding_format": "float"}
        async with self._session().post(self._base + "embeddings", json=body) as response:
            response.raise_for_status()
            reply = json.loads(await response.read())
        _check_embeddings(len(reply["data"]))

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.close()


class _Connection:
    """One kept-alive HTTP/1.1 connection of ``RawAsyncio``, as a bare asyncio Protocol."""

    def __init__(self) -> None:
        import asyncio

        self.loop = asyncio.get_running_loop()
        self.transport: Any = None
        self.buffer = b""
        self.head: bytes | None = None
        self.waiter: Any = None
        self.closed = False

    # asyncio.Protocol's callbacks
    def connection_made(self, transport: Any) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)

    def eof_received(self) -> bool:
        return False

    def pause_writing(self) -> None:
        pass

    def resume_writing(self) -> None:
        pass

    async def _more(self) -> None:
        if self.closed:
            raise ConnectionError("the server closed the connection")
        self.waiter = self.loop.create_future()
        await self.waiter

    async def response_head(self) -> bytes:
        while (end := self.buffer.find(b"\r\n\r\n")) < 0:
            await self._more()
        head, self.buffer = self.buffer[:end], self.buffer[end + 4 :]
        if not head.startswith(b"HTTP/1.1 200"):
            raise AssertionError(f"unexpected answer: {head[:100]!r}")
        return head

    async def body(self, head: bytes) -> bytes:
        """A content-length body, whole."""
        lower = head.lower() + b"\r\n"
        at = lower.index(b"\r\ncontent-length:") + 17
        length = int(lower[at : lower.index(b"\r\n", at)])
        while len(self.buffer) < length:
            await self._more()
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return body

    async def chunks(self) -> Any:
        """The payloads of a chunked body, each as soon as it is whole."""
        while True:
            while (end := self.buffer.find(b"\r\n")) < 0:
                await self._more()
            size = int(self.buffer[:end], 16)
            while len(self.buffer) < end + size + 4:
                await self._more()
            payload = self.buffer[end + 2 : end + 2 + size]
            self.buffer = self.buffer[end + size + 4 :]
            if not size:
                return
            yield payload


class RawAsyncio(Client):
    """A bare asyncio Protocol speaking just enough HTTP/1.1: the event loop's own floor.

    No client library, no timeouts, no error handling, no TLS: what any asyncio client
    costs at least, for chunks that each arrive in a read of their own. Not in the default
    set; ask for it by name (``--clients asyncio``).
    """

    name = "asyncio"

    def __init__(self, base_url: str) -> None:
        super().__init__(base_url)
        from urllib.parse import urlsplit

        url = urlsplit(base_url)
        self._host, self._port = url.hostname or "127.0.0.1", url.port or 80
        self._prefix = url.path.rstrip("/")
        self._idle: list[_Connection] = []

    async def _send(self, path: str, body: dict[str, Any]) -> _Connection:
        data = json.dumps(body).encode()
        head = (
            f"POST {self._prefix}/{path} HTTP/1.1\r\nHost: {self._host}:{self._port}\r\n"
            f"Authorization: Bearer sk-bench\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\n\r\n"
        ).encode()
        if self._idle:
            connection = self._idle.pop()
        else:
            import asyncio

            loop = asyncio.get_running_loop()
            _, connection = await loop.create_connection(_Connection, self._host, self._port)
        connection.transport.write(head + data)
        return connection

    async def chat(self) -> None:
        connection = await self._send("chat/completions", {"model": MODEL, "messages": MESSAGES})
        reply = json.loads(await connection.body(await connection.response_head()))
        self._idle.append(connection)
        _check_chat(reply["choices"][0]["message"]["content"])

    async def stream(self, model: str = MODEL) -> int:
        body = {"model": model, "messages": MESSAGES, "stream": True}
        connection = await self._send("chat/completions", body)
        await connection.response_head()
        count = 0
        done = False
        async for payload in connection.chunks():
            for line in payload.split(b"\n"):
                if line.startswith(b"data: "):
                    if line[6:] == b"[DONE]":
                        done = True
                    else:
                        json.loads(line[6:])
                        count += 1
        if not done:
            raise AssertionError("the stream ended without [DONE]")
        self._idle.append(connection)
        return count

    async def embed(self) -> None:
        body = {"model": "emb", "input": EMBED_INPUT, "encoding_format": "float"}
        connection = await self._send("embeddings", body)
        reply = json.loads(await connection.body(await connection.response_head()))
        self._idle.append(connection)
        _check_embeddings(len(reply["data"]))

    async def aclose(self) -> None:
        for connection in self._idle:
            connection.transport.close()


# -- openai_async ------------------------------------------------------------------------


class OpenAIAsync(Client):
    """openai_async on its default transport (``_asyncio_http`` on asyncio)."""

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
        RawHTTPXAsyncio,
        RawHTTPXAiohttp,
        OpenAIAsync,
        _candidate("httpcore"),
        OfficialSDK,
        OfficialSDKAiohttp,
    )
}
DEFAULT_CLIENTS = [*CLIENTS, "openai_async@trio"]  # trio: the worker runs it under trio
# The other candidates of issue 13, the baseline and orjson: ask for them by name.
for _label in (
    "httpcore-keepall",
    "shard8",
    "httpcore2",
    "httpx-aiohttp",
    "shards",
    "http11",
    "asyncio",
    "aiohttp",
):
    _cls = _candidate(_label)
    CLIENTS[_cls.name] = _cls
CLIENTS[OpenAIAsyncBaseline.name] = OpenAIAsyncBaseline
CLIENTS[OpenAIAsyncOrjson.name] = OpenAIAsyncOrjson
CLIENTS[RawAiohttp.name] = RawAiohttp
CLIENTS[RawAsyncio.name] = RawAsyncio

# Which raw-httpx floor each client stands on ("same transport"). openai_async's
# default is aiohttp's pool; its httpcore row is what trio gets.
RAW_FLOOR = {
    "openai_async@trio": "httpx",
    "openai_async[shards]@trio": "httpx",
    "openai_async": "httpx+asyncio",
    "openai_async+orjson": "httpx+asyncio",
    "openai_async@baseline": "httpx+asyncio",  # another checkout, on its default (asyncio)
    "openai_async[asyncio]": "httpx+asyncio",
    "httpx+asyncio": "httpx+asyncio",
    "openai_async[aiohttp]": "httpx+aiohttp",
    "openai_async[httpx-aiohttp]": "httpx+aiohttp",
    "httpx+aiohttp": "httpx+aiohttp",
    "aiohttp": "httpx+aiohttp",
    "asyncio": "httpx+asyncio",
}
SDK_DEFAULT = "openai"
SDK_AIOHTTP = "openai+aiohttp"
