"""Batch items keep one Idempotency-Key: across retries, and resent after a kill."""

from __future__ import annotations

import json
import re
import sys
import textwrap
from pathlib import Path

import anyio
import pytest
from hypothesis import given
from hypothesis import strategies as st

from openai_async import AsyncClient, BatchRequest
from openai_async.jobs import Answer, Reservation
from openai_async.jobs._checkpoint import Checkpoint
from openai_async.jobs._keys import item_key, new_salt
from openai_async.testing import LocalServer, ServerRequest, instant_retries

pytestmark = pytest.mark.anyio

KEY = re.compile(
    r"openai-async-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
)


def _items(n: int) -> list[BatchRequest]:
    return [
        BatchRequest.chat(
            id=f"item-{i}",
            model="gpt-3.5-turbo",
            max_tokens=5,
            messages=[{"role": "user", "content": f"question {i}"}],
        )
        for i in range(n)
    ]


def _keys(requests: list[ServerRequest]) -> dict[str, list[str | None]]:
    """Each item's keys, one per request the server got for it, in arrival order."""
    keys: dict[str, list[str | None]] = {}
    for request in requests:
        if request.path.endswith("/chat/completions"):
            item = request.json()["messages"][0]["content"].removeprefix("question ")
            keys.setdefault(f"item-{item}", []).append(request.headers.get("idempotency-key"))
    return keys


def _item_lines(checkpoint: Path) -> list[dict[str, object]]:
    lines = [json.loads(line) for line in checkpoint.read_text().splitlines()]
    return [line for line in lines if "id" in line]


# -- the key itself -------------------------------------------------------------------


@given(
    salt=st.text(min_size=1),
    item_id=st.text(),
    digest=st.none() | st.text(),
    run=st.integers(min_value=0, max_value=10**6),
)
def test_item_key_is_a_function_of_its_inputs_and_shaped_like_a_client_key(
    salt: str, item_id: str, digest: str | None, run: int
) -> None:
    """The same inputs always give the same key, shaped as the retry middleware's."""
    key = item_key(salt, item_id, digest, run)
    assert key == item_key(salt, item_id, digest, run)
    assert KEY.fullmatch(key)


parts = st.tuples(
    st.text(min_size=1, max_size=8),
    st.text(max_size=8),
    st.none() | st.text(max_size=8),
    st.integers(min_value=0, max_value=3),
)


@given(parts, parts)
def test_different_inputs_give_different_keys(
    a: tuple[str, str, str | None, int], b: tuple[str, str, str | None, int]
) -> None:
    """Salt, id, digest and run are all kept apart: ("a", "b") is not ("ab", "")."""
    if a != b:
        assert item_key(*a) != item_key(*b)


@given(st.text(alphabet="0123456789abcdef-", min_size=12))
def test_a_key_shows_nothing_of_the_id(item_id: str) -> None:
    """Even an id made of the key's own characters does not appear in it."""
    key = item_key(new_salt(), item_id, None, 0).removeprefix("openai-async-")
    assert item_id not in key


def test_salts_are_fresh_hex() -> None:
    """Each job draws its own 128-bit salt."""
    salts = {new_salt() for _ in range(1000)}
    assert len(salts) == 1000
    assert all(re.fullmatch("[0-9a-f]{32}", salt) for salt in salts)


# -- the checkpoint keeps the salt ------------------------------------------------------


def test_checkpoint_keeps_its_first_salt(tmp_path: Path) -> None:
    """A salt is written once; on reading, the first valid one counts and others are noise."""
    path = tmp_path / "run.jsonl"
    checkpoint = Checkpoint(path)
    checkpoint.open()
    assert checkpoint.salt is None
    assert checkpoint.keep_salt("s1") == "s1"
    assert checkpoint.keep_salt("s2") == "s1"  # already recorded: not written again
    checkpoint.close()
    assert path.read_text() == '{"idempotency_salt":"s1"}\n'

    path.write_text(
        '{"idempotency_salt": 7}\n{"idempotency_salt": "s3"}\n{"id": "a", "ok": true}\n'
    )
    checkpoint.open()
    checkpoint.close()
    assert checkpoint.salt == "s3"
    path.write_text('{"idempotency_salt": "s4"}\n{"idempotency_salt": "s5"}\n')
    checkpoint.open()
    checkpoint.close()
    assert checkpoint.salt == "s4"


async def test_a_checkpoint_from_before_keys_resumes_and_gets_a_salt(
    client: AsyncClient, server: LocalServer, tmp_path: Path
) -> None:
    """A checkpoint without a salt line still skips its items; the resume adds one, once."""
    path = tmp_path / "run.jsonl"
    async with client.batch(_items(2), checkpoint=path) as job:
        await job.collect()
    old = "".join(line + "\n" for line in path.read_text().splitlines() if "salt" not in line)
    path.write_text(old)  # as the version before keys wrote it
    server.requests.clear()
    async with client.batch(_items(4), checkpoint=path) as job:
        await job.collect()
    assert job.summary.skipped == 2
    assert sorted(_keys(server.requests)) == ["item-2", "item-3"]
    lines = path.read_text().splitlines()
    assert lines[:2] == old.splitlines()
    assert sum("idempotency_salt" in line for line in lines) == 1


# -- over loopback --------------------------------------------------------------------


class _Unlimited:
    """A limiter that lets everything through: a 429 after a 500 teaches no limit here."""

    async def acquire(self, tokens: int) -> Reservation:
        return Reservation(tokens=tokens, at=0.0)

    async def settle(self, reservation: Reservation, answer: Answer) -> None:
        pass


async def test_retries_within_a_run_keep_the_key(server: LocalServer) -> None:
    """500s and 429s retried by the job: every attempt of an item carries its one key."""
    server.inject(status=500, times=4)
    server.inject(status=429, headers={"retry-after-ms": "10"}, times=3)
    async with AsyncClient(base_url=server.url, api_key="", max_retries=8) as client:
        with instant_retries(), anyio.fail_after(20):
            async with client.batch(_items(6), max_concurrency=3, limiter=_Unlimited()) as job:
                results = await job.collect()
    assert all(result.ok for result in results)
    keys = _keys(server.requests)
    assert sum(len(sent) for sent in keys.values()) == 6 + 4 + 3
    assert all(len(set(sent)) == 1 for sent in keys.values())
    firsts = [sent[0] for sent in keys.values()]
    assert all(key is not None and KEY.fullmatch(key) for key in firsts)
    assert len(set(firsts)) == 6


async def test_keys_are_sent_without_retries_and_only_on_post(
    client: AsyncClient, server: LocalServer
) -> None:
    """max_retries=0 still keys a POST (a resend after a crash needs it); a GET gets none."""
    items = [*_items(2), BatchRequest(path="models/whisper-1", method="GET", id="get")]
    async with client.batch(items) as job:
        await job.collect()
    assert all(sent[0] is not None for sent in _keys(server.requests).values())
    [get] = [r for r in server.requests if r.method == "GET"]
    assert "idempotency-key" not in get.headers


async def test_two_jobs_on_the_same_input_share_no_key(
    client: AsyncClient, server: LocalServer, tmp_path: Path
) -> None:
    """Other checkpoints (or none) mean other jobs: the same items get other keys."""
    for checkpoint in (tmp_path / "a.jsonl", tmp_path / "b.jsonl", None):
        async with client.batch(_items(3), checkpoint=checkpoint) as job:
            await job.collect()
    keys = _keys(server.requests)
    assert all(len(sent) == 3 for sent in keys.values())
    assert len({key for sent in keys.values() for key in sent}) == 9


async def test_a_changed_or_failed_item_run_again_gets_a_new_key(
    client: AsyncClient, server: LocalServer, tmp_path: Path
) -> None:
    """retry_failed and a changed request are new requests, not resends: new keys."""
    path = tmp_path / "run.jsonl"
    server.inject(status=400, times=1)  # item-0 fails for good
    async with client.batch(_items(1), checkpoint=path) as job:
        await job.collect()
    server.inject(status=400, times=1)  # and again
    async with client.batch(_items(1), checkpoint=path, retry_failed=True) as job:
        await job.collect()
    async with client.batch(_items(1), checkpoint=path, retry_failed=True) as job:
        [result] = await job.collect()
    assert result.ok
    changed = BatchRequest.chat(
        id="item-0", model="gpt-3.5-turbo", messages=[{"role": "user", "content": "question 0"}]
    )  # no max_tokens: another request under the same id
    async with client.batch([changed], checkpoint=path) as job:
        await job.collect()
    [sent] = _keys(server.requests).values()
    assert len(sent) == 4
    assert len(set(sent)) == 4


async def test_a_cancelled_job_resends_in_flight_items_with_their_keys(tmp_path: Path) -> None:
    """Items cut off in flight by leaving the job go again, after a resume, with their keys."""
    path = tmp_path / "run.jsonl"
    # Its own server: the requests left hanging end with it.
    with LocalServer() as server:
        await _cancel_then_resume(server, path)


async def _cancel_then_resume(server: LocalServer, path: Path) -> None:
    server.inject(times=3)  # the first three go through
    server.inject(delay=30, times=3)  # the next three hang until the job is left
    async with AsyncClient(base_url=server.url, api_key="") as client:
        async with client.batch(_items(8), max_concurrency=3, checkpoint=path) as job:
            async for _ in job:
                if job.summary.succeeded == 3:
                    with anyio.fail_after(10):
                        while len(server.requests) < 6:  # noqa: ASYNC110
                            await anyio.sleep(0.01)
                    break  # cancels the three in flight
        first = _keys(server.requests)
        done = {str(line["id"]) for line in _item_lines(path)}
        server.requests.clear()
        async with client.batch(_items(8), max_concurrency=3, checkpoint=path) as job:
            await job.collect()
    assert job.summary.skipped == 3
    _check_resent(done, first, _keys(server.requests))


def _check_resent(
    done: set[str], first: dict[str, list[str | None]], again: dict[str, list[str | None]]
) -> None:
    """Three items finished, three were cut off in flight: those go again with their keys."""
    in_flight = set(first) - done
    assert len(done) == 3
    assert done < set(first)
    assert len(in_flight) == 3
    assert set(again) == {f"item-{i}" for i in range(8)} - done
    for item in in_flight:
        assert again[item] == first[item], item  # resent with the key of its first send
    keys = [key for sent in first.values() for key in sent]
    keys += [key for item, sent in again.items() if item not in in_flight for key in sent]
    assert None not in keys
    assert len(set(keys)) == len(keys) == 8  # one per item


_WORKER = """
import sys, anyio
from openai_async import AsyncClient, BatchRequest

async def main() -> None:
    items = [
        BatchRequest.chat(
            id=f"item-{i}",
            model="gpt-3.5-turbo",
            max_tokens=5,
            messages=[{"role": "user", "content": f"question {i}"}],
        )
        for i in range(8)
    ]
    async with AsyncClient(base_url=sys.argv[1], api_key="") as client:
        async with client.batch(items, max_concurrency=3, checkpoint=sys.argv[2]) as job:
            async for result in job:
                print(result.id, flush=True)

anyio.run(main, backend=sys.argv[3])
"""


async def test_a_killed_job_resends_in_flight_items_with_their_keys(
    tmp_path: Path, anyio_backend: str
) -> None:
    """kill -9 with three items in flight: the resumed job resends them with the same keys."""
    path = tmp_path / "run.jsonl"
    # Its own server: the killed worker's hanging requests end with it.
    with LocalServer() as server:
        server.inject(times=3)  # the first three go through
        server.inject(delay=30, times=3)  # the next three hang until the kill
        argv = [sys.executable, "-c", textwrap.dedent(_WORKER), server.url, str(path)]
        async with await anyio.open_process([*argv, anyio_backend]) as worker:
            try:
                with anyio.fail_after(30):
                    while len(server.requests) < 6:  # noqa: ASYNC110
                        await anyio.sleep(0.01)
                await anyio.sleep(0.1)  # nothing more is sent: the three hang, holding the slots
                assert len(server.requests) == 6
            finally:
                worker.kill()  # SIGKILL: no cleanup of any kind
                await worker.wait()
            assert worker.stdout is not None
            out = b"".join([chunk async for chunk in worker.stdout]).decode()
        done = {str(line["id"]) for line in _item_lines(path)}
        assert set(out.split()) == done  # handed over, then recorded
        first = _keys(server.requests)
        server.requests.clear()
        client = AsyncClient(base_url=server.url, api_key="")
        async with client, client.batch(_items(8), max_concurrency=3, checkpoint=path) as job:
            await job.collect()
        assert job.summary.skipped == 3
        _check_resent(done, first, _keys(server.requests))
