"""HTTP/1.1 answers on the wire: a head's status line and fields, and how a body is framed.

Pure functions for ``_asyncio_http``'s parser, bounded and strict: what they refuse is
an ``httpx.RemoteProtocolError`` saying what is wrong, never quoting the bytes (a server
may echo the request's key back). The body's own framing (chunk sizes, trailers) is read
by ``_asyncio_http._Body`` with ``CHUNK_SIZE`` and ``FIELD``, the states below.
"""

from __future__ import annotations

import re
from typing import Final

import httpx

__all__ = [
    "AFTER_DATA",
    "CHUNKED",
    "CHUNK_SIZE",
    "FIELD",
    "LENGTH",
    "MAX_HEAD",
    "MAX_LINE",
    "SIZE_LINE",
    "TRAILERS",
    "UNTIL_CLOSE",
    "framing",
    "parse_head",
]

MAX_HEAD: Final = 100 * 1024  # an answer's head, and its trailers, as on the other transports
MAX_LINE: Final = 4096  # a chunk's size line, extensions included

_STATUS: Final = re.compile(rb"HTTP/1\.([01]) ([0-9]{3})(?: ([\t\x20-\x7e\x80-\xff]*))?")
FIELD: Final = re.compile(rb"([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*([\t\x20-\x7e\x80-\xff]*?)[ \t]*")
CHUNK_SIZE: Final = re.compile(rb"([0-9A-Fa-f]{1,16})[ \t]*(?:;[\t\x20-\x7e\x80-\xff]*)?")

# What frames an answer's body; in chunked bodies, where the parser stands.
LENGTH, CHUNKED, UNTIL_CLOSE = 0, 1, 2
SIZE_LINE, AFTER_DATA, TRAILERS = -1, -2, -3


def parse_head(head: bytes) -> tuple[int, bytes, list[tuple[bytes, bytes]]]:
    """The status, reason and header fields of a head; what is wrong, never its bytes."""
    lines = head.split(b"\r\n")
    status = _STATUS.fullmatch(lines[0])
    if status is None:
        raise httpx.RemoteProtocolError("The answer's status line is not HTTP/1.1 or HTTP/1.0.")
    headers = []
    for line in lines[1:]:
        field = FIELD.fullmatch(line)
        if field is None:
            if line[:1] in (b" ", b"\t"):
                raise httpx.RemoteProtocolError("The answer's head folds a header over lines.")
            raise httpx.RemoteProtocolError("The answer's head holds a malformed header line.")
        headers.append((field[1], field[2]))
    code = int(status[2])
    if code < 100:
        raise httpx.RemoteProtocolError("The answer's status code is below 100.")
    return code, status[3] or b"", headers


def framing(
    status: int, headers: list[tuple[bytes, bytes]], no_body: bool, http10: bool
) -> tuple[int, int, bool]:
    """How the body is framed: (mode, length or chunk state, whether the connection stays)."""
    length: int | None = None
    chunked: bool | None = None  # None: no Transfer-Encoding
    keep_alive = not http10 and status != 101
    for name, value in headers:
        name = name.lower()
        if name == b"content-length":
            for item in value.split(b","):
                item = item.strip(b" \t")
                if not item.isdigit() or len(item) > 18:
                    raise httpx.RemoteProtocolError("The answer's Content-Length is not valid.")
                if length is not None and int(item) != length:
                    raise httpx.RemoteProtocolError("The answer has several Content-Lengths.")
                length = int(item)
        elif name == b"transfer-encoding":
            # Chunked alone, once: another coding would reach the caller still coded (no
            # transport here decodes them), and h11 refuses them all the same.
            codings = [coding.strip(b" \t").lower() for coding in value.split(b",")]
            if chunked is not None or codings != [b"chunked"]:
                raise httpx.RemoteProtocolError(
                    "The answer's Transfer-Encoding is not chunked alone."
                )
            chunked = True
        elif name == b"connection" and b"close" in (
            token.strip(b" \t").lower() for token in value.split(b",")
        ):
            keep_alive = False
    if no_body or status in (204, 304) or status == 101:
        return LENGTH, 0, keep_alive
    if chunked is not None:
        if length is not None:
            # A smuggling attempt, or a proxy's mistake (RFC 9112, 6.3): read neither way.
            raise httpx.RemoteProtocolError(
                "The answer has both a Content-Length and a Transfer-Encoding."
            )
        return CHUNKED, SIZE_LINE, keep_alive
    if length is not None:
        return LENGTH, length, keep_alive
    return UNTIL_CLOSE, 0, False
