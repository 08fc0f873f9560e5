"""The demo: list the models, stream a chat reply as it arrives, run a small batch job.

With OPENAI_API_KEY set it asks the real API (or OPENAI_BASE_URL); without, it starts
the bundled local server in this process and asks that. OPENAI_CHAT_MODEL picks the
chat model (default gpt-4o-mini).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys

from openai_async import AsyncClient, BatchProgress, BatchRequest, ChatCompletionAccumulator
from openai_async.testing import LocalServer


async def list_models(client: AsyncClient) -> None:
    models = await client.models.list()
    print(f"{len(models)} models at {client.base_url}")
    for model in sorted(models, key=lambda m: m.id):
        print(f"  {model.id:<40} owned by {model.owned_by}")


async def stream_chat(client: AsyncClient) -> None:
    question = "In one sentence: why do streaming replies feel faster?"
    print(f"\n> {question}\n")
    stream = await client.chat.completions.create(
        model=os.environ.get("OPENAI_CHAT_MODEL", "gpt-4o-mini"),
        messages=[{"role": "user", "content": question}],
        stream=True,
    )
    accumulator = ChatCompletionAccumulator()
    async with stream:  # releases the connection even on Ctrl-C
        async for chunk in stream:
            accumulator.add(chunk)
            for choice in chunk.choices:
                print(choice.delta.content or "", end="", flush=True)
    reply = accumulator.result().choices[0]
    print(f"\n\n(finish_reason: {reply.finish_reason})")


async def batch_job(client: AsyncClient) -> None:
    topics = ["tides", "rainbows", "thunder", "auroras", "fog", "hail", "dew", "frost"]
    requests = [
        BatchRequest.chat(
            id=topic,
            model=os.environ.get("OPENAI_CHAT_MODEL", "gpt-4o-mini"),
            max_tokens=30,
            messages=[{"role": "user", "content": f"In five words: what causes {topic}?"}],
        )
        for topic in topics
    ]

    in_terminal = sys.stdout.isatty()

    def show(progress: BatchProgress) -> None:
        # One line rewritten in place in a terminal; in a log, every fourth item.
        if in_terminal:
            print(f"\r  {progress}", end="", flush=True)
        elif progress.done % 4 == 0:
            print(f"  {progress}")

    print(f"\nBatch job: {len(requests)} questions, at most 4 at a time, 120 requests/min")
    async with client.batch(
        requests, max_concurrency=4, requests_per_minute=120, ordered=True, progress=show
    ) as job:
        results = [result async for result in job]
    if in_terminal:
        print()
    for result in results:
        answer = result.response.choices[0].message.content if result.ok else result.error
        print(f"  {result.id:<9} {answer}")
    summary = job.summary
    print(f"  {summary.succeeded} ok, {summary.failed} failed, {summary.total_tokens} tokens")


def main() -> None:
    with contextlib.ExitStack() as stack:
        if os.environ.get("OPENAI_API_KEY"):
            client = AsyncClient()
        else:
            server = stack.enter_context(LocalServer())
            print(f"OPENAI_API_KEY is not set: using the local server at {server.url}")
            # Pace the local server's words so the reply visibly streams in.
            server.inject(event_delay=0.05, path="/chat/completions")
            client = AsyncClient(base_url=server.url, api_key="")

        async def run() -> None:
            async with client:
                await list_models(client)
                await stream_chat(client)
                await batch_job(client)

        asyncio.run(run())


if __name__ == "__main__":
    main()
