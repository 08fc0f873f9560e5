"""Never run: exercises the public API so that ``mypy --strict`` checks its types.

Checked by ``nox -s mypy``. Each ``assert_type`` pins what a user's editor sees.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path
from typing import Any, assert_type

import httpx

import openai_async
from openai_async import AsyncClient, CallNext
from openai_async.testing import LocalServer
from openai_async.types import ListResponse, Model, ModelDeleted


async def add_header(request: httpx.Request, call_next: CallNext) -> httpx.Response:
    request.headers["x-team"] = "search"
    return await call_next(request)


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
            assert_type(await client.request("GET", "models"), Any)
            assert_type(await client.request("GET", "models", cast_to=bytes), bytes)
            assert_type(await client.request("GET", "models/x", cast_to=Model), Model)
            fault = server.inject(status=503, headers={"retry-after": "1"}, times=2)
            assert_type(fault.times, int)
            try:
                await client.models.list()
            except openai_async.RateLimitError as exc:
                assert_type(exc.status_code, int)
                assert_type(exc.request_id, str | None)
                assert_type(exc.code, str | None)
                assert_type(exc.body, object)
            except openai_async.APIConnectionError as exc:
                assert_type(exc.request, httpx.Request | None)
            await endpoints(client)
        assert_type(model.extra["anything"], Any)
        assert_type(model.to_dict(), dict[str, Any])


async def endpoints(client: AsyncClient) -> None:
    from openai_async.types import (
        CreateEmbeddingResponse,
        Edit,
        Engine,
        FileDeleted,
        FileObject,
        ImagesResponse,
        ModerationCreateResponse,
        Transcription,
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
    assert_type(await client.files.retrieve(upload.id), FileObject)
    assert_type(await client.files.content(upload.id), bytes)
    assert_type(await client.files.download(upload.id, "copy.jsonl"), int)
    assert_type(await client.files.download(upload.id, path), int)
    assert_type(await client.files.delete(upload.id), FileDeleted)

    images = await client.images.generate(prompt="otter", n=2, size="256x256")
    assert_type(images, ImagesResponse)
    assert_type(images.data[0].url, str | None)
    edited = await client.images.edit(
        image=path, mask=io.BytesIO(b""), prompt="a beret", response_format="b64_json"
    )
    assert_type(edited, ImagesResponse)
    assert_type(await client.images.create_variation(image=b"png", n=1), ImagesResponse)

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
        Transcription | TranscriptionVerbose | str,
    )
    translations = client.audio.translations
    assert_type(await translations.create(file=audio, model="whisper-1"), Translation)
    assert_type(
        await translations.create(file=audio, model="whisper-1", response_format="verbose_json"),
        TranslationVerbose,
    )
    assert_type(
        await translations.create(file=audio, model="whisper-1", response_format="vtt"), str
    )
