"""Never run: exercises the public API so that ``mypy --strict`` checks its types.

Checked by ``nox -s mypy``. Each ``assert_type`` pins what a user's editor sees.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any, assert_type

import attrs
import httpx

import openai_async
from openai_async import (
    AsyncClient,
    AsyncPaginator,
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
    APIObject,
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
            assert_type(client.models.list(), AsyncPaginator[Model])
            assert_type(await client.models.list(), ListResponse[Model])
            async for m in client.models.list():
                assert_type(m, Model)
            async for m in await client.models.list():
                assert_type(m, Model)
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
            assert_type(client.with_options(stream_timeout=600.0), AsyncClient)
            assert_type(client.with_options(stream_timeout=None).stream_timeout, float | None)
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
            await endpoints(client)
        assert_type(model.extra["anything"], Any)
        assert_type(model.to_dict(), dict[str, Any])
        assert_type(model.model_dump(), dict[str, Any])
        assert_type(model.model_dump_json(indent=2), str)
        assert_type(model.to_json(indent=None), str)
        assert_type(model._request_id, str | None)
        assert_type(model.model_dump(exclude_none=True, exclude_unset=True), dict[str, Any])
        assert_type(model.model_dump(include={"id"}, exclude={"data": {0: True}}), dict[str, Any])
        assert_type(model.model_dump_json(exclude_none=True, by_alias=True), str)
        assert_type(model.model_extra, dict[str, Any])
        assert_type(model.model_fields_set, set[str])
        assert_type(Model.model_validate({"id": "m"}), Model)
        assert_type(Model.construct(id="m"), Model)
        assert_type(Model.model_fields, dict[str, attrs.Attribute[Any]])
        model.model_dump(exclude_defaults=True)  # type: ignore[call-arg]


async def batch_usage(client: AsyncClient) -> None:
    requests = [
        BatchRequest.chat(id="a", model="gpt-4o-mini", messages=[]),
        BatchRequest.embedding(id=7, model="text-embedding-ada-002", input="a"),
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
    # The model's reply goes back as it is, in a literal or in an annotated list.
    again = await client.chat.completions.create(
        model="m", messages=[*messages, reply.choices[0].message, {"role": "user", "content": "?"}]
    )
    assert_type(again, ChatCompletion)
    conversation: list[Mapping[str, Any] | APIObject] = [*messages]
    conversation.append(reply.choices[0].message)
    await client.chat.completions.create(model="m", messages=conversation)
    BatchRequest.chat(model="m", messages=conversation)
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
    async for listed_job in client.fine_tunes.list():
        assert_type(listed_job, FineTune)
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
    await client.completions.create_many(["a"], model="m", stop=["\n"], temperature=0.0)
    await client.completions.create_many(["a"], model="m", stream=True)  # type: ignore[call-arg]
    await client.completions.create_many(["a"], model="m", max_tokens="5")  # type: ignore[arg-type]
    vectors = await client.embeddings.create_many(["a", "b"], model="m", batch_size=100)
    assert_type(vectors, list[list[float]])


async def with_aiohttp() -> None:
    transport = openai_async.aiohttp_transport(limits=httpx.Limits(max_connections=500))
    assert_type(transport, httpx.AsyncBaseTransport)
    async with AsyncClient(api_key="", transport=openai_async.aiohttp_transport()) as client:
        assert_type(await client.models.list(), ListResponse[Model])


async def with_project() -> None:
    async with AsyncClient(api_key="", project="proj-1", organization="org-1") as client:
        assert_type(client.project, str | None)
        assert_type(client.with_options(project="proj-2").is_closed(), bool)
    AsyncClient(project=1)  # type: ignore[arg-type]


async def with_http_client() -> None:
    import ssl

    http = openai_async.DefaultAsyncHttpxClient(
        verify=ssl.create_default_context(), limits=httpx.Limits(max_connections=500)
    )
    assert_type(http, openai_async.DefaultAsyncHttpxClient)
    assert isinstance(http, httpx.AsyncClient)
    async with http, AsyncClient(api_key="", http_client=http) as client:
        assert_type(await client.models.list(), ListResponse[Model])
    async with openai_async.DefaultAioHttpClient(timeout=30) as aio:
        assert_type(aio, openai_async.DefaultAioHttpClient)
    openai_async.DefaultAsyncHttpxClient(verify=1.5)  # type: ignore[arg-type]


async def endpoints(client: AsyncClient) -> None:
    from openai_async.types import (
        BinaryResponseContent,
        CreateEmbeddingResponse,
        Edit,
        Engine,
        FileDeleted,
        FileObject,
        ImagesResponse,
        ModerationCreateResponse,
        Transcription,
        TranscriptionDiarized,
        TranscriptionVerbose,
        Translation,
        TranslationVerbose,
    )

    edit = await client.edits.create(model="text-davinci-edit-001", instruction="Fix it", n=2)
    assert_type(edit, Edit)
    assert_type(edit.choices[0].text, str)

    for value in ("text", ["a", "b"], [1, 2, 3], [[1, 2], [3]]):
        embeddings = await client.embeddings.create(model="text-embedding-ada-002", input=value)
        assert_type(embeddings, CreateEmbeddingResponse)
    packed = await client.embeddings.create(model="m", input="x", encoding_format="base64")
    assert_type(packed.data[0].embedding, list[float])

    moderation = await client.moderations.create(input=["a", "b"], model="text-moderation-stable")
    assert_type(moderation, ModerationCreateResponse)
    assert_type(moderation.results[0].categories.hate_threatening, bool)
    assert_type(moderation.results[0].categories["hate/threatening"], Any)
    assert_type(moderation.results[0].category_scores.self_harm, float)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        assert_type(await client.engines.list(), ListResponse[Engine])
        async for engine in client.engines.list():
            assert_type(engine, Engine)
        assert_type(await client.engines.retrieve("davinci"), Engine)

    path = Path("train.jsonl")
    assert_type(await client.files.create(file=path, purpose="fine-tune"), FileObject)
    assert_type(await client.files.create(file="train.jsonl", purpose="fine-tune"), FileObject)
    assert_type(await client.files.create(file=b"{}", purpose="fine-tune"), FileObject)
    with io.BufferedReader(io.FileIO("train.jsonl")) as f:
        assert_type(await client.files.create(file=f, purpose="fine-tune"), FileObject)
    upload = await client.files.create(file=("a.jsonl", b"{}", "application/jsonl"), purpose="x")
    assert_type(await client.files.list(), ListResponse[FileObject])
    assert_type(await client.files.list(purpose="fine-tune"), ListResponse[FileObject])
    file_page = await client.files.list(limit=10)
    assert_type(file_page.has_next_page(), bool)
    assert_type(file_page.next_page_info(), openai_async.PageInfo | None)
    if file_page.has_next_page():
        assert_type(await file_page.get_next_page(), ListResponse[FileObject])
    async for each_page in file_page.iter_pages():
        assert_type(each_page, ListResponse[FileObject])
    async for listed_file in client.files.list(purpose="fine-tune", limit=100, after=upload.id):
        assert_type(listed_file, FileObject)
    assert_type(await client.files.retrieve(upload.id), FileObject)
    content = await client.files.content(upload.id)
    assert_type(content, BinaryResponseContent)
    assert_type(content + b"", bytes)
    assert_type(content.content, bytes)
    assert_type(content.text, str)
    assert_type(content.json(), Any)
    assert_type(content.read(), bytes)
    assert_type(await content.aread(), bytes)
    content.write_to_file(path)
    content.write_to_file("copy.jsonl")
    assert_type(await client.files.download(upload.id, "copy.jsonl"), int)
    assert_type(await client.files.download(upload.id, path), int)
    assert_type(await client.files.delete(upload.id), FileDeleted)

    async def upload_training(file: openai_async.FileInput) -> str:
        # A user's own wrapper takes whatever the upload parameters take.
        return (await client.files.create(file=file, purpose="fine-tune")).id

    assert_type(await upload_training(path), str)
    assert_type(await upload_training(b"{}"), str)
    assert_type(await upload_training(("a.jsonl", path, None)), str)
    assert_type(await upload_training(("a.jsonl", io.BytesIO(b"{}"))), str)
    await upload_training(("a.jsonl", b"{}", None, {"x-h": "1"}))  # type: ignore[arg-type]

    images = await client.images.generate(prompt="otter", n=2, size="256x256")
    assert_type(images, ImagesResponse)
    assert_type(images.data[0].url, str | None)
    edited = await client.images.edit(
        image=path, mask=io.BytesIO(b""), prompt="a beret", response_format="b64_json"
    )
    assert_type(edited, ImagesResponse)
    assert_type(await client.images.create_variation(image=b"png", n=1), ImagesResponse)
    assert_type(await client.images.edit(image=("i.png", b""), prompt="x"), ImagesResponse)

    audio = ("a.mp3", b"...", "audio/mpeg")
    transcriptions = client.audio.transcriptions
    assert_type(await transcriptions.create(file=audio, model="whisper-1"), Transcription)
    assert_type(
        await transcriptions.create(file=path, model="whisper-1", response_format="json"),
        Transcription,
    )
    assert_type(
        await transcriptions.create(file=path, model="whisper-1", response_format="verbose_json"),
        TranscriptionVerbose,
    )
    for text_format in ("text", "srt", "vtt"):
        assert_type(
            await transcriptions.create(
                file=path, model="whisper-1", response_format=text_format, language="de"
            ),
            str,
        )
    chosen: str = "srt"
    assert_type(
        await transcriptions.create(file=path, model="whisper-1", response_format=chosen),
        Transcription | TranscriptionVerbose | TranscriptionDiarized | str,
    )
    translations = client.audio.translations
    assert_type(await translations.create(file=audio, model="whisper-1"), Translation)
    assert_type(await translations.create(file=("a.mp3", b""), model="whisper-1"), Translation)
    assert_type(
        await translations.create(file=audio, model="whisper-1", response_format="verbose_json"),
        TranslationVerbose,
    )
    assert_type(
        await translations.create(file=audio, model="whisper-1", response_format="vtt"), str
    )


async def todays_chat(client: AsyncClient) -> None:
    """Tools, parse, per-call options and raw responses, as today's SDK code writes them."""
    import pydantic

    from openai_async import pydantic_function_tool
    from openai_async.types import ParsedChatCompletion

    class Otter(pydantic.BaseModel):
        name: str

    reply = await client.chat.completions.create(
        model="gpt-4o",
        messages=[{"role": "user", "content": "hi"}],
        tools=[{"type": "function", "function": {"name": "f", "parameters": {}}}],
        tool_choice="auto",
        parallel_tool_calls=True,
        seed=1,
        max_completion_tokens=100,
        reasoning_effort="low",
        extra_body={"top_k": 5},
        extra_headers={"x-team": "a"},
        extra_query={"q": "1"},
        timeout=10.0,
    )
    calls = reply.choices[0].message.tool_calls or []
    name: str = calls[0].function.name
    arguments: str = calls[0].function.arguments
    reasoning: int | None = None
    if reply.usage and reply.usage.completion_tokens_details:
        reasoning = reply.usage.completion_tokens_details.reasoning_tokens
    stream: AsyncStream[ChatCompletionChunk] = await client.chat.completions.create(
        model="m", messages=[], stream=True, stream_options={"include_usage": True}
    )
    async for chunk in stream:
        for choice in chunk.choices:
            for piece in choice.delta.tool_calls or []:
                index: int = piece.index
    parsed: ParsedChatCompletion[Otter] = await client.chat.completions.parse(
        model="gpt-4o", messages=[], response_format=Otter
    )
    otter: Otter | None = parsed.choices[0].message.parsed
    tool = pydantic_function_tool(Otter)
    await client.chat.completions.parse(model="m", messages=[], tools=[tool])
    beta = await client.beta.chat.completions.parse(
        model="gpt-4o", messages=[], response_format=Otter
    )
    assert_type(beta, ParsedChatCompletion[Otter])
    try:
        await client.chat.completions.parse(model="m", messages=[], response_format=Otter)
    except openai_async.LengthFinishReasonError as cut:
        assert_type(cut.completion, ChatCompletion)
    except openai_async.ContentFilterFinishReasonError as filtered:
        assert_type(filtered.completion, ChatCompletion)
    # omit is a NOT_GIVEN: any optional parameter takes it (see leaving_parameters_out)
    leave_out = openai_async.omit
    await client.chat.completions.create(model="m", messages=[], top_p=leave_out)
    assert_type(openai_async.file_from_path("train.jsonl"), tuple[str, bytes])
    assert_type(openai_async.not_given, openai_async.NotGiven)
    assert isinstance(openai_async.omit, openai_async.Omit)
    azure = openai_async.AsyncAzureOpenAI(
        azure_endpoint="https://x.openai.azure.com", api_version="2024-10-21", api_key="k"
    )
    assert_type(await azure.models.list(), ListResponse[Model])
    assert_type(azure.with_options(timeout=3.0), openai_async.AsyncAzureOpenAI)
    assert_type(azure.api_version, str)

    async def token() -> str:
        return "t"

    openai_async.AsyncAzureOpenAI(azure_endpoint="https://x", azure_ad_token_provider=token)
    openai_async.AsyncAzureOpenAI(azure_endpoint="https://x", azure_ad_token_provider=lambda: "t")
    print(client.beta.assistants)  # type: ignore[attr-defined]  # not wrapped: an error here too
    print(client.conversations)  # type: ignore[attr-defined]  # not wrapped: an error here too
    speech = await client.audio.speech.create(model="tts-1", voice="alloy", input="x")
    speech.stream_to_file("speech.mp3")
    await speech.astream_to_file(Path("speech.mp3"))
    async for audio_piece in speech.aiter_bytes(1024):
        assert_type(audio_piece, bytes)
    assert_type(
        await client.post("/chat/completions", cast_to=httpx.Response, body={}), httpx.Response
    )
    assert_type(await client.get("/models", cast_to=ListResponse[Model]), ListResponse[Model])
    client.with_options(http_client=httpx.AsyncClient())  # type: ignore[arg-type]
    whole = await client.with_raw_response.chat.completions.create(model="m", messages=[])
    print(whole.http_request)  # Any, as every with_raw_response method
    async with client.chat.completions.stream(
        model="m", messages=[], response_format=Otter
    ) as chat_stream:
        async for event in chat_stream:
            if event.type == "content.done":
                assert_type(event.parsed, Otter | None)
            elif event.type == "content.delta":
                assert_type(event.snapshot, str)
            elif event.type == "tool_calls.function.arguments.done":
                assert_type(event.index, int)
    assert_type(await chat_stream.get_final_completion(), ParsedChatCompletion[Otter])
    assert_type(chat_stream.current_completion_snapshot, ChatCompletion)
    client.chat.completions.stream(model="m", messages=[], stream=True)  # type: ignore[call-overload]
    raw = await client.chat.completions.with_raw_response.create(model="m", messages=[])
    header: str | None = raw.headers.get("x-request-id")
    completion = raw.parse()
    async with client.chat.completions.with_streaming_response.create(
        model="m", messages=[]
    ) as response:
        await response.parse()
    print(name, arguments, reasoning, index, otter, header, completion)


async def batches_fine_tuning_uploads(client: AsyncClient) -> None:
    """The Batch API, fine_tuning.jobs and uploads, as a user's editor sees them."""
    from openai_async.types import (
        Batch,
        FileObject,
        FineTuningJob,
        FineTuningJobCheckpoint,
        FineTuningJobEvent,
        Upload,
        UploadPart,
    )

    expiry = {"anchor": "created_at", "seconds": 3600}
    batch_input = await client.files.create(
        file=Path("in.jsonl"), purpose="batch", expires_after=expiry
    )
    batch = await client.batches.create(
        input_file_id=batch_input.id,
        endpoint="/v1/chat/completions",
        completion_window="24h",
        metadata={"job": "nightly"},
        output_expires_after={"anchor": "created_at", "seconds": 7200},
        extra_headers={"x-team": "search"},
    )
    assert_type(batch, Batch)
    assert_type(batch.output_file_id, str | None)
    assert_type(await client.batches.retrieve(batch.id), Batch)
    assert_type(await client.batches.cancel(batch.id), Batch)
    assert_type(await client.batches.list(limit=10), ListResponse[Batch])
    async for listed_batch in client.batches.list(after=batch.id):
        assert_type(listed_batch, Batch)
    assert_type(await client.files.list(order="desc"), ListResponse[FileObject])

    jobs = client.fine_tuning.jobs
    job = await jobs.create(
        model="gpt-4o-mini",
        training_file="file-1",
        validation_file="file-2",
        suffix="mine",
        seed=1,
        method={"type": "dpo", "dpo": {"hyperparameters": {"beta": 0.1}}},
        hyperparameters={"n_epochs": "auto"},
        integrations=[{"type": "wandb", "wandb": {"project": "p"}}],
        metadata={"team": "a"},
        timeout=30,
    )
    assert_type(job, FineTuningJob)
    assert_type(job.fine_tuned_model, str | None)
    for call in (jobs.retrieve, jobs.cancel, jobs.pause, jobs.resume):
        assert_type(await call(job.id), FineTuningJob)
    assert_type(await jobs.list(metadata={"team": "a"}), ListResponse[FineTuningJob])
    async for event in jobs.list_events(fine_tuning_job_id=job.id, limit=10):
        assert_type(event, FineTuningJobEvent)
    async for checkpoint in jobs.checkpoints.list(job.id):
        assert_type(checkpoint, FineTuningJobCheckpoint)
        assert_type(checkpoint.metrics.train_loss, float | None)

    upload = await client.uploads.create(
        bytes=3, filename="a.jsonl", mime_type="text/jsonl", purpose="fine-tune"
    )
    assert_type(upload, Upload)
    part = await client.uploads.parts.create(upload_id=upload.id, data=b"abc")
    assert_type(part, UploadPart)
    assert_type(await client.uploads.complete(upload.id, part_ids=[part.id], md5=None), Upload)
    assert_type(await client.uploads.cancel(upload.id), Upload)
    chunked = await client.uploads.upload_file_chunked(
        file=Path("big.jsonl"), mime_type="text/jsonl", purpose="batch", parts_in_flight=8
    )
    assert_type(chunked.file, FileObject | None)


async def speech_and_vector_stores(client: AsyncClient) -> None:
    from openai_async.resources import VectorStoreSearch
    from openai_async.types import (
        BinaryResponseContent,
        VectorStore,
        VectorStoreDeleted,
        VectorStoreFile,
        VectorStoreFileBatch,
        VectorStoreFileContent,
        VectorStoreFileDeleted,
        VectorStoreSearchPage,
        VectorStoreSearchResponse,
    )

    speech = await client.audio.speech.create(
        model="gpt-4o-mini-tts",
        voice="coral",
        input="Hello",
        instructions="Cheerful.",
        response_format="wav",
        speed=1.25,
        stream_format="audio",
        extra_headers={"x-team": "voice"},
    )
    assert_type(speech, BinaryResponseContent)
    assert_type(
        await client.audio.speech.create(model="tts-1", voice={"id": "v"}, input="x"),
        BinaryResponseContent,
    )
    await client.audio.speech.create(model="tts-1", voice="alloy", input="x", speed="fast")  # type: ignore[arg-type]
    await client.audio.speech.create(model="tts-1", input="x")  # type: ignore[call-arg]
    async with client.audio.speech.with_streaming_response.create(
        model="tts-1", voice="alloy", input="x"
    ) as response:
        await response.stream_to_file(Path("speech.mp3"))
        await response.stream_to_file("speech.mp3", chunk_size=65536)
        async for chunk in response.iter_bytes():  # with_streaming_response is untyped
            print(len(chunk))

    store = await client.vector_stores.create(
        name="docs",
        file_ids=["file-1"],
        expires_after={"anchor": "last_active_at", "days": 7},
        chunking_strategy={"type": "auto"},
        metadata={"team": "cx"},
    )
    assert_type(store, VectorStore)
    assert_type(store.file_counts.completed, int)
    assert_type(await client.vector_stores.retrieve(store.id), VectorStore)
    assert_type(await client.vector_stores.update(store.id, expires_after=None), VectorStore)
    assert_type(await client.vector_stores.list(limit=10, order="asc"), ListResponse[VectorStore])
    async for listed in client.vector_stores.list():
        assert_type(listed, VectorStore)
    search = client.vector_stores.search(store.id, query=["a", "b"], max_num_results=3)
    assert_type(search, VectorStoreSearch)
    page = await search
    assert_type(page, VectorStoreSearchPage)
    assert_type(page.data[0].score, float)
    async for result in client.vector_stores.search(vector_store_id=store.id, query="a"):
        assert_type(result, VectorStoreSearchResponse)
        assert_type(result.content[0].text, str)
    assert_type(await client.vector_stores.delete(store.id), VectorStoreDeleted)

    files = client.vector_stores.files
    added = await files.create(store.id, file_id="file-1", attributes={"year": 2024})
    assert_type(added, VectorStoreFile)
    assert_type(await files.retrieve("file-1", vector_store_id=store.id), VectorStoreFile)
    assert_type(
        await files.update("file-1", vector_store_id=store.id, attributes=None), VectorStoreFile
    )
    assert_type(
        await files.list(store.id, filter="completed", order="desc"), ListResponse[VectorStoreFile]
    )
    assert_type(
        await files.content("file-1", vector_store_id=store.id),
        ListResponse[VectorStoreFileContent],
    )
    assert_type(await files.delete("file-1", vector_store_id=store.id), VectorStoreFileDeleted)
    assert_type(
        await files.create_and_poll("file-1", vector_store_id=store.id, poll_interval_ms=100),
        VectorStoreFile,
    )
    assert_type(
        await files.upload_and_poll(vector_store_id=store.id, file=Path("faq.txt")),
        VectorStoreFile,
    )
    await files.list(store.id, filter="done")  # type: ignore[arg-type]

    batches = client.vector_stores.file_batches
    batch = await batches.create(store.id, file_ids=["file-1"])
    assert_type(batch, VectorStoreFileBatch)
    assert_type(await batches.create(store.id, files=[{"file_id": "f"}]), VectorStoreFileBatch)
    assert_type(await batches.retrieve(batch.id, vector_store_id=store.id), VectorStoreFileBatch)
    assert_type(await batches.cancel(batch.id, vector_store_id=store.id), VectorStoreFileBatch)
    async for batch_file in batches.list_files(batch.id, vector_store_id=store.id):
        assert_type(batch_file, VectorStoreFile)
    assert_type(
        await batches.upload_and_poll(store.id, files=[Path("a.txt"), b"text"], max_concurrency=2),
        VectorStoreFileBatch,
    )


async def responses_usage(client: AsyncClient) -> None:
    from openai_async.types import (
        ParsedResponse,
        Response,
        ResponseDeleted,
        ResponseFunctionToolCall,
        ResponseOutputItem,
        ResponseStreamEvent,
        ResponseTextDeltaEvent,
    )

    response = await client.responses.create(model="gpt-4o-mini", input="hi", store=True)
    assert_type(response, Response)
    assert_type(response.output_text, str)
    conversation: list[Mapping[str, Any] | ResponseOutputItem] = [
        {"role": "user", "content": "weather?"}
    ]
    conversation += response.output
    for item in response.output:
        if isinstance(item, ResponseFunctionToolCall):
            conversation.append(
                {"type": "function_call_output", "call_id": item.call_id, "output": "22C"}
            )
    again = await client.responses.create(
        model="gpt-4o-mini",
        input=conversation,
        tools=[{"type": "function", "name": "f", "parameters": {}, "strict": True}],
        text={"format": {"type": "json_schema", "name": "x", "schema": {}}},
        reasoning={"effort": "low"},
        previous_response_id=response.id,
        extra_headers={"x-trace": "1"},
        timeout=5.0,
    )
    assert_type(again, Response)

    stream = await client.responses.create(model="gpt-4o-mini", input="hi", stream=True)
    assert_type(stream, AsyncStream[ResponseStreamEvent])
    async with stream:
        async for event in stream:
            assert_type(event.sequence_number, int)
            if isinstance(event, ResponseTextDeltaEvent):
                assert_type(event.delta, str)
    flag: bool = False
    either = await client.responses.create(model="gpt-4o-mini", input="hi", stream=flag)
    assert_type(either, Response | AsyncStream[ResponseStreamEvent])

    class Answer:
        @classmethod
        def model_json_schema(cls) -> dict[str, Any]:
            return {}

        @classmethod
        def model_validate_json(cls, text: str) -> Answer:
            return cls()

    parsed = await client.responses.parse(model="gpt-4o-mini", input="x", text_format=Answer)
    assert_type(parsed, ParsedResponse[Answer])
    assert_type(parsed.output_parsed, Answer | None)
    loose = await client.responses.parse(model="gpt-4o-mini", input="x", text_format={})
    assert_type(loose, ParsedResponse[Any])
    async with client.responses.stream(model="m", input="x", text_format=Answer) as events:
        async for streamed in events:
            assert_type(streamed, ResponseStreamEvent)
    assert_type(await events.get_final_response(), ParsedResponse[Answer])
    client.responses.stream(model="m", input="x", stream=True)  # type: ignore[call-overload]
    resumed = client.responses.stream(response_id="resp_1", starting_after=3, text_format=Answer)
    async with resumed as events:
        assert_type(await events.get_final_response(), ParsedResponse[Answer])
    client.responses.stream(response_id=3)  # type: ignore[call-overload]

    assert_type(await client.responses.retrieve(response.id), Response)
    replay = await client.responses.retrieve(response.id, stream=True, starting_after=3)
    assert_type(replay, AsyncStream[ResponseStreamEvent])
    assert_type(
        await client.responses.retrieve(response.id, stream=flag),
        Response | AsyncStream[ResponseStreamEvent],
    )
    assert_type(await client.responses.cancel(response.id), Response)
    assert_type(await client.responses.delete(response.id), ResponseDeleted)
    items = client.responses.input_items.list(response.id, limit=10, order="asc")
    assert_type(items, AsyncPaginator[ResponseOutputItem])
    async for input_item in items:
        assert_type(input_item.type, str)


async def today_endpoints(client: AsyncClient) -> None:
    """Today's parameters of the 2023 endpoints (issue 11)."""
    from openai_async.types import (
        CreateEmbeddingResponse,
        FileObject,
        ImagesResponse,
        ImageStreamEvent,
        ImagesUsage,
        ModerationCategoryAppliedInputTypes,
        ModerationCreateResponse,
        Transcription,
        TranscriptionDiarized,
        TranscriptionStreamEvent,
        TranscriptionVerbose,
        TranscriptionWord,
    )

    short = await client.embeddings.create(
        model="text-embedding-3-small", input=["a"], dimensions=256, encoding_format="base64"
    )
    assert_type(short, CreateEmbeddingResponse)
    vectors = await client.embeddings.create_many(["a"], model="m", dimensions=8, user="u")
    assert_type(vectors, list[list[float]])
    await client.embeddings.create(model="m", input="x", dimensions="8")  # type: ignore[arg-type]
    await client.embeddings.create(input="x")  # type: ignore[call-arg]

    verdicts = await client.moderations.create(
        model="omni-moderation-latest",
        input=[
            {"type": "text", "text": "hello"},
            {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}},
        ],
        extra_headers={"x-team": "trust"},
    )
    assert_type(verdicts, ModerationCreateResponse)
    applied = verdicts.results[0].category_applied_input_types
    assert_type(applied, ModerationCategoryAppliedInputTypes | None)
    assert_type(verdicts.results[0].categories.illicit_violent, bool | None)

    transcriptions = client.audio.transcriptions
    logprobs = await transcriptions.create(
        file=b"...", model="gpt-4o-transcribe", include=["logprobs"], chunking_strategy="auto"
    )
    assert_type(logprobs, Transcription)
    words = await transcriptions.create(
        file=b"...",
        model="whisper-1",
        response_format="verbose_json",
        timestamp_granularities=["word", "segment"],
    )
    assert_type(words.words, list[TranscriptionWord] | None)
    diarized = await transcriptions.create(
        file=b"...", model="gpt-4o-transcribe-diarize", response_format="diarized_json"
    )
    assert_type(diarized, TranscriptionDiarized)
    stream = await transcriptions.create(file=b"...", model="gpt-4o-transcribe", stream=True)
    async with stream:
        async for event in stream:
            assert_type(event, TranscriptionStreamEvent)
            assert_type(event.delta, str | None)
    flag: bool = False
    either = await transcriptions.create(file=b"...", model="m", stream=flag)
    assert_type(
        either,
        Transcription
        | TranscriptionVerbose
        | TranscriptionDiarized
        | str
        | AsyncStream[TranscriptionStreamEvent],
    )
    await transcriptions.create(file=b"...", model="m", include=["everything"])  # type: ignore[list-item]

    drawn = await client.images.generate(
        model="gpt-image-1",
        prompt="otter",
        size="1536x1024",
        quality="high",
        background="transparent",
        output_format="webp",
        output_compression=80,
        moderation="low",
    )
    assert_type(drawn, ImagesResponse)
    assert_type(drawn.usage, ImagesUsage | None)
    custom = await client.images.generate(model="gpt-image-2", prompt="o", size="1536x864")
    assert_type(custom, ImagesResponse)
    styled = await client.images.generate(model="dall-e-3", prompt="o", style="vivid", quality="hd")
    assert_type(styled.data[0].revised_prompt, str | None)
    partial = await client.images.generate(prompt="o", stream=True, partial_images=2)
    async with partial:
        async for image_event in partial:
            assert_type(image_event, ImageStreamEvent)
    several = await client.images.edit(
        image=[b"png", ("b.png", b"png")], prompt="x", input_fidelity="high", timeout=60
    )
    assert_type(several, ImagesResponse)
    edits = await client.images.edit(image=b"png", prompt="x", stream=True)
    assert_type(edits, AsyncStream[ImageStreamEvent])
    by_reference = await client.images.edit(
        images=[{"image_url": "https://example.com/a.png"}, {"file_id": "file-1"}],
        mask={"file_id": "file-2"},
        prompt="x",
        moderation="low",
    )
    assert_type(by_reference, ImagesResponse)
    await client.images.generate(prompt="o", quality="ultra")  # type: ignore[call-overload]
    await client.images.create_variation(image=b"png", prompt="x")  # type: ignore[call-arg]

    seeded = await client.completions.create(
        model="gpt-3.5-turbo-instruct",
        prompt="x",
        seed=1,
        stream=True,
        stream_options={"include_usage": True},
    )
    assert_type(seeded, AsyncStream[Completion])
    newest = await client.files.list(order="desc", limit=10)
    assert_type(newest, ListResponse[FileObject])
    expiring = await client.files.create(
        file=b"{}", purpose="batch", expires_after={"anchor": "created_at", "seconds": 3600}
    )
    assert_type(expiring, FileObject)
    await client.files.list(order="newest")  # type: ignore[arg-type]


async def leaving_parameters_out(client: AsyncClient, tools: list[dict[str, Any]]) -> None:
    """``NOT_GIVEN`` / ``not_given`` / ``omit`` for any optional parameter, as the SDK types it.

    Code moving over passes them (``tools=tools or NOT_GIVEN``); each is left out.
    """
    from openai_async import NOT_GIVEN, not_given, omit
    from openai_async.types import (
        BinaryResponseContent,
        CreateEmbeddingResponse,
        FileObject,
        FineTuneEvent,
        FineTuningJob,
        ImagesResponse,
        ParsedChatCompletion,
        ParsedResponse,
        Response,
        ResponseStreamEvent,
        Transcription,
        TranscriptionVerbose,
        Translation,
        Upload,
        VectorStore,
        VectorStoreFile,
        VectorStoreFileBatch,
    )

    chat = client.chat.completions
    reply = await chat.create(
        model="m", messages=[], tools=tools or NOT_GIVEN, temperature=omit, user=not_given
    )
    assert_type(reply, ChatCompletion)
    # stream left out is the whole answer, as in the SDK; True still streams.
    assert_type(await chat.create(model="m", messages=[], stream=NOT_GIVEN), ChatCompletion)
    assert_type(await chat.create(model="m", messages=[], stream=omit, n=omit), ChatCompletion)
    chunks = await chat.create(model="m", messages=[], stream=True, stream_options=NOT_GIVEN)
    assert_type(chunks, AsyncStream[ChatCompletionChunk])
    parsed = await chat.parse(model="m", messages=[], response_format=NOT_GIVEN, seed=omit)
    assert_type(parsed, ParsedChatCompletion[Any])
    # The per-call options, on an endpoint method and on client.request.
    model = await client.models.retrieve(
        "m", extra_headers=NOT_GIVEN, extra_query=omit, extra_body=not_given, timeout=NOT_GIVEN
    )
    assert_type(model, Model)
    assert_type(await client.request("GET", "models", extra_body=NOT_GIVEN), Any)

    response = await client.responses.create(
        model="m", input="x", instructions=omit, tools=NOT_GIVEN, stream=NOT_GIVEN
    )
    assert_type(response, Response)
    events = await client.responses.create(model="m", input="x", stream=True, store=omit)
    assert_type(events, AsyncStream[ResponseStreamEvent])
    stored = await client.responses.retrieve("resp_1", stream=omit, include=NOT_GIVEN)
    assert_type(stored, Response)
    async with client.responses.stream(
        model="m", input="x", text_format=NOT_GIVEN, response_id=omit, starting_after=omit
    ) as streamed:
        assert_type(await streamed.get_final_response(), ParsedResponse[Any])

    vectors = await client.embeddings.create(
        model="m", input="x", dimensions=NOT_GIVEN, encoding_format=omit, user=NOT_GIVEN
    )
    assert_type(vectors, CreateEmbeddingResponse)
    many = await client.embeddings.create_many(["a"], model="m", batch_size=NOT_GIVEN)
    assert_type(many, list[list[float]])
    completion = await client.completions.create(
        model="m", prompt="x", suffix=omit, stream=NOT_GIVEN
    )
    assert_type(completion, Completion)

    files = await client.files.list(purpose=NOT_GIVEN, limit=omit, after=omit, order=NOT_GIVEN)
    assert_type(files, ListResponse[FileObject])
    uploaded = await client.files.create(file=b"{}", purpose="batch", expires_after=NOT_GIVEN)
    assert_type(uploaded, FileObject)

    drawn = await client.images.generate(prompt="o", n=NOT_GIVEN, size=omit, stream=NOT_GIVEN)
    assert_type(drawn, ImagesResponse)
    edited = await client.images.edit(image=b"png", prompt="x", mask=omit, stream=omit)
    assert_type(edited, ImagesResponse)
    varied = await client.images.create_variation(image=b"png", n=NOT_GIVEN, user=omit)
    assert_type(varied, ImagesResponse)

    transcriptions = client.audio.transcriptions
    text = await transcriptions.create(
        file=b"...", model="m", response_format=NOT_GIVEN, stream=NOT_GIVEN, language=omit
    )
    assert_type(text, Transcription)
    timed = await transcriptions.create(
        file=b"...", model="m", response_format="verbose_json", stream=omit, prompt=NOT_GIVEN
    )
    assert_type(timed, TranscriptionVerbose)
    english = await client.audio.translations.create(
        file=b"...", model="m", response_format=omit, temperature=NOT_GIVEN
    )
    assert_type(english, Translation)
    speech = await client.audio.speech.create(
        model="tts-1", voice="alloy", input="x", speed=NOT_GIVEN, instructions=omit
    )
    assert_type(speech, BinaryResponseContent)

    # Methods with their parameters in the signature, not in a TypedDict.
    events_so_far = await client.fine_tunes.list_events("ft-1", stream=NOT_GIVEN)
    assert_type(events_so_far, ListResponse[FineTuneEvent])
    jobs = await client.fine_tuning.jobs.list(after=NOT_GIVEN, limit=omit, metadata=omit)
    assert_type(jobs, ListResponse[FineTuningJob])
    store = await client.vector_stores.create(name=NOT_GIVEN, expires_after=omit)
    assert_type(store, VectorStore)
    kept = await client.vector_stores.update(store.id, name=omit, metadata=NOT_GIVEN)
    assert_type(kept, VectorStore)
    listed = await client.vector_stores.files.list(store.id, after=NOT_GIVEN, filter=omit)
    assert_type(listed, ListResponse[VectorStoreFile])
    polled = await client.vector_stores.files.create_and_poll(
        "file-1", vector_store_id=store.id, attributes=NOT_GIVEN, poll_interval_ms=omit
    )
    assert_type(polled, VectorStoreFile)
    batch = await client.vector_stores.file_batches.upload_and_poll(
        store.id, files=[b"x"], max_concurrency=NOT_GIVEN, file_ids=omit
    )
    assert_type(batch, VectorStoreFileBatch)
    upload = await client.uploads.upload_file_chunked(
        file=b"x", mime_type="text/plain", purpose="batch", filename="x", part_size=NOT_GIVEN
    )
    assert_type(upload, Upload)

    # A required parameter is not optional: leaving it out is refused, as in the SDK.
    await chat.create(model=NOT_GIVEN, messages=[])  # type: ignore[call-overload]
    await client.embeddings.create(model="m", input=omit)  # type: ignore[arg-type]
    await client.files.create(file=b"x", purpose=NOT_GIVEN)  # type: ignore[arg-type]
    await client.models.retrieve(NOT_GIVEN)  # type: ignore[arg-type]
