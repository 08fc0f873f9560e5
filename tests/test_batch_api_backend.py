"""backend="batch_api": the provider's Batch API runs the items, results as a live run's."""

from __future__ import annotations

import json
from pathlib import Path

import anyio
import pytest

from openai_async import AsyncClient, BatchRequest, InvalidParameterError
from openai_async.testing import LocalServer

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.latest_spec("the Batch API's endpoints and files purpose batch are newer"),
]


def _items(n: int) -> list[BatchRequest]:
    return [
        BatchRequest.embedding(id=f"e{i}", model="text-embedding-3-small", input=f"text {i}")
        for i in range(n)
    ]


async def _batches_created(client: AsyncClient) -> int:
    return len([batch async for batch in client.batches.list(limit=100)])


def _lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


async def test_items_run_in_sharded_batches_with_the_same_results(
    server: LocalServer, tmp_path: Path
) -> None:
    """1,200 items in batches of 500: three batches, every result once, checkpointed."""
    checkpoint = tmp_path / "run.jsonl"
    async with AsyncClient(base_url=server.url, api_key="") as client:
        async with client.batch(
            _items(1200),
            backend="batch_api",
            batch_size=500,
            poll_interval=0.01,
            checkpoint=checkpoint,
        ) as job:
            results = [result async for result in job]
        assert await _batches_created(client) == 3
    assert sorted(r.id for r in results) == sorted(f"e{i}" for i in range(1200))
    assert all(r.ok for r in results)
    assert results[0].response.data[0].embedding  # the endpoint's model, as live
    lines = _lines(checkpoint)
    assert sum("batch" in line for line in lines) == 3
    assert sorted(line["id"] for line in lines if "id" in line) == sorted(r.id for r in results)
    assert job.summary.succeeded == 1200


async def test_a_restart_polls_the_batches_it_created_and_creates_none(
    server: LocalServer, tmp_path: Path
) -> None:
    """Stopped while polling, the same job resumes its batches: no second batch."""
    server.configure_batches(delay=0.5)
    checkpoint = tmp_path / "run.jsonl"
    options = {"backend": "batch_api", "batch_size": 100, "poll_interval": 0.05}
    async with AsyncClient(base_url=server.url, api_key="") as client:
        with anyio.move_on_after(0.3):  # the batches validate for 0.5 s: stopped mid-poll
            async with client.batch(_items(300), checkpoint=checkpoint, **options) as job:
                [result async for result in job]
        assert await _batches_created(client) == 3
        assert sum("batch" in line for line in _lines(checkpoint)) == 3
        async with client.batch(_items(300), checkpoint=checkpoint, **options) as job:
            results = [result async for result in job]
        assert await _batches_created(client) == 3
    assert len(results) == 300
    assert all(r.ok for r in results)


@pytest.mark.parametrize(("rerun", "ok"), [("live", True), ("none", False)])
async def test_items_an_expired_batch_did_not_run_are_rerun_as_asked(
    server: LocalServer, tmp_path: Path, rerun: str, ok: bool
) -> None:
    """An expired batch's unrun items run live, or end as errors with batch_rerun="none"."""
    server.configure_batches(request_delay=0.05, expires_after=0.2)
    client = AsyncClient(base_url=server.url, api_key="")
    options = {"backend": "batch_api", "batch_rerun": rerun, "poll_interval": 0.05}
    async with client, client.batch(_items(20), **options) as job:  # type: ignore[arg-type]
        results = [result async for result in job]
    assert len(results) == 20
    assert any(r.ok for r in results)
    assert all(r.ok for r in results) is ok


async def test_auto_takes_the_batch_api_past_the_deadline(server: LocalServer) -> None:
    """backend="auto": tokens that need longer than the deadline at the limit go in a batch."""
    async with AsyncClient(base_url=server.url, api_key="") as client:
        async with client.batch(
            _items(50), backend="auto", tokens_per_minute=60, deadline=1.0, poll_interval=0.01
        ) as job:
            assert len([r async for r in job]) == 50
        assert await _batches_created(client) == 1
        async with client.batch(
            _items(5), backend="auto", tokens_per_minute=10**6, deadline=60.0
        ) as job:
            assert len([r async for r in job]) == 5
        assert await _batches_created(client) == 1  # a live run this time


def test_bad_backend_options_name_the_option() -> None:
    """backend, batch_rerun and auto's needs are checked before anything runs."""
    client = AsyncClient(api_key="")
    for options, name in (
        ({"backend": "cheap"}, "backend"),
        ({"batch_rerun": "later"}, "batch_rerun"),
        ({"batch_size": 50_001}, "batch_size"),
        ({"backend": "auto"}, "deadline"),
    ):
        with pytest.raises(InvalidParameterError) as info:
            client.batch([], **options)  # type: ignore[arg-type]
        assert info.value.param == name


async def test_a_batch_created_but_not_recorded_is_found_not_made_again(
    server: LocalServer, tmp_path: Path
) -> None:
    """Killed after asking for a batch, before its line: the restart adopts that batch."""
    checkpoint = tmp_path / "run.jsonl"
    options = {"backend": "batch_api", "batch_size": 5, "poll_interval": 0.01}
    async with AsyncClient(base_url=server.url, api_key="") as client:
        async with client.batch(_items(10), checkpoint=checkpoint, **options) as job:
            await job.collect()
        assert await _batches_created(client) == 2
        # What a kill leaves just after the service created both batches: their tags.
        lines = checkpoint.read_text().splitlines(keepends=True)
        checkpoint.write_text("".join(line for line in lines if '"batch_tag"' in line))
        async with client.batch(_items(10), checkpoint=checkpoint, **options) as job:
            results = await job.collect()
        assert await _batches_created(client) == 2  # none made again
    assert [r.id for r in results] == [f"e{i}" for i in range(10)]
    assert all(r.ok for r in results)
    assert sum("batch" in line for line in _lines(checkpoint)) == 2  # recorded this time


async def test_a_tag_whose_batch_was_never_made_runs_its_items_again(
    server: LocalServer, tmp_path: Path
) -> None:
    """Killed before the service got the request: the tag is not found, a batch is made."""
    checkpoint = tmp_path / "run.jsonl"
    ids = [f"e{i}" for i in range(4)]
    checkpoint.write_text(json.dumps({"batch_tag": "0" * 32, "ids": ids, "at": 0}) + "\n")
    options = {"backend": "batch_api", "poll_interval": 0.01}
    async with AsyncClient(base_url=server.url, api_key="") as client:
        async with client.batch(_items(4), checkpoint=checkpoint, **options) as job:
            results = await job.collect()
        assert await _batches_created(client) == 1
    assert all(r.ok for r in results)
    [batch] = [line for line in _lines(checkpoint) if "batch" in line]
    assert batch["tag"] != "0" * 32


async def test_a_server_that_cannot_list_batches_gets_the_items_asked_again(
    server: LocalServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Where GET /batches is missing, a tag cannot be looked for: a warning, a new batch."""
    checkpoint = tmp_path / "run.jsonl"
    checkpoint.write_text(json.dumps({"batch_tag": "1" * 32, "ids": ["e0"], "at": 0}) + "\n")
    server.inject(status=404, path="/batches", method="GET")  # the list: first GET
    options = {"backend": "batch_api", "poll_interval": 0.01}
    async with AsyncClient(base_url=server.url, api_key="", max_retries=0) as client:
        async with client.batch(_items(2), checkpoint=checkpoint, **options) as job:
            results = await job.collect()
        assert await _batches_created(client) == 1
    assert all(r.ok for r in results)
    assert "Cannot list batches (404)" in caplog.text
