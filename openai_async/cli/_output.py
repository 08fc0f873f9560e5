"""What the command line prints: text for people, JSON Lines with ``--json``, and exit codes."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping
from typing import Any, TextIO

from .._exceptions import (
    APIConnectionError,
    APIStatusError,
    APIStreamError,
    AuthenticationError,
    InvalidParameterError,
    MissingAPIKeyError,
    NotFoundError,
    OpenAIError,
    PermissionDeniedError,
    RateLimitError,
)
from .._models import APIObject

__all__ = ["EXIT", "Output", "error_line", "exit_code", "fail"]

# One code per kind of failure, so a script can tell them apart.
EXIT: Mapping[str, int] = {
    "ok": 0,
    "error": 1,  # anything else the client raised
    "usage": 2,  # bad arguments or an unreadable input file: nothing was sent
    "auth": 3,  # no key, or the server refused it (401, 403)
    "not_found": 4,  # 404
    "rate_limit": 5,  # 429 after the retries
    "api": 6,  # any other error status
    "connection": 7,  # the server could not be reached, or timed out
    "stream": 8,  # a stream broke: truncated, an error event, an undecodable chunk
    "failed": 9,  # the work ran but failed: a fine-tune failed, batch items failed
    "pending": 10,  # the work has not finished yet: a batch's output asked for too early
    "interrupted": 130,  # Ctrl-C, as shells report SIGINT
}

# Most specific first: the first class an exception is an instance of wins.
_KINDS: tuple[tuple[type[BaseException], str], ...] = (
    (MissingAPIKeyError, "auth"),
    (InvalidParameterError, "usage"),
    (AuthenticationError, "auth"),
    (PermissionDeniedError, "auth"),
    (NotFoundError, "not_found"),
    (RateLimitError, "rate_limit"),
    (APIStatusError, "api"),
    (APIConnectionError, "connection"),
    (APIStreamError, "stream"),
    (OSError, "usage"),  # a local file that cannot be read or written
    (OpenAIError, "error"),
)


def exit_code(exc: BaseException) -> int:
    """The exit code for an exception that ended a command."""
    for kind, name in _KINDS:
        if isinstance(exc, kind):
            return EXIT[name]
    return EXIT["error"]


def error_line(exc: BaseException) -> str:
    """One line for stderr: the error's class, what the server said, and its request id."""
    if isinstance(exc, OSError) and exc.filename is not None:
        text = f"{exc.strerror or exc}: {exc.filename}"
    else:
        text = str(exc) or type(exc).__name__
    if isinstance(exc, APIStatusError) and exc.request_id and exc.request_id not in text:
        text += f" (request id {exc.request_id})"
    return f"openai-async: {type(exc).__name__}: {' '.join(text.split())}"


def fail(out: Output, message: str, kind: str) -> int:
    """Say on stderr, in one line, why a command ends without success; its exit code."""
    out.stdout.flush()
    print(f"openai-async: {' '.join(message.split())}", file=sys.stderr)
    return EXIT[kind]


class Output:
    """Where results go: readable text, or with ``json_lines`` one JSON document per line."""

    def __init__(self, *, json_lines: bool, stdout: TextIO | None = None) -> None:
        self.json_lines = json_lines
        self.stdout = stdout if stdout is not None else sys.stdout

    def line(self, text: str = "", *, end: str = "\n") -> None:
        """Text for people (nothing in ``--json`` mode)."""
        if not self.json_lines:
            self.stdout.write(text + end)
            self.stdout.flush()

    def data(self, value: Any) -> None:
        """A JSON value: one compact line with ``--json``, indented otherwise."""
        if isinstance(value, APIObject):
            value = value.to_dict()
        indent = None if self.json_lines else 2
        self.stdout.write(json.dumps(value, indent=indent, ensure_ascii=False) + "\n")
        self.stdout.flush()

    def result(self, obj: Any, text: str | None = None) -> None:
        """``obj`` as JSON with ``--json``; otherwise ``text``, or ``obj`` as indented JSON."""
        if self.json_lines or text is None:
            self.data(obj)
        else:
            self.line(text)

    def rows(self, obj: Any, items: Iterable[Any], *columns: str) -> None:
        """A listing: the whole answer with ``--json``, else one line per item."""
        if self.json_lines:
            self.data(obj)
            return
        for item in items:
            self.line("  ".join(str(getattr(item, name, "")) for name in columns))
