"""An incremental decoder for server-sent events (WHATWG HTML, "event stream" parsing).

Feed it bytes as they arrive, get complete events back::

    decoder = SSEDecoder()
    async for chunk in response.aiter_bytes():
        for event in decoder.feed(chunk):
            ...

It follows the specification, not its common approximations: UTF-8 with replacement
whatever the declared charset, one leading BOM dropped, lines ending at CRLF, LF or CR
(also when a CRLF is split across two chunks) and nowhere else, an event with an empty
data buffer never dispatched, and an unterminated last event dropped at the end. Work
is linear in the input however it is split.

Memory is bounded: one line, and the data of one event, may hold at most
``max_event_size`` characters (``DEFAULT_MAX_EVENT_SIZE``, 16 MiB, by default; for the
ASCII JSON servers send, characters are bytes). Past it ``feed`` raises
``EventTooLarge`` at once, having kept no more than that, so a server sending an
endless line without a newline costs the cap and no more.
"""

from __future__ import annotations

import codecs
import re
from typing import Final

import attrs

from ._bodies import DEFAULT_MAX_EVENT_SIZE

__all__ = ["DEFAULT_MAX_EVENT_SIZE", "EventTooLarge", "SSEDecoder", "ServerSentEvent"]

# Only CR and LF end a line: str.splitlines() would also split at U+2028, U+0085, etc.
_LINE_END: Final = re.compile(r"\r\n|\r|\n")


@attrs.frozen
class ServerSentEvent:
    """One dispatched event: its type, its data, and the last event id seen so far."""

    data: str
    event: str = "message"
    id: str = ""


class EventTooLarge(ValueError):
    """A line, or the data of one event, is longer than ``max_event_size``."""

    def __init__(self, what: str, limit: int) -> None:
        super().__init__(f"{what} is longer than max_event_size ({limit:,} characters)")
        self.limit = limit


class SSEDecoder:
    """Turn a byte stream into ``ServerSentEvent`` objects, one chunk at a time.

    ``retry`` holds the last valid reconnection time (milliseconds) the stream set.
    Call ``close()`` at the end of the stream: it drops what was not terminated.
    ``max_event_size`` bounds one line and the data of one event (``EventTooLarge``).
    """

    __slots__ = (
        "_data",
        "_data_size",
        "_decoder",
        "_event",
        "_fresh",
        "_last_id",
        "_pending",
        "_pending_size",
        "_skip_lf",
        "_whole",
        "max_event_size",
        "retry",
    )

    def __init__(self, *, max_event_size: int = DEFAULT_MAX_EVENT_SIZE) -> None:
        self.max_event_size = max_event_size
        self._pending_size = 0  # characters in self._pending
        self._data_size = 0  # characters in the data lines of the event being built
        # utf-8-sig drops exactly one leading BOM, also when its bytes arrive split.
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="replace")
        self._fresh = True  # no byte decoded yet: a BOM may come
        self._whole = True  # the decoder holds no bytes of an unfinished character
        self._pending: list[str] = []  # pieces of an unfinished line
        self._skip_lf = False  # the last chunk ended with CR: a LF first in the next is its pair
        self._data: list[str] = []
        self._event = ""
        self._last_id = ""
        self.retry: int | None = None

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Decode ``chunk`` and return the events it completes (often none)."""
        if not chunk:
            return []
        if self._whole and chunk.isascii():
            # The usual chunk, ASCII JSON: one C call, not the incremental decoder's
            # Python layers. A stream that starts so has no BOM: from here on U+FEFF
            # is a character like any other, for the plain UTF-8 decoder.
            text = chunk.decode("ascii")
            if self._fresh:
                self._fresh = False
                self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        else:
            self._fresh = False
            text = self._decoder.decode(chunk)
            self._whole = not self._decoder.getstate()[0]
            if not text:
                return []
        if self._skip_lf:
            self._skip_lf = False
            if text[0] == "\n":
                text = text[1:]
                if not text:
                    return []
        # One split per chunk: the last piece is the start of a line still unfinished.
        # Without a CR in the text, LF is the only line end, and str.split is ~6x
        # cheaper than the regex (a quarter of the decoder's time per event).
        lines = _LINE_END.split(text) if "\r" in text else text.split("\n")
        rest = lines.pop()
        pending = self._pending
        limit = self.max_event_size
        if not lines:
            pending.append(rest)  # no line end yet: keep the pieces, join them once
            self._pending_size += len(rest)
            if self._pending_size > limit:
                raise EventTooLarge("A line of the event stream", limit)
            return []
        if pending:
            if self._pending_size + len(lines[0]) > limit:
                raise EventTooLarge("A line of the event stream", limit)
            pending.append(lines[0])
            lines[0] = "".join(pending)
            pending.clear()
        self._pending_size = len(rest)
        if rest:
            pending.append(rest)
            if len(rest) > limit:
                raise EventTooLarge("A line of the event stream", limit)
        elif text[-1] == "\r":
            self._skip_lf = True  # a LF opening the next chunk would complete this CRLF
        events: list[ServerSentEvent] = []
        data = self._data
        size = self._data_size
        for line in lines:
            # The common cases first, inline: "data: ..." and the blank line that ends it.
            if line.startswith("data: "):
                data.append(line[6:])
                size += len(line)
                if size > limit:
                    raise EventTooLarge("The data of one event", limit)
            elif not line:
                event = self._dispatch()
                size = 0
                if event is not None:
                    events.append(event)
            else:
                size += self._process_line(line)
                if size > limit:
                    raise EventTooLarge("The data of one event", limit)
        self._data_size = size
        return events

    def close(self) -> None:
        """End of stream: an unterminated line or event is discarded, per the spec."""
        self._decoder.decode(b"", final=True)
        self._whole = True
        self._pending.clear()
        self._pending_size = 0
        self._data.clear()
        self._data_size = 0
        self._event = ""
        self._skip_lf = False

    def _process_line(self, line: str) -> int:
        """Apply one field line; returns its size if it added to the event's data."""
        if line[0] == ":":
            return 0  # a comment, e.g. a keep-alive
        name, colon, value = line.partition(":")
        if colon and value[:1] == " ":
            value = value[1:]
        if name == "data":
            self._data.append(value)
            return len(line)
        if name == "event":
            self._event = value
        elif name == "id":
            if "\0" not in value:
                self._last_id = value
        elif name == "retry" and value.isascii() and value.isdigit() and len(value) <= 18:
            # str.isdigit() alone accepts non-ASCII digits; the spec wants ASCII only.
            # A longer value is ignored: no real delay has 19 digits of milliseconds,
            # and past 4,300 digits int() would raise.
            self.retry = int(value)
        return 0

    def _dispatch(self) -> ServerSentEvent | None:
        data = self._data
        event_type = self._event or "message"
        self._event = ""
        if not data:
            return None
        # One data line is the usual case: no join. The list is reused (feed holds it).
        text = data[0] if len(data) == 1 else "\n".join(data)
        data.clear()
        return ServerSentEvent(text, event_type, self._last_id)
