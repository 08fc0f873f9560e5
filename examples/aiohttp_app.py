"""The chat service of examples/fastapi_app.py as an aiohttp web application.

    pip install "openai-anyio[examples]"    # or: pip install aiohttp
    python examples/aiohttp_app.py --port 8080       # then open http://127.0.0.1:8080/

Same routes, same configuration (OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_CHAT_MODEL):
``GET /`` the page, ``POST /chat`` the reply as server-sent events, ``POST /batch``
many prompts at once. The client keeps its own pool, which costs less per request
than aiohttp's at any number in flight (``benchmarks/README.md``);
``AsyncClient(transport=openai_async.aiohttp_transport())`` would send on aiohttp's.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from aiohttp import web

from openai_async import AsyncClient, BatchRequest, OpenAIError

MODEL = os.environ.get("OPENAI_CHAT_MODEL", "gpt-4o-mini")
PAGE = (Path(__file__).parent / "chat.html").read_text(encoding="utf-8")
CLIENT = web.AppKey("client", AsyncClient)


async def client_context(app: web.Application) -> AsyncIterator[None]:
    # One client for the whole service: one connection pool, closed on shutdown.
    async with AsyncClient() as client:
        app[CLIENT] = client
        yield


def sse(data: dict[str, Any]) -> bytes:
    return f"data: {json.dumps(data)}\n\n".encode()


async def page(request: web.Request) -> web.Response:
    return web.Response(text=PAGE, content_type="text/html")


def bad_request(text: str) -> web.HTTPBadRequest:
    return web.HTTPBadRequest(text=json.dumps({"error": text}), content_type="application/json")


async def chat(request: web.Request) -> web.StreamResponse:
    try:
        messages = (await request.json())["messages"]
    except (ValueError, KeyError, TypeError):
        raise bad_request("expected {'messages': [...]}") from None
    if not isinstance(messages, list) or not 1 <= len(messages) <= 100:
        raise bad_request("messages: 1 to 100 messages")
    response = web.StreamResponse(
        headers={"content-type": "text/event-stream", "cache-control": "no-store"}
    )
    await response.prepare(request)
    client = request.app[CLIENT]
    try:
        stream = await client.chat.completions.create(model=MODEL, messages=messages, stream=True)
        # A browser that went away makes the next write raise (ConnectionResetError);
        # leaving `async with` then closes the upstream connection.
        async with stream:
            async for chunk in stream:
                for choice in chunk.choices:
                    if choice.delta.content:
                        await response.write(sse({"delta": choice.delta.content}))
    except OpenAIError as exc:  # the status is sent already: report in the stream
        await response.write(sse({"error": f"{type(exc).__name__}: {exc}"}))
    else:
        await response.write(sse({"done": True}))
    await response.write_eof()
    return response


async def batch(request: web.Request) -> web.Response:
    try:
        body = await request.json()
        prompts = body["prompts"]
        max_tokens = int(body.get("max_tokens", 50))
    except (ValueError, KeyError, TypeError):
        raise bad_request("expected {'prompts': [...], 'max_tokens': N}") from None
    if not isinstance(prompts, list) or not 1 <= len(prompts) <= 1000:
        raise bad_request("prompts: 1 to 1000 strings")
    requests = [
        BatchRequest.chat(
            id=i, model=MODEL, max_tokens=max_tokens, messages=[{"role": "user", "content": p}]
        )
        for i, p in enumerate(prompts)
    ]
    results = []
    client = request.app[CLIENT]
    async with client.batch(
        requests, max_concurrency=16, requests_per_minute=3000, ordered=True
    ) as job:
        async for result in job:
            if result.ok:
                results.append({"ok": True, "answer": result.response.choices[0].message.content})
            else:
                results.append({"ok": False, "error": f"{type(result.error).__name__}"})
    summary = job.summary
    return web.json_response(
        {
            "results": results,
            "succeeded": summary.succeeded,
            "failed": summary.failed,
            "total_tokens": summary.total_tokens,
        }
    )


def make_app() -> web.Application:
    app = web.Application()
    app.cleanup_ctx.append(client_context)
    app.add_routes([web.get("/", page), web.post("/chat", chat), web.post("/batch", batch)])
    return app


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args()
    web.run_app(make_app(), host=args.host, port=args.port, print=print)
