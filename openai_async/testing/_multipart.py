"""A small ``multipart/form-data`` parser for the local server (RFC 7578).

The standard library's ``cgi`` module is gone (3.13) and ``email`` parses a whole
MIME message with more rules than a form needs, so this reads the format directly:
a preamble, parts separated by ``--boundary``, and ``--boundary--`` at the end.
"""

from __future__ import annotations

import re

import attrs

__all__ = ["FormPart", "MultipartError", "boundary_of", "parse_multipart"]


class MultipartError(ValueError):
    """The body is not the multipart/form-data its headers announce."""


@attrs.frozen
class FormPart:
    """One part of a form: a text field (``filename`` None) or a file."""

    name: str
    data: bytes = attrs.field(repr=lambda data: f"<{len(data)} bytes>")
    filename: str | None = None
    content_type: str | None = None

    @property
    def text(self) -> str:
        return self.data.decode()


# Quoted values carry no backslash escapes: form encoders percent-encode '"' instead.
_PARAM = re.compile(r';\s*([A-Za-z0-9_.*-]+)\s*=\s*("[^"]*"|[^;]*)')


def _params(value: str) -> tuple[str, dict[str, str]]:
    """Split ``form-data; name="a"; filename="b"`` into its kind and parameters."""
    kind, _, rest = value.partition(";")
    params = {}
    for match in _PARAM.finditer(";" + rest):
        raw = match.group(2).strip()
        if raw.startswith('"'):
            raw = raw[1:-1]
        params[match.group(1).lower()] = raw
    return kind.strip().lower(), params


def _unescape(value: str) -> str:
    # Browsers (and our client) percent-encode these three in names and filenames.
    return value.replace("%22", '"').replace("%0D", "\r").replace("%0A", "\n")


def boundary_of(content_type: str) -> str:
    """The boundary of a ``multipart/form-data`` content type, or raise MultipartError."""
    kind, params = _params(content_type)
    if kind != "multipart/form-data":
        raise MultipartError(f"expected multipart/form-data, got {kind or 'nothing'!r}")
    boundary = params.get("boundary", "")
    if not 1 <= len(boundary) <= 70:
        raise MultipartError("the boundary is missing or longer than 70 characters")
    return boundary


def parse_multipart(content_type: str, body: bytes) -> list[FormPart]:
    """Parse a form body sent with ``content_type``; parts keep their order."""
    delimiter = b"--" + boundary_of(content_type).encode("latin-1")
    position = body.find(delimiter)
    if position < 0 or (position > 0 and body[position - 2 : position] != b"\r\n"):
        raise MultipartError("no opening boundary")
    position += len(delimiter)
    parts: list[FormPart] = []
    separator = b"\r\n" + delimiter
    while True:
        if body.startswith(b"--", position):
            return parts  # the closing delimiter; an epilogue after it is ignored
        if not body.startswith(b"\r\n", position):
            raise MultipartError("a boundary is not followed by a line break")
        head_end = body.find(b"\r\n\r\n", position)
        if head_end < 0:
            raise MultipartError("a part's headers do not end")
        headers = _headers(body[position + 2 : head_end])
        end = body.find(separator, head_end + 4)
        if end < 0:
            raise MultipartError("no closing boundary")
        parts.append(_part(headers, body[head_end + 4 : end]))
        position = end + len(separator)


def _headers(block: bytes) -> dict[str, str]:
    headers = {}
    for line in block.decode("utf-8", "replace").split("\r\n"):
        if not line:
            continue
        name, colon, value = line.partition(":")
        if not colon:
            raise MultipartError(f"a part header has no colon: {line!r}")
        headers[name.strip().lower()] = value.strip()
    return headers


def _part(headers: dict[str, str], data: bytes) -> FormPart:
    kind, params = _params(headers.get("content-disposition", ""))
    if kind != "form-data" or "name" not in params:
        raise MultipartError("a part has no 'Content-Disposition: form-data; name=...'")
    filename = params.get("filename")
    return FormPart(
        name=_unescape(params["name"]),
        data=data,
        filename=None if filename is None else _unescape(filename),
        content_type=headers.get("content-type"),
    )
