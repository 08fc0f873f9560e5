"""``/v1/uploads``: a file sent in parts, assembled and checked when completed.

Each part goes to a temporary file as it arrives; ``complete`` joins the parts in
the order given into another one, checking their total against the upload's
``bytes`` and their md5 against the one sent, and the result joins ``/v1/files``
(memory-mapped, so a large upload does not sit in the server's memory).
"""

from __future__ import annotations

import asyncio
import hashlib
import mmap
import tempfile
import time
import weakref
from collections.abc import Mapping
from typing import IO, Any, Final

from ._app import State, error_response, route
from ._bodies import Invalid, checked, form_body, json_body, optional, required
from ._http import ServerRequest, ServerResponse, json_response

MAX_PART: Final = 64 * 1024 * 1024
MAX_UPLOAD: Final = 8 * 1024**3
LIFETIME: Final = 3600  # "expires after an hour after you create it"
PURPOSES: Final = frozenset({"assistants", "batch", "fine-tune", "vision"})


def _uploads(state: State) -> dict[str, dict[str, Any]]:
    uploads: dict[str, dict[str, Any]] = state.data.setdefault("uploads", {})
    return uploads


def _public(upload: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in upload.items() if not key.startswith("_")}


def _pending(state: State, upload_id: str) -> dict[str, Any]:
    upload = _uploads(state).get(upload_id)
    if upload is None:
        raise Invalid(f"No such Upload: {upload_id}", "upload_id", status=404)
    if upload["status"] == "pending" and time.time() >= upload["expires_at"]:
        _close_parts(upload)
        upload["status"] = "expired"
    if upload["status"] != "pending":
        raise Invalid(f"The upload is {upload['status']}, no longer pending.", "upload_id")
    return upload


class _Parts(dict[str, tuple[IO[bytes], int]]):
    """An upload's parts (id -> temporary file, size), closed when it ends or is dropped.

    ``reset()`` drops pending uploads: their files are closed then, not left to the
    garbage collector's ResourceWarning.
    """

    def __init__(self) -> None:
        super().__init__()
        self._handles: list[IO[bytes]] = []
        weakref.finalize(self, _close_all, self._handles)

    def add(self, part_id: str, handle: IO[bytes], size: int) -> None:
        self[part_id] = (handle, size)
        self._handles.append(handle)

    def close(self) -> None:
        _close_all(self._handles)
        self.clear()


def _close_all(handles: list[IO[bytes]]) -> None:
    for handle in handles:
        handle.close()
    handles.clear()


def _close_parts(upload: dict[str, Any]) -> None:
    upload["_parts"].close()


@route("POST", r"/v1/uploads")
@checked
async def create_upload(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    body = json_body(request)
    filename = required(body, "filename", str)
    purpose = required(body, "purpose", str)
    if purpose not in PURPOSES:
        raise Invalid(f"purpose must be one of {sorted(PURPOSES)}", "purpose")
    size = required(body, "bytes", int)
    if not 0 <= size <= MAX_UPLOAD:
        raise Invalid(f"bytes must be 0 to {MAX_UPLOAD}", "bytes")
    required(body, "mime_type", str)
    expires_after = optional(body, "expires_after", dict, None)
    created = int(time.time())
    upload = {
        "id": state.new_id("upload"),
        "object": "upload",
        "bytes": size,
        "created_at": created,
        "expires_at": created + LIFETIME,
        "filename": filename,
        "purpose": purpose,
        "status": "pending",
        "file": None,
        "_parts": _Parts(),
        "_expires_after": expires_after,
    }
    _uploads(state)[upload["id"]] = upload
    return json_response(_public(upload))


@route("POST", r"/v1/uploads/(?P<upload_id>[^/]+)/parts")
@checked
async def add_part(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    upload = _pending(state, params["upload_id"])
    part = form_body(request).file("data")
    assert part is not None
    if len(part.data) > MAX_PART:
        raise Invalid(f"A part may hold at most {MAX_PART} bytes.", "data")
    handle = await asyncio.to_thread(_spool, part.data)
    part_id = state.new_id("part")
    upload["_parts"].add(part_id, handle, len(part.data))
    return json_response(
        {
            "id": part_id,
            "object": "upload.part",
            "created_at": int(time.time()),
            "upload_id": upload["id"],
        }
    )


def _spool(data: bytes) -> IO[bytes]:
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - open until complete or cancel
    handle.write(data)
    return handle


@route("POST", r"/v1/uploads/(?P<upload_id>[^/]+)/complete")
@checked
async def complete_upload(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    upload = _pending(state, params["upload_id"])
    body = json_body(request)
    part_ids = required(body, "part_ids", list)
    md5 = optional(body, "md5", str, None)
    parts = upload["_parts"]
    unknown = [p for p in part_ids if p not in parts]
    if unknown:
        raise Invalid(f"Unknown part ids for this upload: {unknown}", "part_ids")
    if len(set(part_ids)) != len(part_ids):
        raise Invalid("A part id is given twice.", "part_ids")
    total = sum(parts[p][1] for p in part_ids)
    if total != upload["bytes"]:
        message = f"The parts hold {total} bytes; the upload was created for {upload['bytes']}."
        raise Invalid(message, "part_ids")
    content, digest = await asyncio.to_thread(_assemble, [parts[p][0] for p in part_ids])
    if md5 is not None and md5.lower() != digest:
        raise Invalid(f"The md5 of the parts is {digest}, not {md5}.", "md5")
    file_id = state.new_id("file")
    created = int(time.time())
    expires_after = upload["_expires_after"]
    file = {
        "id": file_id,
        "object": "file",
        "bytes": total,
        "created_at": created,
        "filename": upload["filename"],
        "purpose": upload["purpose"],
        "status": "processed",
        "status_details": None,
        "expires_at": None if expires_after is None else created + expires_after["seconds"],
    }
    state.data["files"][file_id] = {"object": file, "content": content}
    _close_parts(upload)
    upload.update(status="completed", file=file)
    return json_response(_public(upload))


def _assemble(handles: list[IO[bytes]]) -> tuple[bytes | mmap.mmap, str]:
    """The parts joined (a memory map of a temporary file) and their md5."""
    digest = hashlib.md5(usedforsecurity=False)
    with tempfile.TemporaryFile() as whole:
        for handle in handles:
            handle.seek(0)
            while block := handle.read(1 << 20):
                digest.update(block)
                whole.write(block)
        whole.flush()
        if whole.tell() == 0:
            return b"", digest.hexdigest()
        # The map keeps the (unlinked) file's pages after the descriptor is closed.
        return mmap.mmap(whole.fileno(), 0, access=mmap.ACCESS_READ), digest.hexdigest()


@route("POST", r"/v1/uploads/(?P<upload_id>[^/]+)/cancel")
@checked
async def cancel_upload(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    upload = _uploads(state).get(params["upload_id"])
    if upload is None:
        return error_response(404, f"No such Upload: {params['upload_id']}", param="upload_id")
    if upload["status"] != "pending":
        raise Invalid(f"Cannot cancel an upload that is {upload['status']}.", "upload_id")
    _close_parts(upload)
    upload["status"] = "cancelled"
    return json_response(_public(upload))
