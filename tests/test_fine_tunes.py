"""client.fine_tunes over loopback: the six operations and the event stream."""

from __future__ import annotations

import anyio
import pytest

from openai_async import AsyncClient, BadRequestError, InvalidParameterError, NotFoundError
from openai_async.testing import LocalServer
from openai_async.types import FineTune

pytestmark = pytest.mark.anyio

DONE_ID = "ft-AF1WoRqd3aJAHsqc9NY7iL8F"


async def test_create_sends_parameters_and_returns_pending_job(
    client: AsyncClient, server: LocalServer
) -> None:
    """create posts every given parameter and returns the pending job."""
    job = await client.fine_tunes.create(
        training_file="file-abc",
        validation_file="file-val",
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
    assert [f.id for f in job.training_files] == ["file-abc"]
    assert [f.id for f in job.validation_files] == ["file-val"]
    assert server.requests[-1].json()["classification_betas"] == [0.5, 1.0]
    assert server.requests[-1].json()["suffix"] == "my-model"


async def test_list_and_retrieve(client: AsyncClient) -> None:
    """list shows every job; retrieve gives one with its events."""
    created = await client.fine_tunes.create(training_file="file-x")
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


async def test_cancel(client: AsyncClient) -> None:
    """cancel stops a pending job; a finished job cannot be cancelled."""
    job = await client.fine_tunes.create(training_file="file-x")
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


async def test_follow_events_until_done(client: AsyncClient, server: LocalServer) -> None:
    """list_events(stream=True) streams the job's events as it runs, until [DONE]."""
    job = await client.fine_tunes.create(training_file="file-x", n_epochs=2, suffix="otter")
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


async def test_cancel_while_following(client: AsyncClient, server: LocalServer) -> None:
    """A job cancelled while its events stream ends the stream with the cancel event."""
    job = await client.fine_tunes.create(training_file="file-x")
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


async def test_forty_character_suffix_is_fine(client: AsyncClient) -> None:
    """Exactly 40 characters is allowed."""
    job = await client.fine_tunes.create(training_file="file-x", suffix="x" * 40)
    assert job.status == "pending"


async def test_bad_ids_are_refused(client: AsyncClient, server: LocalServer) -> None:
    """An empty id or training file is refused before sending."""
    with pytest.raises(InvalidParameterError, match="fine_tune_id"):
        await client.fine_tunes.list_events("", stream=True)
    with pytest.raises(InvalidParameterError, match="training_file"):
        await client.fine_tunes.create(training_file="")
    assert server.requests == []
