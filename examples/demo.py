"""The demo: list the models a server offers, then stream a chat reply as it arrives.

With OPENAI_API_KEY set it asks the real API (or OPENAI_BASE_URL); without, it starts
the bundled local server in this process and asks that. OPENAI_CHAT_MODEL picks the
chat model (default gpt-4o-mini).
"""

from __future__ import annotations

import asyncio
import contextlib
import os

from openai_async import AsyncClient, ChatCompletionAccumulator
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

        asyncio.run(run())


if __name__ == "__main__":
    main()
