"""A FastAPI service that re-streams chat replies from an upstream: the service scenario.

``BENCH_CLIENT`` names the client library it uses (one process per client), and
``BENCH_UPSTREAM`` the upstream's base URL. ``GET /chat`` streams one upstream chat
reply to its caller as server-sent events, one event per upstream chunk, then
``data: [DONE]``; when the upstream fails it ends with ``event: error`` instead. A
caller that disconnects cancels the relay (Starlette's StreamingResponse), which must
release the upstream connection.

Run by ``service.py`` under uvicorn, pinned to its own core.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.responses import StreamingResponse

MESSAGES = [{"role": "user", "content": "Say something about foxes."}]
MODEL = "gpt-4o-mini-paced"
TIMEOUT = 30.0


def make_client(name: str, base_url: str) -> Any:
    if name.startswith("openai_async"):
        import openai_async

        transport = None
        if name == "openai_async[httpcore]":
            import httpx

            transport = httpx.AsyncHTTPTransport(limits=openai_async.DEFAULT_LIMITS)
        elif name.startswith("openai_async["):  # another candidate transport (issue 13)
            from candidates import CANDIDATES

            transport = CANDIDATES[name.removeprefix("openai_async[").removesuffix("]")]()
        return openai_async.AsyncClient(
            base_url=base_url,
            api_key="sk-bench",
            max_retries=0,
            timeout=TIMEOUT,
            transport=transport,
        )
    import openai

    http_client = openai.DefaultAioHttpClient(timeout=TIMEOUT) if name == "openai+aiohttp" else None
    return openai.AsyncOpenAI(
        base_url=base_url,
        api_key="sk-bench",
        max_retries=0,
        timeout=TIMEOUT,
        http_client=http_client,
    )


state: dict[str, Any] = {}


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    client = make_client(os.environ["BENCH_CLIENT"], os.environ["BENCH_UPSTREAM"])
    state["client"] = client
    yield
    await client.close()


app = FastAPI(lifespan=lifespan)


async def relay() -> AsyncIterator[str]:
    client = state["client"]
    try:
        stream = await client.chat.completions.create(model=MODEL, messages=MESSAGES, stream=True)
        async with stream:
            async for chunk in stream:
                text = chunk.choices[0].delta.content if chunk.choices else None
                yield f"data: {json.dumps({'text': text})}\n\n"
    except Exception as exc:  # the caller learns the reply failed; the service goes on
        yield f"event: error\ndata: {json.dumps(type(exc).__name__)}\n\n"
        return
    yield "data: [DONE]\n\n"


@app.get("/chat")
async def chat() -> StreamingResponse:
    return StreamingResponse(relay(), media_type="text/event-stream")
