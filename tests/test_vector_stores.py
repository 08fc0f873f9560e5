"""/vector_stores over loopback: stores, their files and batches, pages, and search."""

from __future__ import annotations

import io
from typing import Any

import httpx
import pytest

from openai_async import (
    AsyncClient,
    AsyncOpenAI,
    BadRequestError,
    InvalidParameterError,
    NotFoundError,
)
from openai_async.testing import LocalServer, ServerRequest
from openai_async.types import (
    VectorStore,
    VectorStoreFile,
    VectorStoreFileBatch,
    VectorStoreSearchPage,
    VectorStoreSearchResponse,
)

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.latest_spec("/vector_stores is not in the 2023 spec"),
]

REFUNDS = b"Our refund policy: returns are accepted within 30 days of delivery."
SHIPPING = b"Shipping is free for orders over 50 dollars and takes five days."
WARRANTY = b"The warranty covers defects for two years; returns for defects are free."


def _processing(server: LocalServer, seconds: float) -> None:
    root = server.url.removesuffix("/v1")
    httpx.post(f"{root}/_control/vector_stores", json={"processing_seconds": seconds})


async def _upload(client: AsyncClient, name: str, content: bytes) -> str:
    uploaded = await client.files.create(file=(name, content, "text/plain"), purpose="assistants")
    return uploaded.id


async def test_store_life_cycle(client: AsyncClient, server: LocalServer) -> None:
    """create, retrieve, update (None clears), delete: each answers a typed object."""
    store = await client.vector_stores.create(
        name="support",
        description="FAQ",
        expires_after={"anchor": "last_active_at", "days": 7},
        metadata={"team": "cx"},
    )
    assert isinstance(store, VectorStore)
    assert (store.name, store.status, store.metadata) == ("support", "completed", {"team": "cx"})
    assert store.expires_after is not None
    assert store.expires_after.days == 7
    assert store.expires_at == store.last_active_at + 7 * 86_400  # type: ignore[operator]
    assert await client.vector_stores.retrieve(store.id) == store

    updated = await client.vector_stores.update(store.id, name="help", expires_after=None)
    assert server.requests[-1].json() == {"name": "help", "expires_after": None}
    assert (updated.name, updated.expires_after, updated.expires_at) == ("help", None, None)
    assert updated.metadata == {"team": "cx"}  # left out: kept

    deleted = await client.vector_stores.delete(store.id)
    assert (deleted.id, deleted.deleted, deleted.object) == (store.id, True, "vector_store.deleted")
    with pytest.raises(NotFoundError) as caught:
        await client.vector_stores.retrieve(store.id)
    assert caught.value.param == "vector_store_id"


async def test_list_pages_by_cursor(client: AsyncClient, server: LocalServer) -> None:
    """Awaiting list() gives one page; async for follows has_more with after=<last id>."""
    ids = [(await client.vector_stores.create(name=f"s{i}")).id for i in range(5)]
    page = await client.vector_stores.list(limit=2)
    assert [s.id for s in page] == ids[::-1][:2]  # newest first
    assert page.extra["has_more"] is True
    server.reset()
    ids_again = [(await client.vector_stores.create(name=f"s{i}")).id for i in range(5)]
    walked = [s.id async for s in client.vector_stores.list(limit=2, order="asc")]
    assert walked == ids_again
    queries = [r.query for r in server.requests if r.method == "GET"]
    assert queries == [
        {"limit": "2", "order": "asc"},
        {"limit": "2", "order": "asc", "after": ids_again[1]},
        {"limit": "2", "order": "asc", "after": ids_again[3]},
    ]
    before = await client.vector_stores.list(before=ids_again[3], order="asc", limit=2)
    assert [s.id for s in before] == ids_again[1:3]


async def test_files_in_a_store(client: AsyncClient, server: LocalServer) -> None:
    """files: create, retrieve, update attributes, list with a filter, content, delete."""
    store = await client.vector_stores.create(name="docs")
    refunds = await _upload(client, "refunds.txt", REFUNDS)
    binary = await _upload(client, "image.bin", b"\xff\xfe\x00\x80")
    added = await client.vector_stores.files.create(
        store.id,
        file_id=refunds,
        attributes={"topic": "refunds", "year": 2024},
        chunking_strategy={
            "type": "static",
            "static": {"max_chunk_size_tokens": 100, "chunk_overlap_tokens": 20},
        },
    )
    assert isinstance(added, VectorStoreFile)
    assert (added.id, added.vector_store_id, added.status) == (refunds, store.id, "completed")
    assert added.usage_bytes == len(REFUNDS)
    assert added.attributes == {"topic": "refunds", "year": 2024}
    assert added.chunking_strategy is not None
    assert added.chunking_strategy["static"]["max_chunk_size_tokens"] == 100
    failed = await client.vector_stores.files.create(store.id, file_id=binary)
    assert failed.status == "failed"
    assert failed.last_error is not None
    assert failed.last_error.code == "unsupported_file"

    found = await client.vector_stores.files.retrieve(refunds, vector_store_id=store.id)
    assert found == added
    changed = await client.vector_stores.files.update(
        refunds, vector_store_id=store.id, attributes={"topic": "returns"}
    )
    assert changed.attributes == {"topic": "returns"}
    completed = await client.vector_stores.files.list(store.id, filter="completed")
    assert [f.id for f in completed] == [refunds]
    assert server.requests[-1].query == {"filter": "completed"}
    assert {f.id async for f in client.vector_stores.files.list(store.id, limit=1)} == {
        refunds,
        binary,
    }
    content = await client.vector_stores.files.content(refunds, vector_store_id=store.id)
    assert [c.text for c in content] == [REFUNDS.decode()]
    counts = (await client.vector_stores.retrieve(store.id)).file_counts
    assert (counts.completed, counts.failed, counts.total) == (1, 1, 2)

    deleted = await client.vector_stores.files.delete(binary, vector_store_id=store.id)
    assert (deleted.id, deleted.deleted) == (binary, True)
    assert [f.id for f in await client.vector_stores.files.list(store.id)] == [refunds]


async def test_search_scores_the_files_text(client: AsyncClient, server: LocalServer) -> None:
    """search ranks files by the share of query words they hold; filters use attributes."""
    ids = {
        name: await _upload(client, name, content)
        for name, content in (
            ("refunds.txt", REFUNDS),
            ("shipping.txt", SHIPPING),
            ("warranty.txt", WARRANTY),
        )
    }
    store = await client.vector_stores.create(name="faq")
    for name, kind in (("refunds.txt", "policy"), ("shipping.txt", "logistics")):
        await client.vector_stores.files.create(
            store.id, file_id=ids[name], attributes={"kind": kind}
        )
    await client.vector_stores.files.create(
        store.id, file_id=ids["warranty.txt"], attributes={"kind": "policy", "years": 2}
    )

    page = await client.vector_stores.search(store.id, query="Are returns free?")
    assert isinstance(page, VectorStoreSearchPage)
    assert page.search_query == ["Are returns free?"]
    assert [(r.filename, r.score) for r in page] == [
        ("warranty.txt", 1.0),  # are, returns, free
        ("refunds.txt", pytest.approx(2 / 3)),  # returns, are
        ("shipping.txt", pytest.approx(1 / 3)),  # free
    ]
    assert page.data[0].content[0].text == WARRANTY.decode()
    assert page.data[0].attributes == {"kind": "policy", "years": 2}

    top = await client.vector_stores.search(store.id, query="free", max_num_results=1)
    assert len(top) == 1


async def test_file_batches(client: AsyncClient, server: LocalServer) -> None:
    """file_batches: create, retrieve, list_files; cancel while processing; polls wait."""
    store = await client.vector_stores.create(name="batches")
    first = [await _upload(client, f"{i}.txt", REFUNDS) for i in range(3)]
    batch = await client.vector_stores.file_batches.create(
        store.id, file_ids=first, attributes={"source": "faq"}
    )
    assert isinstance(batch, VectorStoreFileBatch)
    assert (batch.status, batch.file_counts.completed, batch.file_counts.total) == (
        "completed",
        3,
        3,
    )
    assert await client.vector_stores.file_batches.retrieve(batch.id, vector_store_id=store.id)
    listed = client.vector_stores.file_batches.list_files(
        batch.id, vector_store_id=store.id, limit=2, order="asc"
    )
    assert [f.id async for f in listed] == first
    assert {f.attributes["source"] for f in await listed if f.attributes} == {"faq"}

    _processing(server, 30)
    slow = await _upload(client, "slow.txt", SHIPPING)
    pending = await client.vector_stores.file_batches.create(
        store.id, files=[{"file_id": slow, "attributes": {"n": 1}}]
    )
    assert pending.status == "in_progress"
    assert (await client.vector_stores.retrieve(store.id)).status == "in_progress"
    cancelled = await client.vector_stores.file_batches.cancel(pending.id, vector_store_id=store.id)
    assert (cancelled.status, cancelled.file_counts.cancelled) == ("cancelled", 1)
    with pytest.raises(BadRequestError):
        await client.vector_stores.file_batches.cancel(pending.id, vector_store_id=store.id)

    _processing(server, 0.2)
    later = await _upload(client, "later.txt", WARRANTY)
    polled = await client.vector_stores.file_batches.create_and_poll(
        store.id, file_ids=[later], poll_interval_ms=50
    )
    assert polled.status == "completed"
    retrieves = [r for r in server.requests if r.method == "GET" and "file_batches" in r.path]
    assert len(retrieves) >= 3  # it looked while the file was processed


async def test_upload_helpers(client: AsyncClient, server: LocalServer) -> None:
    """upload_and_poll uploads (purpose assistants), adds and waits, for one or many files."""
    _processing(server, 0.1)
    store = await client.vector_stores.create(name="uploads")
    one = await client.vector_stores.files.upload_and_poll(
        vector_store_id=store.id, file=("one.txt", REFUNDS), poll_interval_ms=20
    )
    assert one.status == "completed"
    batch = await client.vector_stores.file_batches.upload_and_poll(
        store.id,
        files=[(f"{i}.txt", SHIPPING) for i in range(4)],
        max_concurrency=2,
        file_ids=[one.id],
        poll_interval_ms=20,
    )
    assert (batch.status, batch.file_counts.completed) == ("completed", 5)
    uploads = [r for r in server.requests if r.method == "POST" and r.path == "/v1/files"]
    assert len(uploads) == 5
    assert all(b'name="purpose"\r\n\r\nassistants' in r.body for r in uploads)
    started = await client.vector_stores.files.upload(
        vector_store_id=store.id, file=("two.txt", WARRANTY)
    )
    assert started.status == "in_progress"


def _compound_search(request: ServerRequest) -> bool:
    filters = request.json().get("filters") if request.path.endswith("/search") else None
    return isinstance(filters, dict) and filters.get("type") in ("and", "or")


@pytest.mark.off_spec(
    "the checker cannot follow CompoundFilter's $recursiveRef, so no compound filter passes",
    where=_compound_search,
)
async def test_search_with_a_compound_filter(client: AsyncClient, server: LocalServer) -> None:
    """A compound filter, a score threshold and a list of queries narrow the results."""
    store = await client.vector_stores.create(name="faq")
    for name, content, attributes in (
        ("refunds.txt", REFUNDS, {"kind": "policy", "years": 9}),
        ("shipping.txt", SHIPPING, {"kind": "logistics"}),
        ("warranty.txt", WARRANTY, {"kind": "policy", "years": 2}),
    ):
        file_id = await _upload(client, name, content)
        await client.vector_stores.files.create(store.id, file_id=file_id, attributes=attributes)
    results = [
        r
        async for r in client.vector_stores.search(
            store.id,
            query=["returns", "free"],
            filters={
                "type": "and",
                "filters": [
                    {"type": "eq", "key": "kind", "value": "policy"},
                    {"type": "lt", "key": "years", "value": 5},
                ],
            },
            max_num_results=5,
            ranking_options={"ranker": "auto", "score_threshold": 0.5},
            rewrite_query=True,
        )
    ]
    assert server.requests[-1].json()["query"] == ["returns", "free"]
    assert [(r.filename, r.score) for r in results] == [("warranty.txt", 1.0)]
    assert all(isinstance(r, VectorStoreSearchResponse) for r in results)
    unfiltered = await client.vector_stores.search(store.id, query=["returns", "free"])
    assert [r.filename for r in unfiltered] == ["warranty.txt", "refunds.txt", "shipping.txt"]


@pytest.mark.parametrize(
    ("call", "param"),
    [
        (lambda c: c.vector_stores.retrieve(""), "vector_store_id"),
        (lambda c: c.vector_stores.list(limit=0), "limit"),
        (lambda c: c.vector_stores.list(limit=101), "limit"),
        (lambda c: c.vector_stores.list(order="up"), "order"),
        (lambda c: c.vector_stores.list(after=""), "after"),
        (lambda c: c.vector_stores.create(file_ids="file-1"), "file_ids"),
        (lambda c: c.vector_stores.create(file_ids=["f"] * 501), "file_ids"),
        (lambda c: c.vector_stores.create(metadata=["a"]), "metadata"),
        (lambda c: c.vector_stores.update("vs", expires_after=7), "expires_after"),
        (lambda c: c.vector_stores.search("vs", query=[]), "query"),
        (lambda c: c.vector_stores.search("vs", query=b"x"), "query"),
        (lambda c: c.vector_stores.search("vs", query="x", max_num_results=51), "max_num_results"),
        (lambda c: c.vector_stores.search("vs", query="x", filters="kind=a"), "filters"),
        (lambda c: c.vector_stores.files.list("vs", filter="done"), "filter"),
        (lambda c: c.vector_stores.files.create("vs", file_id=""), "file_id"),
        (
            lambda c: c.vector_stores.files.create(
                "vs", file_id="f", attributes={str(i): i for i in range(17)}
            ),
            "attributes",
        ),
        (lambda c: c.vector_stores.files.retrieve("f", vector_store_id=""), "vector_store_id"),
        (
            lambda c: c.vector_stores.files.poll("f", vector_store_id="vs", poll_interval_ms=0),
            "poll_interval_ms",
        ),
        (lambda c: c.vector_stores.file_batches.create("vs"), "file_ids"),
        (
            lambda c: c.vector_stores.file_batches.create(
                "vs", file_ids=["a"], files=[{"file_id": "a"}]
            ),
            "file_ids",
        ),
        (lambda c: c.vector_stores.file_batches.create("vs", files=[{"id": "a"}]), "files"),
        (lambda c: c.vector_stores.file_batches.cancel("", vector_store_id="vs"), "batch_id"),
        (
            lambda c: c.vector_stores.file_batches.upload_and_poll(
                "vs", files=[], max_concurrency=0
            ),
            "max_concurrency",
        ),
    ],
)
async def test_bad_arguments_are_refused_before_sending(
    client: AsyncClient, server: LocalServer, call: Any, param: str
) -> None:
    """Each bad argument raises InvalidParameterError naming it; nothing is sent."""

    async def attempt() -> None:
        result = call(client)  # list() and search() check before they are awaited
        if hasattr(result, "__await__"):
            await result

    with pytest.raises(InvalidParameterError) as caught:
        await attempt()
    assert caught.value.param == param
    assert server.requests == []


async def test_server_errors_are_typed(client: AsyncClient) -> None:
    """Unknown stores, files and batches are NotFoundError naming the id."""
    store = await client.vector_stores.create(name="errors")
    with pytest.raises(NotFoundError) as caught:
        await client.vector_stores.files.create(store.id, file_id="file-missing")
    assert caught.value.param == "file_id"
    with pytest.raises(NotFoundError):
        await client.vector_stores.file_batches.retrieve("vsfb_1", vector_store_id=store.id)
    with pytest.raises(NotFoundError):
        await client.vector_stores.search("vs_missing", query="x")


async def test_program_written_for_the_sdk(server: LocalServer) -> None:
    """A vector store search as written for the SDK runs unchanged but for the import."""
    faq = io.BytesIO(REFUNDS + b"\n" + SHIPPING)
    faq.name = "faq.txt"

    # From here on, as written for ``from openai import AsyncOpenAI``.
    client = AsyncOpenAI(base_url=server.url, api_key="sk-local")
    vector_store = await client.vector_stores.create(name="Support FAQ")
    await client.vector_stores.files.upload_and_poll(vector_store_id=vector_store.id, file=faq)
    results = await client.vector_stores.search(
        vector_store_id=vector_store.id, query="How long does shipping take?", max_num_results=3
    )
    answers = [(result.filename, result.score) for result in results.data]
    async for result in client.vector_stores.search(
        vector_store_id=vector_store.id, query="refund policy"
    ):
        answers.append((result.filename, result.score))
    await client.vector_stores.delete(vector_store.id)
    await client.close()

    assert [name for name, _ in answers] == ["faq.txt", "faq.txt"]
    assert all(0 < score <= 1 for _, score in answers)


async def test_raw_and_streaming_responses(client: AsyncClient) -> None:
    """with_raw_response and with_streaming_response reach search and the nested namespaces."""
    store = await client.vector_stores.create(name="raw")
    file_id = await _upload(client, "refunds.txt", REFUNDS)
    raw_file = await client.vector_stores.with_raw_response.files.create(store.id, file_id=file_id)
    assert raw_file.status_code == 200
    assert raw_file.parse().id == file_id
    raw = await client.vector_stores.with_raw_response.search(store.id, query="refund")
    assert raw.headers["x-request-id"]
    assert [r.filename for r in raw.parse()] == ["refunds.txt"]
    search = client.vector_stores.with_streaming_response.search
    async with search(store.id, query="refund") as response:
        page = await response.parse()
    assert isinstance(page, VectorStoreSearchPage)
    assert page.data[0].file_id == file_id
