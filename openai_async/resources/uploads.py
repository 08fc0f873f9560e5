"""``client.uploads``: a large file sent in parts, then completed into a file."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, Literal, Required, Unpack

from .._config import NotGiven
from .._exceptions import InvalidParameterError, shown
from .._file_input import FileInput
from .._request import APIRequest, Endpoint, RequestOptions, json_request, pop_options, reader
from ..types import Upload, UploadPart
from ._base import Resource, path_param, present
from ._checks import check_types, json_body
from ._common import check_expires_after
from ._upload import form_request

if TYPE_CHECKING:
    from .._client import AsyncClient
    from .._files import FilePart

__all__ = [
    "MAX_PART_SIZE",
    "Parts",
    "UploadCreateParams",
    "UploadPurpose",
    "Uploads",
    "check_md5",
]

MAX_PART_SIZE: Final = 64 * 1024 * 1024  # "Each Part can be at most 64 MB"
MAX_UPLOAD_SIZE: Final = 8 * 1024**3  # "an Upload can accept at most 8 GB in total"
_MD5: Final = re.compile(r"[0-9a-fA-F]{32}")

UploadPurpose = Literal["assistants", "batch", "fine-tune", "vision"]


class UploadCreateParams(RequestOptions, total=False):
    """The parameters of ``POST /uploads``, as the latest API reference has them.

    ``bytes`` is the size of the whole file; ``expires_after`` applies to the file
    the upload becomes.
    """

    bytes: Required[int]
    filename: Required[str]
    mime_type: Required[str]
    purpose: Required[UploadPurpose]
    expires_after: Mapping[str, Any] | NotGiven | None


UPLOADS = Endpoint("POST", "uploads", Upload, UploadCreateParams)


def part_request(
    upload_id: str, part: FilePart, options: RequestOptions | None = None
) -> APIRequest[UploadPart]:
    """``POST /uploads/{upload_id}/parts`` of ``part`` (the form field ``data``)."""
    if part.size > MAX_PART_SIZE:
        raise InvalidParameterError(
            "data", f"a part is at most {MAX_PART_SIZE} bytes (64 MiB), got {part.size}"
        )
    return APIRequest(
        method="POST",
        path=f"uploads/{path_param('upload_id', upload_id)}/parts",
        read=reader(UploadPart),
        form={},
        files=[part],
        options=options or RequestOptions(),
    )


class Parts(Resource):
    """``client.uploads.parts``: add a part (at most 64 MiB) to a pending upload."""

    __slots__ = ()

    async def create(
        self, upload_id: str, *, data: FileInput, **options: Unpack[RequestOptions]
    ) -> UploadPart:
        """``POST /uploads/{upload_id}/parts``: send ``data`` (a path, bytes, a binary file).

        Parts may be sent in parallel; ``complete`` puts them in order.
        """
        path = f"uploads/{path_param('upload_id', upload_id)}/parts"
        form = await form_request(path, UploadPart, fields={}, files={"data": data})
        return await self._client.call(part_request(upload_id, form.files[0], options))


class Uploads(Resource):
    """Create, complete and cancel uploads; ``upload_file_chunked`` does all of it."""

    __slots__ = ("parts",)

    def __init__(self, client: AsyncClient) -> None:
        super().__init__(client)
        self.parts = Parts(client)

    async def create(self, **params: Unpack[UploadCreateParams]) -> Upload:
        """``POST /uploads``: a pending upload of ``bytes`` bytes, for an hour.

        Send its parts with ``parts.create``, then ``complete`` it with their ids.
        """
        given: dict[str, Any] = dict(params)
        options = pop_options(given)
        check_types(given, UploadCreateParams)
        body = json_body(**given)
        size = body.get("bytes")
        if not isinstance(size, int) or isinstance(size, bool) or not 0 <= size <= MAX_UPLOAD_SIZE:
            raise InvalidParameterError(
                "bytes", f"expected 0 to {MAX_UPLOAD_SIZE}, got {shown(size)}"
            )
        for name in ("filename", "mime_type", "purpose"):
            value = body.get(name)
            if not isinstance(value, str) or not value:
                raise InvalidParameterError(
                    name, f"expected a non-empty string, got {shown(value)}"
                )
        check_expires_after("expires_after", body.get("expires_after"))
        return await self._client.call(UPLOADS.request(body, options))

    async def complete(
        self,
        upload_id: str,
        *,
        part_ids: Sequence[str],
        md5: str | NotGiven | None = None,
        **options: Unpack[RequestOptions],
    ) -> Upload:
        """``POST /uploads/{upload_id}/complete``: the parts, in this order, become a file.

        The parts must add up to the upload's ``bytes``; ``md5`` (hex), if given, is
        checked against what arrived. The answer's ``file`` is the new file.
        """
        path = f"uploads/{path_param('upload_id', upload_id)}/complete"
        if isinstance(part_ids, str) or not isinstance(part_ids, Sequence):
            raise InvalidParameterError("part_ids", "expected a list of part ids")
        for position, part_id in enumerate(part_ids):
            if not isinstance(part_id, str) or not part_id:
                raise InvalidParameterError(
                    f"part_ids[{position}]", f"expected an id: {shown(part_id)}"
                )
        check_md5(md5)
        body = json_body(part_ids=list(part_ids), md5=md5)
        return await self._client.call(
            json_request("POST", path, Upload, body=body, options=options)
        )

    async def cancel(self, upload_id: str, **options: Unpack[RequestOptions]) -> Upload:
        """``POST /uploads/{upload_id}/cancel``: no part may be added after."""
        path = f"uploads/{path_param('upload_id', upload_id)}/cancel"
        return await self._client.call(json_request("POST", path, Upload, options=options))

    async def upload_file_chunked(
        self,
        *,
        file: str | os.PathLike[str] | bytes,
        mime_type: str,
        purpose: UploadPurpose,
        filename: str | NotGiven | None = None,
        bytes: int | NotGiven | None = None,
        part_size: int | NotGiven | None = None,
        md5: str | NotGiven | None = None,
        parts_in_flight: int | NotGiven = 4,
        part_retries: int | NotGiven | None = None,
    ) -> Upload:
        """Upload ``file`` (a path, or bytes) in parts, several at once, and complete it.

        As the official SDK's method of this name, plus ``parts_in_flight`` (parts
        sent at once) and ``part_retries``. A path is read in small chunks while its
        parts are sent, so memory stays far below ``parts_in_flight * part_size``
        (bytes given in memory cost one copy of each part in flight). ``part_size``
        is at most 64 MiB, the default. The md5 of the file is computed meanwhile
        (unless ``md5`` is given) and sent with ``complete``, so the server checks
        the bytes it assembled.

        A part that fails is sent again alone, as the client's retry policy says, or
        up to ``part_retries`` times if given; when a part fails for good, the
        upload is cancelled and the error raised. ``bytes``, if given, must be the
        file's size. The result is the completed ``Upload``; its ``file`` is the file.
        """
        from ._large_upload import upload_in_parts

        return await upload_in_parts(
            self,
            file,
            mime_type=mime_type,
            purpose=purpose,
            filename=present(filename),
            size=present(bytes),
            part_size=MAX_PART_SIZE if part_size is None else present(part_size),
            md5=present(md5),
            parts_in_flight=present(parts_in_flight),
            part_retries=present(part_retries),
        )


def check_md5(md5: object) -> None:
    """None, or the 32 hexadecimal digits of an md5 digest."""
    if md5 is not None and (not isinstance(md5, str) or _MD5.fullmatch(md5) is None):
        raise InvalidParameterError("md5", "expected 32 hexadecimal digits")
