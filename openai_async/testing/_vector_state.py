"""What the local server keeps of vector stores, their files and batches, and how it lists them.

Stores and batches live in ``state.data`` (``reset()`` replaces it), beside the uploaded
files they read. A file is processed when added: its text cut into chunks (a token
being a word), ready at once or after ``state.data[PROCESSING]`` seconds.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Any

from ._app import State
from ._bodies import Invalid
from ._fixtures import CREATED
from ._http import ServerRequest, ServerResponse, json_response
from ._vector_search import chunk_words

__all__ = [
    "FILE_STATES",
    "PROCESSING",
    "attach",
    "attributes_of",
    "batch_object",
    "batches",
    "chunk_strategy",
    "count_states",
    "find_file",
    "find_store",
    "list_page",
    "next_serial",
    "settle",
    "store_object",
    "stores",
]

MAX_PAGE = 100
DEFAULT_PAGE = 20
AUTO_CHUNKS = (800, 400)  # the "auto" strategy: max_chunk_size_tokens, chunk_overlap_tokens
FILE_STATES = ("in_progress", "completed", "failed", "cancelled")
PROCESSING = "vector_store_processing_seconds"
_DAY = 86_400
_STORES = "vector_stores"
_BATCHES = "vector_store_batches"


def stores(state: State) -> dict[str, dict[str, Any]]:
    # In state.data, which reset() replaces: the stores go with the files they read.
    found: dict[str, dict[str, Any]] = state.data.setdefault(_STORES, {})
    return found


def batches(state: State) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = state.data.setdefault(_BATCHES, {})
    return found


def next_serial(state: State) -> int:
    serial: int = state.data.get("vector_store_serial", 0) + 1
    state.data["vector_store_serial"] = serial
    return serial


def find_store(state: State, store_id: str) -> dict[str, Any]:
    store = stores(state).get(store_id)
    if store is None:
        raise Invalid(f"No vector store found with id '{store_id}'.", "vector_store_id", 404)
    return store


def find_file(store: Mapping[str, Any], file_id: str) -> dict[str, Any]:
    entry: dict[str, Any] | None = store["files"].get(file_id)
    if entry is None:
        raise Invalid(f"No file found with id '{file_id}' in vector store.", "file_id", 404)
    return entry


def settle(entry: dict[str, Any]) -> None:
    """Finish processing a file whose processing time has passed."""
    obj = entry["object"]
    if obj["status"] == "in_progress" and time.monotonic() >= entry["ready_at"]:
        obj["status"] = entry["outcome"]


def count_states(entries: Iterable[dict[str, Any]]) -> dict[str, int]:
    counts = dict.fromkeys(FILE_STATES, 0)
    for entry in entries:
        settle(entry)
        counts[entry["object"]["status"]] += 1
    return {**counts, "total": sum(counts.values())}


def store_object(store: dict[str, Any]) -> dict[str, Any]:
    entries = list(store["files"].values())
    counts = count_states(entries)
    obj: dict[str, Any] = store["object"]
    obj["file_counts"] = counts
    obj["usage_bytes"] = sum(
        e["object"]["usage_bytes"] for e in entries if e["object"]["status"] == "completed"
    )
    if obj["status"] != "expired":
        obj["status"] = "in_progress" if counts["in_progress"] else "completed"
    expires = obj.get("expires_after")
    obj["expires_at"] = None if not expires else obj["last_active_at"] + expires["days"] * _DAY
    return obj


def batch_object(state: State, batch: dict[str, Any]) -> dict[str, Any]:
    store = stores(state).get(batch["object"]["vector_store_id"])
    entries = (
        []
        if store is None
        else [store["files"][f] for f in batch["file_ids"] if f in store["files"]]
    )
    counts = count_states(entries)
    obj: dict[str, Any] = batch["object"]
    obj["file_counts"] = counts
    if obj["status"] == "in_progress" and not counts["in_progress"]:
        obj["status"] = "failed" if counts["failed"] == counts["total"] > 0 else "completed"
    return obj


def chunk_strategy(value: Any, param: str) -> dict[str, Any]:
    """The strategy a file is chunked by, as the file object shows it."""
    size: Any
    overlap: Any
    if value is None or value == {"type": "auto"}:
        size, overlap = AUTO_CHUNKS
    elif isinstance(value, dict) and value.get("type") == "static":
        static = value.get("static")
        if not isinstance(static, dict):
            raise Invalid("'static' is required for a static chunking strategy.", param)
        size = static.get("max_chunk_size_tokens")
        overlap = static.get("chunk_overlap_tokens")
        if not isinstance(size, int) or not 100 <= size <= 4096:
            raise Invalid("'max_chunk_size_tokens' must be from 100 to 4096.", param)
        if not isinstance(overlap, int) or not 0 <= overlap <= size // 2:
            raise Invalid("'chunk_overlap_tokens' must not exceed half the chunk size.", param)
    else:
        raise Invalid(f"Unknown chunking strategy {value!r:.80}", param)
    return {
        "type": "static",
        "static": {"max_chunk_size_tokens": size, "chunk_overlap_tokens": overlap},
    }


def attributes_of(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict) or len(value) > 16:
        raise Invalid("'attributes' must be an object of at most 16 pairs.", "attributes")
    for key, item in value.items():
        if len(key) > 64 or not isinstance(item, str | int | float | bool):
            raise Invalid(f"Bad attribute {key!r:.80}", "attributes")
    return dict(value)


def attach(
    state: State,
    store_id: str,
    file_id: Any,
    chunking: Any,
    attributes: Any,
    param: str = "file_id",
) -> dict[str, Any]:
    """Add an uploaded file to a store; processing ends now or after the set delay."""
    store = find_store(state, store_id)
    if not isinstance(file_id, str):
        raise Invalid(f"'{param}' must be a string.", param)
    uploaded = state.data["files"].get(file_id)
    if uploaded is None:
        raise Invalid(f"No file found with id '{file_id}'.", param, 404)
    strategy = chunk_strategy(chunking, "chunking_strategy")
    try:
        text = uploaded["content"].decode("utf-8")
        error = None
    except UnicodeDecodeError:
        text = ""
        error = {"code": "unsupported_file", "message": "The file is not UTF-8 text."}
    obj = {
        "id": file_id,
        "object": "vector_store.file",
        "usage_bytes": len(uploaded["content"]) if error is None else 0,
        "created_at": CREATED + next_serial(state),
        "vector_store_id": store_id,
        "status": "in_progress",
        "last_error": error,
        "chunking_strategy": strategy,
        "attributes": attributes_of(attributes) or {},
    }
    static = strategy["static"]
    entry = {
        "object": obj,
        "filename": uploaded["object"]["filename"],
        "chunks": chunk_words(
            text, static["max_chunk_size_tokens"], static["chunk_overlap_tokens"]
        ),
        "text": text,
        "outcome": "failed" if error else "completed",
        "ready_at": time.monotonic() + float(state.data.get(PROCESSING, 0.0)),
    }
    settle(entry)
    store["files"][file_id] = entry
    return entry


def list_page(
    request: ServerRequest, objects: list[dict[str, Any]], *, status_filter: bool
) -> ServerResponse:
    """One page of ``objects`` (oldest first as given) by the cursor query parameters."""
    query = request.query
    limit = query.get("limit", str(DEFAULT_PAGE))
    if not limit.isdigit() or not 1 <= int(limit) <= MAX_PAGE:
        raise Invalid(f"limit must be 1 to {MAX_PAGE}", "limit")
    order = query.get("order", "desc")
    if order not in ("asc", "desc"):
        raise Invalid("order must be asc or desc", "order")
    wanted = query.get("filter")
    if wanted is not None and (not status_filter or wanted not in FILE_STATES):
        raise Invalid(f"filter must be one of {list(FILE_STATES)}", "filter")
    items = sorted(objects, key=lambda o: (o["created_at"], o["id"]), reverse=order == "desc")
    if wanted is not None:
        items = [o for o in items if o["status"] == wanted]
    size = int(limit)
    after, before = query.get("after"), query.get("before")
    ids = [o["id"] for o in items]
    if after is not None:
        if after not in ids:
            raise Invalid(f"No object found with id '{after}' to list after.", "after")
        items = items[ids.index(after) + 1 :]
        more = len(items) > size
        page = items[:size]
    elif before is not None:
        if before not in ids:
            raise Invalid(f"No object found with id '{before}' to list before.", "before")
        items = items[: ids.index(before)]
        more = len(items) > size
        page = items[-size:]
    else:
        more = len(items) > size
        page = items[:size]
    return json_response(
        {
            "object": "list",
            "data": page,
            "first_id": page[0]["id"] if page else None,
            "last_id": page[-1]["id"] if page else None,
            "has_more": more,
        }
    )
