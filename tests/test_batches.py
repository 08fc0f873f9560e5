"""The Batch API over loopback: files with purpose batch, batches run by the local server."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import anyio
import pytest

from openai_async import (
    AsyncClient,
    BadRequestError,
    ConflictError,
    InvalidParameterError,
    NotFoundError,
)
from openai_async.testing import LocalServer
from openai_async.types import Batch, FileObject

from .openapi import LATEST, assert_request_matches_spec

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.latest_spec("the Batch API and file purpose 'batch' came after 2023"),
]

FINAL = ("completed", "failed", "expired", "cancelled")


def chat_line(custom_id: str, text: str, **body: Any) -> dict[str, Any]:
    return {
        "custom_id": custom_id,
        "method": "POST",
        "url": "/v1/chat/completions",
        "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": text}], **body},
    }


def jsonl(lines: Sequence[object]) -> bytes:
    return b"".join(json.dumps(line).encode() + b"\n" for line in lines)


async def upload(client: AsyncClient, lines: Sequence[object]) -> FileObject:
    return await client.files.create(file=("input.jsonl", jsonl(lines)), purpose="batch")


async def finished(client: AsyncClient, batch: Batch) -> Batch:
    """The batch once it reached a final status (polled as a program would)."""
    with anyio.fail_after(30):
        while batch.status not in FINAL:
            await anyio.sleep(0.01)
            batch = await client.batches.retrieve(batch.id)
    return batch


def records(content: bytes) -> dict[str, dict[str, Any]]:
    """An output or error file's lines, by custom_id."""
    return {r["custom_id"]: r for r in map(json.loads, content.splitlines())}


async def test_batch_runs_and_leaves_output_and_error_files(
    client: AsyncClient, server: LocalServer
) -> None:
    """A batch runs each line through the endpoint: answers in the output, failures in errors."""
    lines = [chat_line("a", "hello"), chat_line("b", "world"), chat_line("bad", "x", n=500)]
    batch_file = await upload(client, lines)
    assert batch_file.purpose == "batch"
    batch = await client.batches.create(
        input_file_id=batch_file.id,
        endpoint="/v1/chat/completions",
        completion_window="24h",
        metadata={"job": "nightly"},
    )
    sent = server.requests[-1]
    assert (sent.method, sent.path) == ("POST", "/v1/batches")
    assert sent.json() == {
        "input_file_id": batch_file.id,
        "endpoint": "/v1/chat/completions",
        "completion_window": "24h",
        "metadata": {"job": "nightly"},
    }
    assert_request_matches_spec(sent, spec=LATEST)
    assert (batch.object, batch.input_file_id, batch.metadata) == (
        "batch",
        batch_file.id,
        {"job": "nightly"},
    )
    assert batch.status == "validating"
    done = await finished(client, batch)
    assert done.status == "completed"
    assert done.request_counts is not None
    assert (done.request_counts.total, done.request_counts.completed) == (3, 2)
    assert done.request_counts.failed == 1
    assert done.model == "gpt-4o-mini"
    assert done.completed_at is not None
    assert done.in_progress_at is not None
    assert done.usage is not None
    assert done.usage.total_tokens > 0
    assert done.output_file_id is not None
    assert done.error_file_id is not None
    output = records(await client.files.content(done.output_file_id))
    assert sorted(output) == ["a", "b"]
    answer = output["a"]["response"]
    assert answer["status_code"] == 200
    assert answer["body"]["choices"][0]["message"]["content"] == "You said: hello"
    errors = records(await client.files.content(done.error_file_id))
    assert errors["bad"]["response"]["status_code"] == 400
    assert errors["bad"]["response"]["body"]["error"]["param"] == "n"
    output_file = await client.files.retrieve(done.output_file_id)
    assert output_file.purpose == "batch_output"


async def test_output_file_streams_and_downloads(
    client: AsyncClient, server: LocalServer, tmp_path: Path
) -> None:
    """The output file comes through with_streaming_response and files.download alike."""
    batch_file = await upload(client, [chat_line(str(i), f"line {i}") for i in range(50)])
    batch = await client.batches.create(
        input_file_id=batch_file.id, endpoint="/v1/chat/completions", completion_window="24h"
    )
    done = await finished(client, batch)
    assert done.output_file_id is not None
    async with client.files.with_streaming_response.content(done.output_file_id) as response:
        streamed = b"".join([chunk async for chunk in response.iter_bytes()])
    written = await client.files.download(done.output_file_id, tmp_path / "out.jsonl")
    assert written == len(streamed)
    assert (tmp_path / "out.jsonl").read_bytes() == streamed
    assert sorted(records(streamed), key=int) == [str(i) for i in range(50)]


async def test_list_pages_newest_first(client: AsyncClient, server: LocalServer) -> None:
    """batches.list gives a page to await and every batch to async for, newest first."""
    batch_file = await upload(client, [chat_line("a", "x")])
    created = [
        await client.batches.create(
            input_file_id=batch_file.id, endpoint="/v1/chat/completions", completion_window="24h"
        )
        for _ in range(3)
    ]
    newest_first = [b.id for b in reversed(created)]
    page = await client.batches.list(limit=2)
    assert [b.id for b in page] == newest_first[:2]
    assert page.extra["has_more"] is True
    assert server.requests[-1].query == {"limit": "2"}
    assert [b.id async for b in client.batches.list(limit=2)] == newest_first
    assert server.requests[-1].query == {"limit": "2", "after": newest_first[1]}
    rest = await client.batches.list(after=newest_first[0])
    assert [b.id for b in rest] == newest_first[1:]
    for request in server.requests:
        assert_request_matches_spec(request, spec=LATEST)


async def test_cancel_keeps_what_finished(client: AsyncClient, server: LocalServer) -> None:
    """A batch cancelled halfway ends cancelled, with the answers done by then in its output."""
    server.configure_batches(request_delay=0.02)
    batch_file = await upload(client, [chat_line(str(i), "x") for i in range(200)])
    batch = await client.batches.create(
        input_file_id=batch_file.id, endpoint="/v1/chat/completions", completion_window="24h"
    )
    with anyio.fail_after(10):
        while batch.request_counts is None or batch.request_counts.completed < 3:
            await anyio.sleep(0.01)
            batch = await client.batches.retrieve(batch.id)
    cancelling = await client.batches.cancel(batch.id)
    assert server.requests[-1].path == f"/v1/batches/{batch.id}/cancel"
    assert_request_matches_spec(server.requests[-1], spec=LATEST)
    assert cancelling.status == "cancelling"
    done = await finished(client, cancelling)
    assert done.status == "cancelled"
    assert done.cancelled_at is not None
    assert done.request_counts is not None
    assert 3 <= done.request_counts.completed < 200
    assert done.output_file_id is not None
    output = records(await client.files.content(done.output_file_id))
    assert len(output) == done.request_counts.completed
    with pytest.raises(ConflictError):
        await client.batches.cancel(batch.id)


async def test_cancel_before_it_runs(client: AsyncClient, server: LocalServer) -> None:
    """A batch cancelled while validating ends cancelled at once, having run nothing."""
    server.configure_batches(delay=30)
    batch_file = await upload(client, [chat_line("a", "x")])
    batch = await client.batches.create(
        input_file_id=batch_file.id, endpoint="/v1/chat/completions", completion_window="24h"
    )
    cancelled = await client.batches.cancel(batch.id)
    assert cancelled.status == "cancelled"
    assert cancelled.output_file_id is None


async def test_expired_batch_lists_the_requests_it_did_not_run(
    client: AsyncClient, server: LocalServer
) -> None:
    """Past its expiry, a batch ends expired; the requests not run are batch_expired errors."""
    server.configure_batches(request_delay=0.02, expires_after=0.3)
    batch_file = await upload(client, [chat_line(str(i), "x") for i in range(100)])
    batch = await client.batches.create(
        input_file_id=batch_file.id, endpoint="/v1/chat/completions", completion_window="24h"
    )
    done = await finished(client, batch)
    assert done.status == "expired"
    assert done.expired_at is not None
    assert done.request_counts is not None
    ran = done.request_counts.completed
    assert 0 < ran < 100
    assert done.output_file_id is not None
    assert done.error_file_id is not None
    errors = records(await client.files.content(done.error_file_id))
    assert len(errors) == 100 - ran
    assert {e["error"]["code"] for e in errors.values()} == {"batch_expired"}
    assert all(e["response"] is None for e in errors.values())


async def test_bad_input_file_fails_validation(client: AsyncClient, server: LocalServer) -> None:
    """Lines that are not requests to the batch's endpoint fail it, with their line numbers."""
    lines: list[object] = [
        chat_line("a", "x"),
        {"custom_id": "b", "method": "POST", "url": "/v1/embeddings", "body": {}},
        chat_line("a", "again"),
        {"method": "POST", "url": "/v1/chat/completions", "body": {}},
    ]
    content = jsonl(lines) + b"not json\n"
    batch_file = await client.files.create(file=("in.jsonl", content), purpose="batch")
    batch = await client.batches.create(
        input_file_id=batch_file.id, endpoint="/v1/chat/completions", completion_window="24h"
    )
    done = await finished(client, batch)
    assert done.status == "failed"
    assert done.failed_at is not None
    assert done.errors is not None
    found = [(e.line, e.code) for e in done.errors.data]
    assert found == [
        (2, "mismatched_endpoint"),
        (3, "duplicate_custom_id"),
        (4, "missing_required_parameter"),
        (5, "invalid_json_line"),
    ]
    assert done.output_file_id is None


async def test_queue_limit(client: AsyncClient, server: LocalServer) -> None:
    """A batch with more requests than the server takes per batch fails validation."""
    server.configure_batches(max_requests=2)
    batch_file = await upload(client, [chat_line(str(i), "x") for i in range(3)])
    batch = await client.batches.create(
        input_file_id=batch_file.id, endpoint="/v1/chat/completions", completion_window="24h"
    )
    done = await finished(client, batch)
    assert done.status == "failed"
    assert done.errors is not None
    assert [e.code for e in done.errors.data] == ["too_many_requests"]


async def test_server_refuses_unknown_files(client: AsyncClient, server: LocalServer) -> None:
    """An unknown input file is a 404; a file uploaded for another purpose, a 400 naming it."""
    with pytest.raises(NotFoundError):
        await client.batches.create(
            input_file_id="file-nope", endpoint="/v1/chat/completions", completion_window="24h"
        )
    other = await client.files.create(file=("a.jsonl", b"{}\n"), purpose="fine-tune")
    with pytest.raises(BadRequestError, match="purpose 'batch'") as info:
        await client.batches.create(
            input_file_id=other.id, endpoint="/v1/chat/completions", completion_window="24h"
        )
    assert info.value.param == "input_file_id"
    with pytest.raises(NotFoundError):
        await client.batches.retrieve("batch-nope")


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"input_file_id": ""}, "input_file_id"),
        ({"endpoint": "v1/chat/completions"}, "endpoint"),
        ({"metadata": {"k": 1}}, "metadata"),
        ({"metadata": {str(i): "v" for i in range(17)}}, "metadata"),
        ({"metadata": {"k": "v" * 513}}, "metadata"),
        ({"output_expires_after": {"anchor": "created_at", "seconds": 60}}, "seconds"),
        ({"output_expires_after": {"anchor": "now", "seconds": 3600}}, "anchor"),
    ],
)
async def test_create_checks_before_sending(
    client: AsyncClient, server: LocalServer, params: dict[str, Any], name: str
) -> None:
    """Bad arguments raise InvalidParameterError naming the parameter; nothing is sent."""
    given: dict[str, Any] = {
        "input_file_id": "file-1",
        "endpoint": "/v1/chat/completions",
        "completion_window": "24h",
        **params,
    }
    with pytest.raises(InvalidParameterError, match=name):
        await client.batches.create(**given)
    with pytest.raises(InvalidParameterError, match="limit"):
        client.batches.list(limit=101)
    assert server.requests == []


async def test_output_expiry_and_file_expiry(client: AsyncClient, server: LocalServer) -> None:
    """output_expires_after dates the output file; files.create takes expires_after too."""
    batch_file = await client.files.create(
        file=("in.jsonl", jsonl([chat_line("a", "x")])),
        purpose="batch",
        expires_after={"anchor": "created_at", "seconds": 7200},
    )
    sent = server.requests[-1]
    assert_request_matches_spec(sent, spec=LATEST)
    assert b'name="expires_after[seconds]"' in sent.body
    assert batch_file.expires_at == batch_file.created_at + 7200
    batch = await client.batches.create(
        input_file_id=batch_file.id,
        endpoint="/v1/chat/completions",
        completion_window="24h",
        output_expires_after={"anchor": "created_at", "seconds": 3600},
    )
    assert_request_matches_spec(server.requests[-1], spec=LATEST)
    done = await finished(client, batch)
    assert done.output_file_id is not None
    output_file = await client.files.retrieve(done.output_file_id)
    assert output_file.expires_at == output_file.created_at + 3600


async def test_files_list_order(client: AsyncClient, server: LocalServer) -> None:
    """files.list(order=...) sends order; desc lists newest first and pages backwards."""
    made = [await upload(client, [chat_line(str(i), "x")]) for i in range(3)]
    ids = [f.id for f in made]
    assert [f.id async for f in client.files.list(order="desc", limit=2)] == ids[::-1]
    assert server.requests[-1].query == {"order": "desc", "limit": "2", "after": ids[1]}
    assert [f.id for f in await client.files.list(order="asc")] == ids
    for request in server.requests:
        assert_request_matches_spec(request, spec=LATEST)
    with pytest.raises(InvalidParameterError, match="order"):
        client.files.list(order="up")  # type: ignore[arg-type]
