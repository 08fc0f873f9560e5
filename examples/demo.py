"""The demo: a streamed reply, a tool call, 1,000 prompts in a batch, a fine-tune followed.

    python3 dev.py -s demo          # or: python examples/demo.py

Without OPENAI_API_KEY it starts the bundled local server in this process and asks
that (no key, no network, about 15 s). With OPENAI_API_KEY set it asks the real API, or
OPENAI_BASE_URL for any compatible server; then the batch is DEMO_BATCH prompts
(default 20, to keep the bill small) and the fine-tune step, which uses the 2023
``/fine-tunes`` endpoint the live service no longer has, runs only locally.
OPENAI_CHAT_MODEL picks the chat model (default gpt-4o-mini).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from openai_async import AsyncClient, BatchProgress, BatchRequest, ChatCompletionAccumulator
from openai_async.testing import LocalServer

MODEL = os.environ.get("OPENAI_CHAT_MODEL", "gpt-4o-mini")


def heading(text: str) -> None:
    print(f"\n\033[1m== {text}\033[0m" if sys.stdout.isatty() else f"\n== {text}")


async def stream_chat(client: AsyncClient) -> None:
    question = "In one sentence: why do streaming replies feel faster than waiting?"
    heading("1. A chat reply, streamed as it is written")
    print(f"> {question}\n")
    stream = await client.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": question}], stream=True
    )
    accumulator = ChatCompletionAccumulator()
    async with stream:  # releases the connection even on Ctrl-C
        async for chunk in stream:
            accumulator.add(chunk)
            for choice in chunk.choices:
                print(choice.delta.content or "", end="", flush=True)
    reply = accumulator.result().choices[0]
    print(f"\n\n(finish_reason: {reply.finish_reason})")


def progress_display(total: int) -> bool | Callable[[BatchProgress], None]:
    """tqdm's bar on a terminal when installed (``progress=True``); else a line per 250."""
    if sys.stderr.isatty() and importlib.util.find_spec("tqdm") is not None:
        return True

    def show(progress: BatchProgress) -> None:
        if progress.done % 250 == 0 or progress.done == total:
            print(f"  {progress}", flush=True)

    return show


WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Today's weather in a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string", "enum": ["Paris", "Oslo", "Lima"]}},
            "required": ["city"],
            "additionalProperties": False,
        },
        "strict": True,
    },
}


def get_weather(city: str) -> str:
    """The tool's own code: here a table, in real life a weather service."""
    return {"Paris": "14 C, light rain", "Oslo": "2 C, snow", "Lima": "22 C, sun"}[city]


async def tool_call(client: AsyncClient) -> None:
    heading("2. A tool call: the model asks, the program answers, the model replies")
    messages: list[Any] = [{"role": "user", "content": "Do I need an umbrella in Paris today?"}]
    print(f"> {messages[0]['content']}")
    reply = await client.chat.completions.create(
        model=MODEL, messages=messages, tools=[WEATHER_TOOL], tool_choice="required"
    )
    message = reply.choices[0].message
    messages.append(message)  # the model's own message goes back as it came
    for call in message.tool_calls or []:
        arguments = json.loads(call.function.arguments)
        result = get_weather(**arguments)
        print(f"  the model calls {call.function.name}({arguments}) -> {result!r}")
        messages.append({"role": "tool", "tool_call_id": call.id, "content": result})
    reply = await client.chat.completions.create(
        model=MODEL, messages=messages, tools=[WEATHER_TOOL]
    )
    print(f"  {reply.choices[0].message.content}")


async def batch_job(client: AsyncClient, count: int) -> None:
    heading(f"3. A batch job: {count:,} prompts, at most 64 in flight")
    requests = [
        BatchRequest.chat(
            id=f"q{i:04d}",
            model=MODEL,
            max_tokens=20,
            messages=[{"role": "user", "content": f"Name a colour, then the number {i}."}],
        )
        for i in range(count)
    ]
    progress = progress_display(count)
    async with client.batch(requests, max_concurrency=64, progress=progress) as job:
        answers = {result.id: result async for result in job}
    summary = job.summary
    first = answers["q0000"]
    sample = first.response.choices[0].message.content if first.ok else first.error
    print(f"  q0000: {sample}")
    print(
        f"  {summary.succeeded:,} ok, {summary.failed} failed, {summary.total_tokens:,} tokens"
        f" in {summary.elapsed:.1f} s ({summary.succeeded / summary.elapsed:,.0f} requests/s)"
    )


async def fine_tune(client: AsyncClient) -> None:
    heading("4. A fine-tune: upload the data, start the job, follow its events to the end")
    lines = [{"prompt": f"{i} + {i} =", "completion": f" {2 * i}"} for i in range(50)]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sums.jsonl"
        path.write_text("".join(json.dumps(line) + "\n" for line in lines))
        upload = await client.files.create(file=path, purpose="fine-tune")
    print(f"  uploaded {upload.filename}: {upload.id} ({upload.bytes} bytes)")
    job = await client.fine_tunes.create(training_file=upload.id, model="curie")
    print(f"  started {job.id} on {job.model}")
    events = await client.fine_tunes.list_events(job.id, stream=True)
    async with events:  # ends when the job succeeds, fails or is cancelled
        async for event in events:
            print(
                f"  [{time.strftime('%H:%M:%S', time.localtime(event.created_at))}] {event.message}"
            )
    job = await client.fine_tunes.retrieve(job.id)
    print(f"  {job.status}: the new model is {job.fine_tuned_model}")


def main() -> None:
    started = time.monotonic()
    local = not os.environ.get("OPENAI_API_KEY")
    with contextlib.ExitStack() as stack:
        if local:
            server = stack.enter_context(LocalServer(record=False))
            print(f"OPENAI_API_KEY is not set: asking the local server at {server.url}")
            # Pace the local server's words so that the reply visibly streams in.
            server.inject(event_delay=0.06, path="/chat/completions")
            # And the fine-tune's events, as a job's log arrives over time.
            server.inject(event_delay=0.4, path="/events")
            client = AsyncClient(base_url=server.url, api_key="")
            count = 1000
        else:
            client = AsyncClient()
            count = int(os.environ.get("DEMO_BATCH", "20"))
            print(f"asking {client.base_url}")

        async def run() -> None:
            async with client:
                await stream_chat(client)
                await tool_call(client)
                await batch_job(client, count)
                if local:
                    await fine_tune(client)

        asyncio.run(run())
    print(f"\ndone in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
