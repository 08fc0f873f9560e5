"""Never run: exercises the public API so that ``mypy --strict`` checks its types.

Checked by ``nox -s mypy``. Each ``assert_type`` pins what a user's editor sees.
"""

from __future__ import annotations

from typing import Any, assert_type

import httpx

import openai_async
from openai_async import (
    AsyncClient,
    AsyncStream,
    BatchRequest,
    BatchResult,
    BatchSummary,
    CallNext,
    RateLimits,
    RetryPolicy,
)
from openai_async.testing import LocalServer, instant_retries
from openai_async.types import (
    ChatCompletion,
    ChatCompletionChunk,
    Completion,
    FineTune,
    FineTuneEvent,
    ListResponse,
    Model,
    ModelDeleted,
)


async def add_header(request: httpx.Request, call_next: CallNext) -> httpx.Response:
    request.headers["x-team"] = "search"
    return await call_next(request)


async def watch_limits(request: httpx.Request, call_next: CallNext) -> httpx.Response:
    response = await call_next(request)
    limits = RateLimits.from_headers(response.headers)
    assert_type(limits.remaining_requests, int | None)
    return response


async def main() -> None:
    with LocalServer() as server:
        async with AsyncClient(base_url=server.url, api_key="", middleware=[add_header]) as client:
            models = await client.models.list()
            assert_type(models, ListResponse[Model])
            for model in models:
                assert_type(model.id, str)
                assert_type(model.owned_by, str | None)
            assert_type(await client.models.retrieve("gpt-4o-mini"), Model)
            assert_type(await client.models.delete("ft:x"), ModelDeleted)
            assert_type(client.with_options(timeout=3.0, max_retries=0), AsyncClient)
            assert_type(client.with_options(timeout=None), AsyncClient)
            policy = RetryPolicy(max_retries=5, initial_delay=0.25, max_delay=4.0, deadline=30.0)
            assert_type(policy.deadline, float | None)
            assert_type(policy.statuses, frozenset[int])
            assert_type(RetryPolicy(statuses=[429, 503]), RetryPolicy)
            assert_type(policy.wait(0, None, now=0.0, jitter=0.5), float)
            assert_type(client.with_options(retry=policy), AsyncClient)
            assert_type(client.retry, RetryPolicy)
            async with AsyncClient(
                api_key="", retry=policy, max_retries=1, middleware=[watch_limits]
            ) as other:
                assert_type(other.max_retries, int)
            with instant_retries() as waits:
                assert_type(waits, list[float])
            limits = openai_async.rate_limits_of(models)
            assert_type(limits, RateLimits)
            assert_type(limits.remaining_tokens, int | None)
            assert_type(limits.reset_requests, float | None)
            assert_type(RateLimits.from_headers({"x-ratelimit-limit-tokens": "5"}), RateLimits)
            assert_type(openai_async.response_headers(models), httpx.Headers | None)
            server.inject(reset=True)
            server.inject(status=200, body={}, stall_body=1.5)
            assert_type(await client.request("GET", "models"), Any)
            assert_type(await client.request("GET", "models", cast_to=bytes), bytes)
            assert_type(await client.request("GET", "models/x", cast_to=Model), Model)
            fault = server.inject(status=503, headers={"retry-after": "1"}, times=2)
            assert_type(fault.times, int)
            try:
                await client.models.list()
            except openai_async.RateLimitError as exc:
                assert_type(exc.status_code, int)
                assert_type(exc.rate_limits, RateLimits)
                assert_type(exc.request_id, str | None)
                assert_type(exc.code, str | None)
                assert_type(exc.body, object)
            except openai_async.APIConnectionError as exc:
                assert_type(exc.request, httpx.Request | None)
            await streaming(client)
            fault = server.inject(event_delay=0.01, write_size=3, stream_action="abort")
            assert_type(fault.after_events, int)
        assert_type(model.extra["anything"], Any)
        assert_type(model.to_dict(), dict[str, Any])


async def batch_usage(client: AsyncClient) -> None:
    requests = [
        BatchRequest.chat(id="a", model="gpt-4o-mini", messages=[]),
        BatchRequest(path="models/whisper-1", method="GET"),
    ]
    async with client.batch(requests, max_concurrency=8, requests_per_minute=500) as job:
        async for result in job:
            assert_type(result, BatchResult)
            assert_type(result.ok, bool)
            assert_type(result.error, BaseException | None)
    assert_type(job.summary, BatchSummary)
    assert_type(job.summary.requests_per_minute, float)


async def streaming(client: AsyncClient) -> None:
    messages = [{"role": "user", "content": "hi", "name": "alice"}]
    reply = await client.chat.completions.create(
        model="m", messages=messages, logit_bias={"50256": -100.0}, function_call="auto"
    )
    assert_type(reply, ChatCompletion)
    assert_type(reply.choices[0].message.content, str | None)
    stream = await client.chat.completions.create(model="m", messages=messages, stream=True)
    assert_type(stream, AsyncStream[ChatCompletionChunk])
    accumulator = openai_async.ChatCompletionAccumulator()
    async with stream:
        async for chunk in stream:
            assert_type(chunk, ChatCompletionChunk)
            assert_type(chunk.choices[0].delta.content, str | None)
            accumulator.add(chunk)
    assert_type(accumulator.result(), ChatCompletion)
    flag: bool = bool(messages)
    either = await client.chat.completions.create(model="m", messages=messages, stream=flag)
    assert_type(either, ChatCompletion | AsyncStream[ChatCompletionChunk])
    async with await client.chat.completions.create(
        model="m", messages=messages, stream=True
    ) as chat_stream:
        async for text in openai_async.text_deltas(chat_stream):
            assert_type(text, str)
        assert_type(await openai_async.accumulate_chat(chat_stream), ChatCompletion)

    completion = await client.completions.create(
        model="m", prompt=["a", "b"], n=2, logit_bias={50256: -100}, stop=["\n"]
    )
    assert_type(completion, Completion)
    completion_stream = await client.completions.create(model="m", prompt=[1, 2], stream=True)
    assert_type(completion_stream, AsyncStream[Completion])
    assert_type(await openai_async.accumulate_completion(completion_stream), Completion)
    await completion_stream.aclose()

    job = await client.fine_tunes.create(training_file="file-x", suffix="s")
    assert_type(job, FineTune)
    assert_type(await client.fine_tunes.list(), ListResponse[FineTune])
    assert_type(await client.fine_tunes.retrieve(job.id), FineTune)
    assert_type(await client.fine_tunes.cancel(job.id), FineTune)
    assert_type(await client.fine_tunes.list_events(job.id), ListResponse[FineTuneEvent])
    events = await client.fine_tunes.list_events(job.id, stream=True)
    assert_type(events, AsyncStream[FineTuneEvent])
    async for event in events:
        assert_type(event.message, str)

    raw = await client.request_stream("POST", "chat/completions", json={"stream": True})
    assert_type(raw, AsyncStream[Any])
    typed = await client.request_stream("GET", "x", cast_to=FineTuneEvent, require_done=False)
    assert_type(typed, AsyncStream[FineTuneEvent])
    assert_type(typed.request_id, str | None)
    try:
        async for _ in typed:
            pass
    except openai_async.StreamEventError as exc:
        assert_type(exc.code, str | None)
        assert_type(exc.body, object)
    except openai_async.StreamDecodeError as exc:
        assert_type(exc.data, str)
    except openai_async.StreamTruncatedError as exc:
        assert_type(exc.response, httpx.Response)


async def packing_usage(client: AsyncClient) -> None:
    results = await client.completions.create_many(["a", "b"], model="m", n=2, max_tokens=5)
    assert_type(results, list[openai_async.PromptCompletion])
    assert_type(results[0].text, str)
    assert_type(results[0].choices[0].index, int)


async def with_aiohttp() -> None:
    transport = openai_async.aiohttp_transport(limits=httpx.Limits(max_connections=500))
    assert_type(transport, httpx.AsyncBaseTransport)
    async with AsyncClient(api_key="", transport=openai_async.aiohttp_transport()) as client:
        assert_type(await client.models.list(), ListResponse[Model])
