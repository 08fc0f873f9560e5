"""Hostile answers for ``RawServer``: bodies without end, gzip bombs, huge error bodies.

Each is a generator of bytes, made as it is sent, so that offering 1 GiB costs the
test nothing when the client stops early.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator

MIB = 1 << 20
GIB = 1 << 30

_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"


def head(status: int = 200, content_type: str = "application/json", *extra: str) -> bytes:
    """A response head with no length: the body ends when the connection closes."""
    lines = [f"HTTP/1.1 {status} X", f"content-type: {content_type}", *extra, "connection: close"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def endless(status: int, prefix: bytes, size: int) -> Iterator[bytes]:
    """``prefix`` then ``x`` up to ``size`` bytes, uncompressed, with no length given."""
    yield head(status)
    yield prefix
    block = b"x" * 65536
    for _ in range(size // len(block)):
        yield block


def gzip_body(prefix: bytes, size: int) -> Iterator[bytes]:
    """A gzip body of ``prefix`` then ``size`` bytes of ``x``: ~1 KiB on the wire per MiB.

    Each MiB of ``x`` is compressed once, after a full flush, so the same ~1 KiB of
    deflate stands for every MiB; the trailer's CRC is kept as it goes, so the body
    is valid gzip to its end.
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = b"x" * MIB
    yield _GZIP_HEADER + compressor.compress(prefix) + compressor.flush(zlib.Z_FULL_FLUSH)
    segment = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc = zlib.crc32(prefix)
    block_crcs = 64
    for sent in range(0, size // MIB, block_crcs):
        count = min(block_crcs, size // MIB - sent)
        for _ in range(count):
            crc = zlib.crc32(block, crc)
        yield segment * count
    total = len(prefix) + size // MIB * MIB
    yield compressor.flush() + struct.pack("<II", crc & 0xFFFFFFFF, total & 0xFFFFFFFF)


def gzip_answer(
    size: int, *, status: int = 200, content_type: str = "application/json", layers: int = 1
) -> Iterator[bytes]:
    """A whole answer: a head naming gzip (``layers`` times), then a gzip bomb."""
    encoding = ", ".join(["gzip"] * layers)
    yield head(status, content_type, f"content-encoding: {encoding}")
    prefix = b"data: " if content_type == "text/event-stream" else b'{"data": "'
    yield from gzip_body(prefix, size)
