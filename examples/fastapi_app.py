"""A FastAPI chat service on openai_async: a streamed chat endpoint, its page, a batch endpoint.

    pip install "openai-anyio[examples]"    # or: pip install fastapi uvicorn
    uvicorn examples.fastapi_app:app --port 8080     # then open http://127.0.0.1:8080/

The client reads OPENAI_API_KEY and OPENAI_BASE_URL as usual; ``openai-async serve``
gives a local server to point it at (OPENAI_BASE_URL=http://127.0.0.1:8000/v1
OPENAI_API_KEY=""). OPENAI_CHAT_MODEL picks the model (default gpt-4o-mini).

- ``GET /``: a small HTML chat page (examples/chat.html).
- ``POST /chat`` ``{"messages": [...]}``: the reply as server-sent events, one
  ``data: {"delta": "..."}`` per piece of text, then ``data: {"done": true}``. A browser
  that goes away mid-reply closes the upstream stream too, so the model stops generating.
- ``POST /batch`` ``{"prompts": [...], "max_tokens": 50}``: every prompt answered under a
  concurrency bound and a rate limit, results in input order, failures as errors.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, StreamingResponse
from pydantic import BaseModel, Field

from openai_async import AsyncClient, BatchRequest, OpenAIError

MODEL = os.environ.get("OPENAI_CHAT_MODEL", "gpt-4o-mini")
PAGE = (Path(__file__).parent / "chat.html").read_text(encoding="utf-8")


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # One client for the whole service: one connection pool, closed on shutdown.
    async with AsyncClient() as client:
        app.state.client = client
        yield


app = FastAPI(title="openai_async chat", lifespan=lifespan)


class Message(BaseModel):
    role: str
    content: str


class Chat(BaseModel):
    messages: list[Message] = Field(min_length=1, max_length=100)


class Batch(BaseModel):
    prompts: list[str] = Field(min_length=1, max_length=1000)
    max_tokens: int = Field(default=50, ge=1, le=1000)


def sse(data: dict[str, Any]) -> str:
    return f"data: {json.dumps(data)}\n\n"


@app.get("/", response_class=HTMLResponse)
async def page() -> str:
    return PAGE


@app.post("/chat")
async def chat(body: Chat, request: Request) -> StreamingResponse:
    client: AsyncClient = request.app.state.client
    messages = [m.model_dump() for m in body.messages]

    async def events() -> AsyncIterator[str]:
        try:
            stream = await client.chat.completions.create(
                model=MODEL, messages=messages, stream=True
            )
            # When the browser disconnects, Starlette stops this generator at its
            # `yield`; leaving `async with` then closes the upstream connection.
            async with stream:
                async for chunk in stream:
                    for choice in chunk.choices:
                        if choice.delta.content:
                            yield sse({"delta": choice.delta.content})
        except OpenAIError as exc:  # the status is sent already: report in the stream
            yield sse({"error": f"{type(exc).__name__}: {exc}"})
            return
        yield sse({"done": True})

    return StreamingResponse(
        events(), media_type="text/event-stream", headers={"cache-control": "no-store"}
    )


@app.post("/batch")
async def batch(body: Batch, request: Request) -> dict[str, Any]:
    client: AsyncClient = request.app.state.client
    requests = [
        BatchRequest.chat(
            id=i,
            model=MODEL,
            max_tokens=body.max_tokens,
            messages=[{"role": "user", "content": prompt}],
        )
        for i, prompt in enumerate(body.prompts)
    ]
    results = []
    async with client.batch(
        requests, max_concurrency=16, requests_per_minute=3000, ordered=True
    ) as job:
        async for result in job:
            if result.ok:
                results.append({"ok": True, "answer": result.response.choices[0].message.content})
            else:
                results.append({"ok": False, "error": f"{type(result.error).__name__}"})
    summary = job.summary
    return {
        "results": results,
        "succeeded": summary.succeeded,
        "failed": summary.failed,
        "total_tokens": summary.total_tokens,
    }
