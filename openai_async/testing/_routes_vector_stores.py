"""``/v1/vector_stores``: stores of uploaded files, searched by plain word matching.

A file attached to a store is read from ``/v1/files`` (its bytes as UTF-8 text), cut
into chunks of words (the chunking strategy's token counts, a token being a word), and
searched by the share of the query's distinct words a chunk holds: a score from 0 to
1, the same on every run. A file that is not UTF-8 text fails (``unsupported_file``).

Processing is immediate unless ``POST /_control/vector_stores {"processing_seconds":
s}`` makes files stay ``in_progress`` for ``s`` seconds (then batches can be
cancelled and polling waits). Lists page by cursor (``after``/``before``, ``limit``,
``order`` by creation, newest first by default).
"""

from __future__ import annotations

import operator
import re
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ._app import State, error_response, route
from ._bodies import Invalid, checked, json_body, optional, required
from ._fixtures import CREATED
from ._http import ServerRequest, ServerResponse, json_response

__all__ = ["chunk_words", "score_chunk"]

MAX_PAGE = 100
DEFAULT_PAGE = 20
AUTO_CHUNKS = (800, 400)  # the "auto" strategy: max_chunk_size_tokens, chunk_overlap_tokens
FILE_STATES = ("in_progress", "completed", "failed", "cancelled")
_WORD = re.compile(r"\w+")
_DAY = 86_400
_STORES = "vector_stores"
_BATCHES = "vector_store_batches"
_DELAY = "vector_store_processing_seconds"


# -- search ------------------------------------------------------------------------------


def chunk_words(text: str, size: int, overlap: int) -> list[str]:
    """``text`` cut into chunks of ``size`` words, each sharing ``overlap`` with the last."""
    words = text.split()
    if not words:
        return []
    step = max(1, size - overlap)
    chunks = []
    for start in range(0, len(words), step):
        chunks.append(" ".join(words[start : start + size]))
        if start + size >= len(words):
            break
    return chunks


def _terms(text: str) -> set[str]:
    return {word.lower() for word in _WORD.findall(text)}


def score_chunk(query_terms: set[str], chunk: str) -> float:
    """The share of the query's distinct words found in ``chunk`` (0 to 1)."""
    if not query_terms:
        return 0.0
    return round(len(query_terms & _terms(chunk)) / len(query_terms), 6)


def _within(value: Any, choices: Any) -> bool:
    return isinstance(choices, list) and value in choices


def _outside(value: Any, choices: Any) -> bool:
    return isinstance(choices, list) and value not in choices


_COMPARE: Mapping[str, Callable[[Any, Any], Any]] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
    "in": _within,
    "nin": _outside,
}


def _matches(attributes: Mapping[str, Any], flt: Any) -> bool:
    """Whether a file's ``attributes`` pass a comparison or compound filter."""
    if not isinstance(flt, dict):
        raise Invalid("'filters' must be an object.", "filters")
    kind = flt.get("type")
    if kind in ("and", "or"):
        parts = flt.get("filters")
        if not isinstance(parts, list):
            raise Invalid("'filters.filters' must be an array.", "filters")
        results = (_matches(attributes, part) for part in parts)
        return all(results) if kind == "and" else any(results)
    compare = _COMPARE.get(str(kind))
    if compare is None or "key" not in flt or "value" not in flt:
        raise Invalid(f"Unknown filter {flt!r:.80}", "filters")
    if flt["key"] not in attributes:
        return kind == "nin" or kind == "ne"
    try:
        return bool(compare(attributes[flt["key"]], flt["value"]))
    except TypeError:  # a string compared with a number: no match, as a type mismatch
        return False


# -- state -------------------------------------------------------------------------------


def _stores(state: State) -> dict[str, dict[str, Any]]:
    # In state.data, which reset() replaces: the stores go with the files they read.
    stores: dict[str, dict[str, Any]] = state.data.setdefault(_STORES, {})
    return stores


def _batches(state: State) -> dict[str, dict[str, Any]]:
    batches: dict[str, dict[str, Any]] = state.data.setdefault(_BATCHES, {})
    return batches


def _serial(state: State) -> int:
    serial: int = state.data.get("vector_store_serial", 0) + 1
    state.data["vector_store_serial"] = serial
    return serial


def _store(state: State, store_id: str) -> dict[str, Any]:
    store = _stores(state).get(store_id)
    if store is None:
        raise Invalid(f"No vector store found with id '{store_id}'.", "vector_store_id", 404)
    return store


def _store_file(store: Mapping[str, Any], file_id: str) -> dict[str, Any]:
    entry: dict[str, Any] | None = store["files"].get(file_id)
    if entry is None:
        raise Invalid(f"No file found with id '{file_id}' in vector store.", "file_id", 404)
    return entry


def _settle(entry: dict[str, Any]) -> None:
    """Finish processing a file whose processing time has passed."""
    obj = entry["object"]
    if obj["status"] == "in_progress" and time.monotonic() >= entry["ready_at"]:
        obj["status"] = entry["outcome"]


def _counts(entries: Iterable[dict[str, Any]]) -> dict[str, int]:
    counts = dict.fromkeys(FILE_STATES, 0)
    for entry in entries:
        _settle(entry)
        counts[entry["object"]["status"]] += 1
    return {**counts, "total": sum(counts.values())}


def _store_object(store: dict[str, Any]) -> dict[str, Any]:
    entries = list(store["files"].values())
    counts = _counts(entries)
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


def _batch_object(state: State, batch: dict[str, Any]) -> dict[str, Any]:
    store = _stores(state).get(batch["object"]["vector_store_id"])
    entries = (
        []
        if store is None
        else [store["files"][f] for f in batch["file_ids"] if f in store["files"]]
    )
    counts = _counts(entries)
    obj: dict[str, Any] = batch["object"]
    obj["file_counts"] = counts
    if obj["status"] == "in_progress" and not counts["in_progress"]:
        obj["status"] = "failed" if counts["failed"] == counts["total"] > 0 else "completed"
    return obj


def _chunking(value: Any, param: str) -> dict[str, Any]:
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


def _attributes(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict) or len(value) > 16:
        raise Invalid("'attributes' must be an object of at most 16 pairs.", "attributes")
    for key, item in value.items():
        if len(key) > 64 or not isinstance(item, str | int | float | bool):
            raise Invalid(f"Bad attribute {key!r:.80}", "attributes")
    return dict(value)


def _attach(
    state: State,
    store_id: str,
    file_id: Any,
    chunking: Any,
    attributes: Any,
    param: str = "file_id",
) -> dict[str, Any]:
    """Add an uploaded file to a store; processing ends now or after the set delay."""
    store = _store(state, store_id)
    if not isinstance(file_id, str):
        raise Invalid(f"'{param}' must be a string.", param)
    uploaded = state.data["files"].get(file_id)
    if uploaded is None:
        raise Invalid(f"No file found with id '{file_id}'.", param, 404)
    strategy = _chunking(chunking, "chunking_strategy")
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
        "created_at": CREATED + _serial(state),
        "vector_store_id": store_id,
        "status": "in_progress",
        "last_error": error,
        "chunking_strategy": strategy,
        "attributes": _attributes(attributes) or {},
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
        "ready_at": time.monotonic() + float(state.data.get(_DELAY, 0.0)),
    }
    _settle(entry)
    store["files"][file_id] = entry
    return entry


def _page(
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


# -- vector stores -----------------------------------------------------------------------


def _expires_after(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if (
        not isinstance(value, dict)
        or value.get("anchor") != "last_active_at"
        or not isinstance(value.get("days"), int)
        or not 1 <= value["days"] <= 365
    ):
        raise Invalid(
            "'expires_after' needs anchor 'last_active_at' and 1 to 365 days.", "expires_after"
        )
    return {"anchor": "last_active_at", "days": value["days"]}


def _metadata(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or len(value) > 16:
        raise Invalid("'metadata' must be an object of at most 16 pairs.", "metadata")
    if not all(isinstance(v, str) and len(k) <= 64 and len(v) <= 512 for k, v in value.items()):
        raise Invalid("'metadata' values must be strings of at most 512 characters.", "metadata")
    return dict(value)


@route("POST", r"/v1/vector_stores")
@checked
async def create_store(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    body = json_body(request)
    file_ids = optional(body, "file_ids", list, [])
    if len(file_ids) > 500:
        raise Invalid("'file_ids' holds at most 500 ids.", "file_ids")
    if body.get("chunking_strategy") is not None and not file_ids:
        raise Invalid("'chunking_strategy' is only allowed with 'file_ids'.", "chunking_strategy")
    store_id = "vs_" + state.new_id("store").replace("-", "")
    created = CREATED + _serial(state)
    obj = {
        "id": store_id,
        "object": "vector_store",
        "created_at": created,
        "name": optional(body, "name", str, None),
        "description": optional(body, "description", str, None),
        "usage_bytes": 0,
        "file_counts": {},
        "status": "completed",
        "expires_after": _expires_after(body.get("expires_after")),
        "expires_at": None,
        "last_active_at": created,
        "metadata": _metadata(body.get("metadata")),
    }
    if obj["description"] is None:
        del obj["description"]
    _stores(state)[store_id] = {"object": obj, "files": {}}
    for file_id in file_ids:
        _attach(state, store_id, file_id, body.get("chunking_strategy"), None, "file_ids")
    return json_response(_store_object(_stores(state)[store_id]))


@route("GET", r"/v1/vector_stores")
@checked
async def list_stores(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    objects = [_store_object(store) for store in _stores(state).values()]
    return _page(request, objects, status_filter=False)


@route("GET", r"/v1/vector_stores/(?P<store_id>[^/]+)")
@checked
async def retrieve_store(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    return json_response(_store_object(_store(state, params["store_id"])))


@route("POST", r"/v1/vector_stores/(?P<store_id>[^/]+)")
@checked
async def update_store(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    store = _store(state, params["store_id"])
    body = json_body(request)
    obj = store["object"]
    if "name" in body:
        obj["name"] = optional(body, "name", str, None)
    if "expires_after" in body:
        obj["expires_after"] = _expires_after(body["expires_after"])
    if "metadata" in body:
        obj["metadata"] = _metadata(body["metadata"])
    return json_response(_store_object(store))


@route("DELETE", r"/v1/vector_stores/(?P<store_id>[^/]+)")
@checked
async def delete_store(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    store_id = params["store_id"]
    _store(state, store_id)
    del _stores(state)[store_id]
    return json_response({"id": store_id, "object": "vector_store.deleted", "deleted": True})


@route("POST", r"/v1/vector_stores/(?P<store_id>[^/]+)/search")
@checked
async def search_store(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    store = _store(state, params["store_id"])
    body = json_body(request)
    query = required(body, "query", (str, list))
    queries = [query] if isinstance(query, str) else query
    if not queries or not all(isinstance(q, str) for q in queries):
        raise Invalid("'query' must be a string or a non-empty list of strings.", "query")
    limit = optional(body, "max_num_results", int, 10)
    if not 1 <= limit <= 50:
        raise Invalid("'max_num_results' must be from 1 to 50.", "max_num_results")
    ranking = optional(body, "ranking_options", dict, {})
    threshold = ranking.get("score_threshold", 0)
    if not isinstance(threshold, int | float) or not 0 <= threshold <= 1:
        raise Invalid("'score_threshold' must be from 0 to 1.", "ranking_options")
    flt = body.get("filters")
    terms = set().union(*(_terms(q) for q in queries))
    search_query = queries
    if optional(body, "rewrite_query", bool, False):
        search_query = [" ".join(sorted(terms))]
    results = []
    for file_id, entry in store["files"].items():
        _settle(entry)
        obj = entry["object"]
        if obj["status"] != "completed":
            continue
        attributes = obj["attributes"] or {}
        if flt is not None and not _matches(attributes, flt):
            continue
        scored = [(score_chunk(terms, chunk), chunk) for chunk in entry["chunks"]]
        scored = [pair for pair in scored if pair[0] > 0 and pair[0] >= threshold]
        if not scored:
            continue
        scored.sort(key=lambda pair: -pair[0])  # stable: equal scores keep file order
        results.append(
            {
                "file_id": file_id,
                "filename": entry["filename"],
                "score": scored[0][0],
                "attributes": attributes,
                "content": [{"type": "text", "text": chunk} for _, chunk in scored[:3]],
            }
        )
    results.sort(key=lambda r: (-r["score"], r["filename"], r["file_id"]))
    return json_response(
        {
            "object": "vector_store.search_results.page",
            "search_query": search_query,
            "data": results[:limit],
            "has_more": False,
            "next_page": None,
        }
    )


# -- files in a store ---------------------------------------------------------------------


@route("POST", r"/v1/vector_stores/(?P<store_id>[^/]+)/files")
@checked
async def create_store_file(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    body = json_body(request)
    file_id = required(body, "file_id", str)
    entry = _attach(
        state, params["store_id"], file_id, body.get("chunking_strategy"), body.get("attributes")
    )
    return json_response(entry["object"])


@route("GET", r"/v1/vector_stores/(?P<store_id>[^/]+)/files")
@checked
async def list_store_files(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    store = _store(state, params["store_id"])
    entries = list(store["files"].values())
    _counts(entries)
    return _page(request, [e["object"] for e in entries], status_filter=True)


@route("GET", r"/v1/vector_stores/(?P<store_id>[^/]+)/files/(?P<file_id>[^/]+)")
@checked
async def retrieve_store_file(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    entry = _store_file(_store(state, params["store_id"]), params["file_id"])
    _settle(entry)
    return json_response(entry["object"])


@route("POST", r"/v1/vector_stores/(?P<store_id>[^/]+)/files/(?P<file_id>[^/]+)")
@checked
async def update_store_file(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    entry = _store_file(_store(state, params["store_id"]), params["file_id"])
    body = json_body(request)
    if "attributes" not in body:
        raise Invalid("'attributes' is a required property", "attributes")
    entry["object"]["attributes"] = _attributes(body["attributes"]) or {}
    _settle(entry)
    return json_response(entry["object"])


@route("DELETE", r"/v1/vector_stores/(?P<store_id>[^/]+)/files/(?P<file_id>[^/]+)")
@checked
async def delete_store_file(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    store = _store(state, params["store_id"])
    file_id = params["file_id"]
    _store_file(store, file_id)
    del store["files"][file_id]
    return json_response({"id": file_id, "object": "vector_store.file.deleted", "deleted": True})


@route("GET", r"/v1/vector_stores/(?P<store_id>[^/]+)/files/(?P<file_id>[^/]+)/content")
@checked
async def store_file_content(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    entry = _store_file(_store(state, params["store_id"]), params["file_id"])
    data = [{"type": "text", "text": entry["text"]}] if entry["text"] else []
    return json_response(
        {
            "object": "vector_store.file_content.page",
            "data": data,
            "has_more": False,
            "next_page": None,
        }
    )


# -- file batches -------------------------------------------------------------------------


@route("POST", r"/v1/vector_stores/(?P<store_id>[^/]+)/file_batches")
@checked
async def create_batch(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    store_id = params["store_id"]
    _store(state, store_id)
    body = json_body(request)
    file_ids, files = body.get("file_ids"), body.get("files")
    if (file_ids is None) == (files is None):
        raise Invalid("Give exactly one of 'file_ids' and 'files'.", "file_ids")
    param = "files" if files is not None else "file_ids"
    items = files if files is not None else file_ids
    if not isinstance(items, list) or not 1 <= len(items) <= 2000:
        raise Invalid(f"'{param}' must hold 1 to 2000 files.", param)
    attached = []
    if files is None:
        items = [{"file_id": file_id} for file_id in items]
    for item in items:
        if not isinstance(item, dict):
            raise Invalid(f"'{param}' must hold file objects.", param)
        # Per-file settings replace the batch's (the API ignores the global ones then).
        chunking = (
            item.get("chunking_strategy") if files is not None else body.get("chunking_strategy")
        )
        attributes = item.get("attributes") if files is not None else body.get("attributes")
        entry = _attach(state, store_id, item.get("file_id"), chunking, attributes, param)
        attached.append(entry["object"]["id"])
    batch_id = "vsfb_" + state.new_id("batch").replace("-", "")
    obj = {
        "id": batch_id,
        "object": "vector_store.files_batch",
        "created_at": CREATED + _serial(state),
        "vector_store_id": store_id,
        "status": "in_progress",
        "file_counts": {},
    }
    batch = {"object": obj, "file_ids": attached}
    _batches(state)[batch_id] = batch
    return json_response(_batch_object(state, batch))


def _batch(state: State, params: Mapping[str, str]) -> dict[str, Any]:
    _store(state, params["store_id"])
    batch = _batches(state).get(params["batch_id"])
    if batch is None or batch["object"]["vector_store_id"] != params["store_id"]:
        raise Invalid(f"No file batch found with id '{params['batch_id']}'.", "batch_id", 404)
    return batch


@route("GET", r"/v1/vector_stores/(?P<store_id>[^/]+)/file_batches/(?P<batch_id>[^/]+)")
@checked
async def retrieve_batch(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    return json_response(_batch_object(state, _batch(state, params)))


@route("POST", r"/v1/vector_stores/(?P<store_id>[^/]+)/file_batches/(?P<batch_id>[^/]+)/cancel")
@checked
async def cancel_batch(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    batch = _batch(state, params)
    obj = _batch_object(state, batch)
    if obj["status"] != "in_progress":
        raise Invalid(f"Cannot cancel a batch with status '{obj['status']}'.", "batch_id")
    store = _store(state, params["store_id"])
    for file_id in batch["file_ids"]:
        entry = store["files"].get(file_id)
        if entry is not None and entry["object"]["status"] == "in_progress":
            entry["object"]["status"] = "cancelled"
    obj["status"] = "cancelled"
    return json_response(_batch_object(state, batch))


@route("GET", r"/v1/vector_stores/(?P<store_id>[^/]+)/file_batches/(?P<batch_id>[^/]+)/files")
@checked
async def list_batch_files(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    batch = _batch(state, params)
    store = _store(state, params["store_id"])
    entries = [store["files"][f] for f in batch["file_ids"] if f in store["files"]]
    _counts(entries)
    return _page(request, [e["object"] for e in entries], status_filter=True)


@route("POST", r"/_control/vector_stores")
async def set_processing_time(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    try:
        seconds = float(request.json()["processing_seconds"])
    except (KeyError, TypeError, ValueError) as exc:
        return error_response(400, f"Bad vector store setting: {exc}")
    if not 0 <= seconds < 3600:
        return error_response(400, "processing_seconds must be from 0 to 3600")
    state.data[_DELAY] = seconds
    return json_response({"ok": True})
