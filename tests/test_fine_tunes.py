"""client.fine_tunes over loopback: the six operations, the event stream, the workflow."""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest

from openai_async import AsyncClient, BadRequestError, InvalidParameterError, NotFoundError
from openai_async.testing import LocalServer
from openai_async.types import FineTune

pytestmark = pytest.mark.anyio

DONE_ID = "ft-AF1WoRqd3aJAHsqc9NY7iL8F"
TRAINING = (
    '{"prompt": "otter ->", "completion": " a water weasel\\n"}\n'
    '{"prompt": "beaver ->", "completion": " a dam builder\\n"}\n'
)


async def _upload(client: AsyncClient, name: str = "train.jsonl") -> str:
    upload = await client.files.create(file=(name, TRAINING.encode(), None), purpose="fine-tune")
    return upload.id


@pytest.fixture
async def training_file(client: AsyncClient) -> str:
    """The id of a JSON Lines file uploaded with purpose fine-tune."""
    return await _upload(client)


async def test_create_sends_parameters_and_returns_pending_job(
    client: AsyncClient, server: LocalServer, training_file: str
) -> None:
    """create posts every given parameter and returns the pending job."""
    validation_file = await _upload(client, "valid.jsonl")
    job = await client.fine_tunes.create(
        training_file=training_file,
        validation_file=validation_file,
        model="ada",
        n_epochs=2,
        batch_size=8,
        learning_rate_multiplier=0.1,
        prompt_loss_weight=0.02,
        compute_classification_metrics=True,
        classification_n_classes=3,
        classification_positive_class="yes",
        classification_betas=[0.5, 1.0],
        suffix="my-model",
    )
    assert isinstance(job, FineTune)
    assert job.status == "pending"
    assert job.model == "ada"
    assert job.hyperparams.n_epochs == 2
    assert [f.id for f in job.training_files] == [training_file]
    assert [f.id for f in job.validation_files] == [validation_file]
    assert job.validation_files[0].filename == "valid.jsonl"
    assert server.requests[-1].json()["classification_betas"] == [0.5, 1.0]
    assert server.requests[-1].json()["suffix"] == "my-model"


async def test_list_and_retrieve(client: AsyncClient, training_file: str) -> None:
    """list shows every job; retrieve gives one with its events."""
    created = await client.fine_tunes.create(training_file=training_file)
    jobs = await client.fine_tunes.list()
    assert created.id in [job.id for job in jobs]
    done = await client.fine_tunes.retrieve(DONE_ID)
    assert done.status == "succeeded"
    assert done.fine_tuned_model == "curie:ft-acmeco-2021-03-03-21-44-20"
    assert done.events[-1].message == "Fine-tune succeeded"


async def test_retrieve_unknown_is_not_found(client: AsyncClient) -> None:
    """An unknown id is a NotFoundError."""
    with pytest.raises(NotFoundError):
        await client.fine_tunes.retrieve("ft-nope")


async def test_cancel(client: AsyncClient, training_file: str) -> None:
    """cancel stops a pending job; a finished job cannot be cancelled."""
    job = await client.fine_tunes.create(training_file=training_file)
    cancelled = await client.fine_tunes.cancel(job.id)
    assert cancelled.status == "cancelled"
    assert cancelled.events[-1].message == "Fine-tune cancelled"
    with pytest.raises(BadRequestError):
        await client.fine_tunes.cancel(DONE_ID)


async def test_list_events(client: AsyncClient) -> None:
    """list_events without stream returns the log so far."""
    events = await client.fine_tunes.list_events(DONE_ID)
    assert [e.object for e in events] == ["fine-tune-event"] * len(events)
    assert events[0].message == f"Created fine-tune: {DONE_ID}"


async def test_follow_events_until_done(
    client: AsyncClient, server: LocalServer, training_file: str
) -> None:
    """list_events(stream=True) streams the job's events as it runs, until [DONE]."""
    job = await client.fine_tunes.create(training_file=training_file, n_epochs=2, suffix="otter")
    server.inject(event_delay=0.001, write_size=5, path="/events")
    stream = await client.fine_tunes.list_events(job.id, stream=True)
    async with stream:
        messages = [event.message async for event in stream]
    assert server.requests[-1].query == {"stream": "true"}
    assert messages[0] == f"Created fine-tune: {job.id}"
    assert "Completed epoch 2/2" in messages
    assert messages[-1] == "Fine-tune succeeded"
    finished = await client.fine_tunes.retrieve(job.id)
    assert finished.status == "succeeded"
    assert finished.fine_tuned_model is not None
    assert "otter" in finished.fine_tuned_model


async def test_cancel_while_following(
    client: AsyncClient, server: LocalServer, training_file: str
) -> None:
    """A job cancelled while its events stream ends the stream with the cancel event."""
    job = await client.fine_tunes.create(training_file=training_file)
    server.inject(event_delay=0.1, path="/events")  # time for the cancel to arrive
    stream = await client.fine_tunes.list_events(job.id, stream=True)
    messages = []
    async with stream:
        async for event in stream:
            messages.append(event.message)
            if len(messages) == 2:
                await client.fine_tunes.cancel(job.id)
    assert messages[-1] == "Fine-tune cancelled"
    assert "Fine-tune succeeded" not in messages
    with anyio.fail_after(5):
        assert (await client.fine_tunes.retrieve(job.id)).status == "cancelled"


@pytest.mark.parametrize("suffix", ["", "x" * 41])
async def test_suffix_limit(client: AsyncClient, server: LocalServer, suffix: str) -> None:
    """A suffix must be 1 to 40 characters; checked before sending."""
    with pytest.raises(InvalidParameterError) as info:
        await client.fine_tunes.create(training_file="file-x", suffix=suffix)
    assert info.value.param == "suffix"
    assert server.requests == []


async def test_forty_character_suffix_is_fine(client: AsyncClient, training_file: str) -> None:
    """Exactly 40 characters is allowed."""
    job = await client.fine_tunes.create(training_file=training_file, suffix="x" * 40)
    assert job.status == "pending"


async def test_bad_ids_are_refused(client: AsyncClient, server: LocalServer) -> None:
    """An empty id or training file is refused before sending."""
    with pytest.raises(InvalidParameterError, match="fine_tune_id"):
        await client.fine_tunes.list_events("", stream=True)
    with pytest.raises(InvalidParameterError, match="training_file"):
        await client.fine_tunes.create(training_file="")
    assert server.requests == []


async def test_files_must_have_been_uploaded(client: AsyncClient, training_file: str) -> None:
    """A training or validation file id the server does not hold is a 404 naming it."""
    with pytest.raises(NotFoundError) as info:
        await client.fine_tunes.create(training_file="file-never-uploaded")
    assert info.value.param == "training_file"
    assert "file-never-uploaded" in str(info.value)
    with pytest.raises(NotFoundError) as info:
        await client.fine_tunes.create(training_file=training_file, validation_file="file-gone")
    assert info.value.param == "validation_file"
    assert len(await client.fine_tunes.list()) == 2  # the seed's two jobs: nothing was created


async def test_fine_tuning_workflow_end_to_end(
    client: AsyncClient, server: LocalServer, tmp_path: Path
) -> None:
    """Upload JSONL, fine-tune, follow to [DONE], retrieve, complete with the model, delete it."""
    path = tmp_path / "otters.jsonl"
    path.write_text(TRAINING)
    upload = await client.files.create(file=path, purpose="fine-tune")
    job = await client.fine_tunes.create(training_file=upload.id, model="curie", suffix="otters")
    assert [(f.id, f.filename) for f in job.training_files] == [(upload.id, "otters.jsonl")]

    # A stream that ended without [DONE] would raise StreamTruncatedError here.
    async with await client.fine_tunes.list_events(job.id, stream=True) as events:
        messages = [event.message async for event in events]
    assert messages[-1] == "Fine-tune succeeded"

    done = await client.fine_tunes.retrieve(job.id)
    assert done.status == "succeeded"
    model = done.fine_tuned_model
    assert model is not None
    assert model.startswith("curie:ft-")
    assert "otters" in model
    assert f"Uploaded model: {model}" in messages
    assert (await client.models.retrieve(model)).parent == "curie"
    (results,) = done.result_files
    assert (await client.files.content(results.id)).startswith(b"step,elapsed_tokens")

    completion = await client.completions.create(model=model, prompt="otter ->", max_tokens=4)
    assert completion.model == model
    assert server.requests[-1].json()["model"] == model

    assert (await client.models.delete(model)).deleted
    with pytest.raises(NotFoundError):
        await client.models.retrieve(model)
