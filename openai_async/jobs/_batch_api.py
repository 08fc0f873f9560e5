"""The provider's Batch API as a job's backend: the same results, records and checkpoint.

The items are sharded into input files of at most ``batch_size`` lines (50,000, the
service's maximum) and 200 MB, one endpoint and model per file, each line's
``custom_id`` the item's id. Each file is uploaded (``purpose="batch"``), its batch
created, and the batch recorded in the checkpoint *before* any waiting, so a job
killed while polling finds its batches again on restart and never creates a second
batch for the same items. A batch's line can only be written once the service has
answered: a job killed before that (or whose connection broke as the answer came)
would ask for the same items again. So each batch gets a random tag in its
``metadata``, recorded before it is asked for; a restart that finds a tag without
its batch looks for that tag among the batches created since, and adopts the batch.

Batches are polled with capped exponential backoff; their output and error files
become the items' results, in the same ``BatchResult`` and checkpoint lines a live
run writes. Items a batch did not run (expired, failed, cancelled) are rerun as
``batch_rerun`` says: live (the default), in a new batch, or not at all (they end as
errors).
"""

from __future__ import annotations

import json
import logging
import secrets
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final

import anyio
import httpx

from .._exceptions import APIError, APIStatusError, status_error
from .._taskgroup import task_group

if TYPE_CHECKING:
    from .._client import AsyncClient
    from ._checkpoint import Checkpoint
    from ._run import _Item

__all__ = ["BatchAPIBackend", "shard"]

logger = logging.getLogger("openai_async.batch")

MAX_LINES: Final = 50_000
MAX_BYTES: Final = 200 * 1024 * 1024
FINAL: Final = frozenset({"completed", "failed", "expired", "cancelled"})
TAG_KEY: Final = "openai_async_tag"  # the metadata key of a batch's tag
# How much earlier than its tag's line a batch may say it was created (clocks differ).
CLOCK_SKEW: Final = 600.0

# What the run does with a finished item: its JSON answer or its error.
Emit = Callable[["_Item", object, BaseException | None], Awaitable[None]]


def input_line(item: _Item) -> bytes:
    """The item as a line of a Batch API input file."""
    request = item.request
    line = {
        "custom_id": item.id,
        "method": request.method,
        "url": "/v1/" + request.path.strip("/"),
        "body": dict(request.body or {}),
    }
    return json.dumps(line, separators=(",", ":")).encode() + b"\n"


def shard(
    items: Iterable[_Item], max_lines: int = MAX_LINES, max_bytes: int = MAX_BYTES
) -> list[list[tuple[_Item, bytes]]]:
    """Items grouped by endpoint and model, in files of at most ``max_lines``/``max_bytes``."""
    groups: dict[tuple[str, object], list[tuple[_Item, bytes]]] = defaultdict(list)
    for item in items:
        model = (item.request.body or {}).get("model")
        groups[(item.request.path.strip("/"), model)].append((item, input_line(item)))
    files: list[list[tuple[_Item, bytes]]] = []
    for lines in groups.values():
        current: list[tuple[_Item, bytes]] = []
        size = 0
        for item, line in lines:
            if current and (len(current) >= max_lines or size + len(line) > max_bytes):
                files.append(current)
                current, size = [], 0
            current.append((item, line))
            size += len(line)
        if current:
            files.append(current)
    return files


class BatchExpiredError(APIError):
    """The Batch API did not run this item (its batch expired, failed or was cancelled)."""

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


def _error_of(record: Mapping[str, Any], method: str, url: str) -> BaseException:
    response = record.get("response")
    if isinstance(response, Mapping) and isinstance(response.get("status_code"), int):
        body = response.get("body")
        http = httpx.Response(
            response["status_code"], json=body, request=httpx.Request(method, url)
        )
        return status_error(http, body)
    error = record.get("error")
    error = error if isinstance(error, Mapping) else {}
    return BatchExpiredError(
        str(error.get("message", "not run by the batch")), code=error.get("code")
    )


class BatchAPIBackend:
    """Runs items through ``/v1/batches``; see the module docstring."""

    def __init__(
        self,
        client: AsyncClient,
        checkpoint: Checkpoint | None,
        *,
        batch_size: int = MAX_LINES,
        poll_interval: float = 1.0,
        max_poll_interval: float = 60.0,
    ) -> None:
        self._client = client
        self._checkpoint = checkpoint
        self._batch_size = batch_size
        self._poll = poll_interval
        self._max_poll = max_poll_interval
        self.created = 0

    async def run(self, items: list[_Item], emit: Emit) -> list[_Item]:
        """Run ``items`` in batches (resuming recorded ones); the items no batch ran."""
        by_id = {item.id: item for item in items}
        jobs: list[tuple[str, list[_Item]]] = []
        if self._checkpoint is not None:
            for batch_id, ids in self._checkpoint.batches.items():
                mine = [by_id.pop(i) for i in ids if i in by_id]
                if mine:
                    jobs.append((batch_id, mine))
            for batch_id, ids in await self._unrecorded(by_id):
                mine = [by_id.pop(i) for i in ids if i in by_id]
                if mine:
                    jobs.append((batch_id, mine))
        for lines in shard(by_id.values(), self._batch_size):
            jobs.append((await self._create(lines), [item for item, _ in lines]))
        missing: list[_Item] = []
        async with task_group() as group:
            for batch_id, batch_items in jobs:
                group.start_soon(self._follow, batch_id, batch_items, emit, missing)
        return missing

    async def _unrecorded(self, by_id: Mapping[str, _Item]) -> list[tuple[str, list[str]]]:
        """Batches an earlier run asked for and did not record: (batch id, item ids).

        Looked for among the batches created since the first such tag was written,
        newest first; a tag not found was never created (its items run again). A
        server that cannot list batches finds none (logged).
        """
        assert self._checkpoint is not None
        asked = {
            tag: (ids, at)
            for tag, (ids, at) in self._checkpoint.asked.items()
            if any(i in by_id for i in ids)
        }
        if not asked:
            return []
        since = min(at for _, at in asked.values()) - CLOCK_SKEW
        found: list[tuple[str, list[str]]] = []
        try:
            async for batch in self._client.batches.list(limit=100):
                if batch.created_at < since:
                    break
                tag = (batch.metadata or {}).get(TAG_KEY)
                if tag in asked:
                    ids = asked.pop(tag)[0]
                    self._checkpoint.append_batch(batch.id, ids, tag)
                    found.append((batch.id, ids))
                    if not asked:
                        break
        except APIStatusError as exc:
            if exc.status_code not in (404, 405, 501):
                raise
            logger.warning(
                "Cannot list batches (%s): %d batch(es) an earlier run asked for are asked"
                " for again, and may run twice",
                exc.status_code,
                len(asked),
            )
        return found

    async def _create(self, lines: list[tuple[_Item, bytes]]) -> str:
        client = self._client
        ids = [item.id for item, _ in lines]
        tag = secrets.token_hex(16)
        if self._checkpoint is not None:
            # Before asking: a restart finds the batch by its tag if its line is missing.
            self._checkpoint.ask_batch(tag, ids)
        content = b"".join(line for _, line in lines)
        upload = await client.files.create(file=("batch.jsonl", content), purpose="batch")
        endpoint = "/v1/" + lines[0][0].request.path.strip("/")
        batch = await client.batches.create(
            input_file_id=upload.id,
            endpoint=endpoint,  # type: ignore[arg-type]  # checked by the service
            completion_window="24h",
            metadata={TAG_KEY: tag},
        )
        self.created += 1
        if self._checkpoint is not None:
            # Before any waiting: a job killed while polling finds this batch again.
            self._checkpoint.append_batch(batch.id, ids, tag)
        return batch.id

    async def _follow(
        self, batch_id: str, items: list[_Item], emit: Emit, missing: list[_Item]
    ) -> None:
        wait = self._poll
        while True:
            batch = await self._client.batches.retrieve(batch_id)
            if batch.status in FINAL:
                break
            await anyio.sleep(wait)
            wait = min(wait * 2, self._max_poll)
        by_id = {item.id: item for item in items}
        for file_id in (batch.output_file_id, batch.error_file_id):
            if file_id is None:
                continue
            content = await self._client.files.content(file_id)
            for raw in bytes(content).splitlines():
                if not raw.strip():
                    continue
                record = json.loads(raw)
                item = by_id.get(str(record.get("custom_id")))
                if item is None:
                    continue
                response = record.get("response")
                status = response.get("status_code") if isinstance(response, Mapping) else None
                url = "/v1/" + item.request.path.strip("/")
                if isinstance(status, int) and 200 <= status < 300 and not record.get("error"):
                    assert isinstance(response, Mapping)
                    del by_id[item.id]
                    await emit(item, response.get("body"), None)
                elif isinstance(status, int):
                    del by_id[item.id]
                    await emit(item, None, _error_of(record, item.request.method, url))
        missing.extend(by_id.values())  # not run: expired, failed or cancelled
