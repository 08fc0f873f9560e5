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

from collections.abc import Mapping
from typing import Any

from ._app import State, error_response, route
from ._bodies import Invalid, checked, json_body, optional, required
from ._fixtures import CREATED
from ._http import ServerRequest, ServerResponse, json_response
from ._vector_search import passes_filter, query_terms, score_chunk
from ._vector_state import (
    PROCESSING,
    attach,
    attributes_of,
    count_states,
    find_file,
    find_store,
    list_page,
    next_serial,
    settle,
    store_object,
    stores,
)

__all__: list[str] = []


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
    created = CREATED + next_serial(state)
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
    stores(state)[store_id] = {"object": obj, "files": {}}
    for file_id in file_ids:
        attach(state, store_id, file_id, body.get("chunking_strategy"), None, "file_ids")
    return json_response(store_object(stores(state)[store_id]))


@route("GET", r"/v1/vector_stores")
@checked
async def list_stores(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    objects = [store_object(store) for store in stores(state).values()]
    return list_page(request, objects, status_filter=False)


@route("GET", r"/v1/vector_stores/(?P<store_id>[^/]+)")
@checked
async def retrieve_store(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    return json_response(store_object(find_store(state, params["store_id"])))


@route("POST", r"/v1/vector_stores/(?P<store_id>[^/]+)")
@checked
async def update_store(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    store = find_store(state, params["store_id"])
    body = json_body(request)
    obj = store["object"]
    if "name" in body:
        obj["name"] = optional(body, "name", str, None)
    if "expires_after" in body:
        obj["expires_after"] = _expires_after(body["expires_after"])
    if "metadata" in body:
        obj["metadata"] = _metadata(body["metadata"])
    return json_response(store_object(store))


@route("DELETE", r"/v1/vector_stores/(?P<store_id>[^/]+)")
@checked
async def delete_store(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    store_id = params["store_id"]
    find_store(state, store_id)
    del stores(state)[store_id]
    return json_response({"id": store_id, "object": "vector_store.deleted", "deleted": True})


@route("POST", r"/v1/vector_stores/(?P<store_id>[^/]+)/search")
@checked
async def search_store(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    store = find_store(state, params["store_id"])
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
    terms = set().union(*(query_terms(q) for q in queries))
    search_query = queries
    if optional(body, "rewrite_query", bool, False):
        search_query = [" ".join(sorted(terms))]
    results = []
    for file_id, entry in store["files"].items():
        settle(entry)
        obj = entry["object"]
        if obj["status"] != "completed":
            continue
        attributes = obj["attributes"] or {}
        if flt is not None and not passes_filter(attributes, flt):
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
    entry = attach(
        state, params["store_id"], file_id, body.get("chunking_strategy"), body.get("attributes")
    )
    return json_response(entry["object"])


@route("GET", r"/v1/vector_stores/(?P<store_id>[^/]+)/files")
@checked
async def list_store_files(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    store = find_store(state, params["store_id"])
    entries = list(store["files"].values())
    count_states(entries)
    return list_page(request, [e["object"] for e in entries], status_filter=True)


@route("GET", r"/v1/vector_stores/(?P<store_id>[^/]+)/files/(?P<file_id>[^/]+)")
@checked
async def retrieve_store_file(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    entry = find_file(find_store(state, params["store_id"]), params["file_id"])
    settle(entry)
    return json_response(entry["object"])


@route("POST", r"/v1/vector_stores/(?P<store_id>[^/]+)/files/(?P<file_id>[^/]+)")
@checked
async def update_store_file(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    entry = find_file(find_store(state, params["store_id"]), params["file_id"])
    body = json_body(request)
    if "attributes" not in body:
        raise Invalid("'attributes' is a required property", "attributes")
    entry["object"]["attributes"] = attributes_of(body["attributes"]) or {}
    settle(entry)
    return json_response(entry["object"])


@route("DELETE", r"/v1/vector_stores/(?P<store_id>[^/]+)/files/(?P<file_id>[^/]+)")
@checked
async def delete_store_file(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    store = find_store(state, params["store_id"])
    file_id = params["file_id"]
    find_file(store, file_id)
    del store["files"][file_id]
    return json_response({"id": file_id, "object": "vector_store.file.deleted", "deleted": True})


@route("GET", r"/v1/vector_stores/(?P<store_id>[^/]+)/files/(?P<file_id>[^/]+)/content")
@checked
async def store_file_content(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    entry = find_file(find_store(state, params["store_id"]), params["file_id"])
    data = [{"type": "text", "text": entry["text"]}] if entry["text"] else []
    return json_response(
        {
            "object": "vector_store.file_content.page",
            "data": data,
            "has_more": False,
            "next_page": None,
        }
    )


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
    state.data[PROCESSING] = seconds
    return json_response({"ok": True})
