"""``/v1/files``: uploads kept in the server's state, downloads streamed back."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

from ._app import State, error_response, route
from ._bodies import Invalid, checked, form_body
from ._fixtures import CREATED
from ._http import ServerRequest, ServerResponse, json_response

DOWNLOAD_CHUNK = 64 * 1024
MAX_PAGE = 10_000  # GET /files: the largest ``limit``, and the default


def _files(state: State) -> dict[str, dict[str, Any]]:
    # Kept beside the models in state.data, which reset() replaces; fine-tunes read them.
    files: dict[str, dict[str, Any]] = state.data["files"]
    return files


def _header_safe(filename: str) -> str:
    # A stored name may hold anything; a header value may not hold quotes or line breaks.
    return filename.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


def _not_found(file_id: str) -> ServerResponse:
    return error_response(404, f"No such File object: {file_id}", param="id")


@route("GET", r"/v1/files")
async def list_files(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    query = request.query
    purpose = query.get("purpose")
    limit = query.get("limit", str(MAX_PAGE))
    if not limit.isdigit() or not 1 <= int(limit) <= MAX_PAGE:
        return error_response(400, f"limit must be 1 to {MAX_PAGE}", param="limit")
    after = query.get("after")
    # Without ``order`` this server lists oldest first (the service: newest first).
    order = query.get("order", "asc")
    if order not in ("asc", "desc"):
        return error_response(400, "order must be 'asc' or 'desc'", param="order")
    entries = list(_files(state).items())
    if order == "desc":
        entries.reverse()
    # Ids count up, so those after the cursor are still found if its file was deleted.
    data = [
        entry["object"]
        for file_id, entry in entries
        if (purpose is None or entry["object"]["purpose"] == purpose)
        and (after is None or (file_id > after if order == "asc" else file_id < after))
    ]
    page = data[: int(limit)]
    return json_response(
        {
            "object": "list",
            "data": page,
            "first_id": page[0]["id"] if page else None,
            "last_id": page[-1]["id"] if page else None,
            "has_more": len(data) > len(page),
        }
    )


@route("POST", r"/v1/files")
@checked
async def create_file(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    form = form_body(request)
    purpose = form.text("purpose", required=True)
    part = form.file("file")
    assert part is not None
    file_id = state.new_id("file")
    expires_at = None
    if "expires_after[seconds]" in form.fields:
        if form.text("expires_after[anchor]") != "created_at":
            raise Invalid("expires_after[anchor] must be 'created_at'", "expires_after")
        expires_at = CREATED + form.number("expires_after[seconds]", int, 0)
    obj = {
        "id": file_id,
        "object": "file",
        "bytes": len(part.data),
        "created_at": CREATED,
        "filename": part.filename,
        "purpose": purpose,
        "status": "uploaded",
        "status_details": None,
        "expires_at": expires_at,
    }
    _files(state)[file_id] = {"object": obj, "content": part.data}
    return json_response(obj)


@route("GET", r"/v1/files/(?P<file_id>[^/]+)")
async def retrieve_file(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    entry = _files(state).get(params["file_id"])
    return _not_found(params["file_id"]) if entry is None else json_response(entry["object"])


@route("DELETE", r"/v1/files/(?P<file_id>[^/]+)")
async def delete_file(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    file_id = params["file_id"]
    if _files(state).pop(file_id, None) is None:
        return _not_found(file_id)
    return json_response({"id": file_id, "object": "file", "deleted": True})


@route("GET", r"/v1/files/(?P<file_id>[^/]+)/content")
async def file_content(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    entry = _files(state).get(params["file_id"])
    if entry is None:
        return _not_found(params["file_id"])
    content: bytes = entry["content"]

    async def chunks() -> AsyncIterator[bytes]:
        view = memoryview(content)
        for start in range(0, len(content), DOWNLOAD_CHUNK):
            yield bytes(view[start : start + DOWNLOAD_CHUNK])

    filename = _header_safe(entry["object"]["filename"])
    headers = {
        "content-type": "application/octet-stream",
        "content-length": str(len(content)),
        "content-disposition": f'attachment; filename="{filename}"',
    }
    return ServerResponse(headers=headers, body=chunks())
