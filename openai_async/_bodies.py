"""Response bodies read within bounds, whatever the server sends.

Three bounds, all counted on decoded (decompressed) bytes:

- a reply read whole (JSON, a file's content, ``client.request``, a raw response) holds
  at most ``max_response_size`` bytes; past it ``ResponseTooLargeError``;
- an error body is read up to ``max_error_size`` bytes and cut there: the status's
  error is raised as usual, with the part that was read (its message an excerpt);
- a compressed body is handed to httpx's decoder 1 KiB at a time (``Pieces``),
  so that no single step inflates past ~1 MiB (gzip, deflate), and a body with
  stacked codings (``gzip, gzip``: each layer multiplies the ~1,000-fold of one)
  is refused unread. Requests ask for gzip and deflate only. A streamed body
  (``iter_bytes``, ``stream_to_file``, an event stream) is unbounded in total but
  flat in memory for the same reason.

``HTTPXSend`` applies them to every answer, on every transport; ``StreamedAPIResponse``
uses ``read_whole`` for the bodies its caller reads whole.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Final

import anyio
import httpx

from ._exceptions import BODY_CUT_KEY, ResponseTooLargeError

__all__ = [
    "ACCEPT_ENCODING",
    "DEFAULT_MAX_ERROR_SIZE",
    "DEFAULT_MAX_EVENT_SIZE",
    "DEFAULT_MAX_RESPONSE_SIZE",
    "Pieces",
    "check_codings",
    "coding_layers",
    "read_error",
    "read_whole",
]

# The largest JSON reply a real user gets is an embeddings reply of 2,048 inputs of
# 3,072 dimensions as floats: ~160 MB as OpenAI prints them (a float a line).
DEFAULT_MAX_RESPONSE_SIZE: Final = 256 << 20
# OpenAI's error bodies are a few hundred bytes; a proxy's HTML page a few dozen KiB.
DEFAULT_MAX_ERROR_SIZE: Final = 1 << 20
# One line, and one event's data, of an event stream (``_sse``), in characters. The
# largest events real servers send (a partial image, base64) are a few MB.
DEFAULT_MAX_EVENT_SIZE: Final = 16 * 1024 * 1024

# The codings httpx may decode (br and zstd only with their optional packages).
_CODINGS: Final = frozenset({"gzip", "deflate", "br", "zstd"})
# How much compressed input one decoding step gets. Deflate (gzip, deflate) inflates
# at most ~1,032-fold, so 1 KiB makes at most ~1 MiB; zstd at most ~32,768-fold (32
# bytes made 1 MiB, measured). Brotli's one byte can end a meta-block of 16 MiB, so
# no piece size bounds it below that (16 bytes made 32 MiB, measured): requests ask
# for gzip and deflate only (``ACCEPT_ENCODING``), and br gets small pieces when a
# server sends it anyway or the caller asked for it.
_PIECE: Final = {"gzip": 1024, "deflate": 1024, "zstd": 128, "br": 16}
ACCEPT_ENCODING: Final = "gzip, deflate"


def coding_layers(response: httpx.Response) -> list[str]:
    """The content codings of ``response`` that httpx decodes, outermost last."""
    values = response.headers.get_list("content-encoding", split_commas=True)
    return [v for v in (value.strip().lower() for value in values) if v in _CODINGS]


def check_codings(response: httpx.Response, layers: list[str], limit: int, setting: str) -> None:
    """Refuse a body with stacked codings (``layers``), whose decoded size nothing can bound.

    One layer of deflate turns a 1 KiB piece into 1 MiB; a second turns those into
    1 GiB in the same step. No server compresses twice, so it is refused unread.
    """
    if len(layers) > 1:
        raise ResponseTooLargeError(
            f"The response's body is compressed {len(layers)} times "
            f"(content-encoding: {', '.join(layers)}): each layer multiplies what one "
            f"byte inflates to, so it could pass {setting} ({limit:,} bytes) in one step; "
            "it was not read",
            response=response,
            setting=setting,
            limit=limit,
        )


class Pieces(httpx.AsyncByteStream):
    """A compressed body's bytes in pieces small enough to inflate within a few MiB."""

    __slots__ = ("_size", "_stream")

    def __init__(self, stream: object, size: int) -> None:
        assert isinstance(stream, httpx.AsyncByteStream)
        self._stream = stream
        self._size = size

    @classmethod
    def wrap(cls, response: httpx.Response, layers: list[str]) -> None:
        """Give ``response``'s decoder its body in pieces, when it has codings (``layers``)."""
        if layers:
            response.stream = cls(response.stream, min(_PIECE[layer] for layer in layers))

    async def __aiter__(self) -> AsyncIterator[bytes]:
        size = self._size
        async for chunk in self._stream:
            if len(chunk) <= size:
                yield chunk
            else:
                for start in range(0, len(chunk), size):
                    yield chunk[start : start + size]

    async def aclose(self) -> None:
        await self._stream.aclose()


async def _read_up_to(response: httpx.Response, limit: int) -> tuple[list[bytes], bool]:
    """The decoded body in parts, at most ``limit`` bytes, and whether that was all of it.

    A body longer than ``limit`` is closed at the first chunk past it (which is cut
    to fit): no more of it is held, and its connection is not reused.
    """
    from ._streaming import finish_chunks  # it imports this module

    parts: list[bytes] = []
    size = 0
    chunks = response.aiter_bytes()
    async for chunk in chunks:
        if size + len(chunk) > limit:
            parts.append(chunk[: limit - size])
            break
        size += len(chunk)
        parts.append(chunk)
    else:
        return parts, True
    # Closed first, so that httpx's nested generators end at once (trio reports any
    # left half-way), as the stream does on an early exit.
    with anyio.CancelScope(shield=True):
        await response.aclose()
        await finish_chunks(chunks)
    return parts, False


def _read_copy(response: httpx.Response, content: bytes, cut_at: int | None) -> httpx.Response:
    """``response`` with ``content`` as its body, read: its decoded bytes, as httpx's own.

    Built with httpx's constructor, which reads a ``content`` given to it through the
    decoder the headers name: so it is built without ``content-encoding`` (the bytes
    are decoded already), then given the headers as they came.
    """
    extensions = dict(response.extensions)
    if cut_at is not None:
        extensions[BODY_CUT_KEY] = cut_at
    plain = [(k, v) for k, v in response.headers.raw if k.lower() != b"content-encoding"]
    copy = httpx.Response(
        response.status_code,
        headers=plain,
        content=content,
        request=response.request,
        extensions=extensions,
        history=response.history,
        default_encoding=response.default_encoding,
    )
    copy.headers = response.headers
    copy.next_request = response.next_request
    with contextlib.suppress(RuntimeError):  # set by httpx once the stream is closed
        copy.elapsed = response.elapsed
    return copy


def _plain_length(response: httpx.Response, layers: list[str]) -> int | None:
    """The body's size when it is sent uncompressed with a ``content-length``, else None.

    Such a body is exactly that long: HTTP/1.1 and HTTP/2 both frame it by this
    header (aiohttp, h11 and h2 read no more), so it can be read with ``aread``. Not
    when ``transfer-encoding`` is there too: chunks frame the body then (h11 reads them
    to their end, whatever the length said), so it is counted as it comes.
    """
    if response.request.method == "HEAD" or response.status_code in (204, 304):
        return 0  # no body, whatever content-length says
    headers = response.headers
    value = headers.get("content-length")
    if (
        value is None
        or not (value.isascii() and value.isdigit())
        or len(value) > 18
        or "transfer-encoding" in headers
        or layers
    ):
        return None
    return int(value)


def _too_large(response: httpx.Response, limit: int, what: str) -> ResponseTooLargeError:
    return ResponseTooLargeError(
        f"The response's body {what} max_response_size ({limit:,} bytes, decoded); "
        "it was read no further. Raise the cap with max_response_size= (AsyncClient "
        "or with_options), or stream the body (with_streaming_response and "
        "iter_bytes, or files.download)",
        response=response,
        setting="max_response_size",
        limit=limit,
    )


async def read_whole(response: httpx.Response, limit: int, layers: list[str]) -> httpx.Response:
    """``response`` read whole; ``ResponseTooLargeError`` past ``limit`` decoded bytes.

    The response given, read, or a new one when the body had to be counted as it
    came (compressed, or of no declared size). The caller closes the one given:
    a body cut short must not go back to the pool.
    """
    length = _plain_length(response, layers)
    if length is not None:
        if length > limit:
            raise _too_large(
                response, limit, f"is {length:,} bytes long (content-length), more than"
            )
        await response.aread()
        return response
    check_codings(response, layers, limit, "max_response_size")
    parts, whole = await _read_up_to(response, limit)
    if not whole:
        parts.clear()  # not joined, and not kept by the traceback's frames
        raise _too_large(response, limit, "is longer than")
    return _read_copy(response, b"".join(parts), None)


async def read_error(response: httpx.Response, limit: int, layers: list[str]) -> httpx.Response:
    """An error ``response`` read up to ``limit`` decoded bytes (itself, or a new one).

    A longer body is cut at ``limit`` (``extensions[BODY_CUT_KEY]`` says so); a body
    with stacked codings is not read at all. Either way the caller raises the
    status's error as usual: the status says what went wrong, the body only details it.
    """
    length = _plain_length(response, layers)
    if length is not None and length <= limit:
        await response.aread()
        return response
    try:
        check_codings(response, layers, limit, "max_error_size")
    except ResponseTooLargeError:
        return _read_copy(response, b"", 0)
    parts, whole = await _read_up_to(response, limit)
    return _read_copy(response, b"".join(parts), None if whole else limit)
