"""``/v1/vector_stores/{id}/file_batches``: many files added to a store at once."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._app import State, route
from ._bodies import Invalid, checked, json_body
from ._fixtures import CREATED
from ._http import ServerRequest, ServerResponse, json_response
from ._vector_state import (
    attach,
    batch_object,
    batches,
    count_states,
    find_store,
    list_page,
    next_serial,
)

__all__: list[str] = []


@route("POST", r"/v1/vector_stores/(?P<store_id>[^/]+)/file_batches")
@checked
async def create_batch(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    store_id = params["store_id"]
    find_store(state, store_id)
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
        entry = attach(state, store_id, item.get("file_id"), chunking, attributes, param)
        attached.append(entry["object"]["id"])
    batch_id = "vsfb_" + state.new_id("batch").replace("-", "")
    obj = {
        "id": batch_id,
        "object": "vector_store.files_batch",
        "created_at": CREATED + next_serial(state),
        "vector_store_id": store_id,
        "status": "in_progress",
        "file_counts": {},
    }
    batch = {"object": obj, "file_ids": attached}
    batches(state)[batch_id] = batch
    return json_response(batch_object(state, batch))


def _batch(state: State, params: Mapping[str, str]) -> dict[str, Any]:
    find_store(state, params["store_id"])
    batch = batches(state).get(params["batch_id"])
    if batch is None or batch["object"]["vector_store_id"] != params["store_id"]:
        raise Invalid(f"No file batch found with id '{params['batch_id']}'.", "batch_id", 404)
    return batch


@route("GET", r"/v1/vector_stores/(?P<store_id>[^/]+)/file_batches/(?P<batch_id>[^/]+)")
@checked
async def retrieve_batch(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    return json_response(batch_object(state, _batch(state, params)))


@route("POST", r"/v1/vector_stores/(?P<store_id>[^/]+)/file_batches/(?P<batch_id>[^/]+)/cancel")
@checked
async def cancel_batch(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    batch = _batch(state, params)
    obj = batch_object(state, batch)
    if obj["status"] != "in_progress":
        raise Invalid(f"Cannot cancel a batch with status '{obj['status']}'.", "batch_id")
    store = find_store(state, params["store_id"])
    for file_id in batch["file_ids"]:
        entry = store["files"].get(file_id)
        if entry is not None and entry["object"]["status"] == "in_progress":
            entry["object"]["status"] = "cancelled"
    obj["status"] = "cancelled"
    return json_response(batch_object(state, batch))


@route("GET", r"/v1/vector_stores/(?P<store_id>[^/]+)/file_batches/(?P<batch_id>[^/]+)/files")
@checked
async def list_batch_files(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    batch = _batch(state, params)
    store = find_store(state, params["store_id"])
    entries = [store["files"][f] for f in batch["file_ids"] if f in store["files"]]
    count_states(entries)
    return list_page(request, [e["object"] for e in entries], status_filter=True)
