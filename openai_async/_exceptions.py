"""The exceptions raised by openai_async, in one module.

Names follow the official SDK so that ``except`` clauses carry over::

    OpenAIError
    ├── APIError
    │   ├── APIConnectionError
    │   │   └── APITimeoutError
    │   ├── APIStatusError                 .status_code .request_id .body .headers
    │   │                                  .code .type .param .rate_limits
    │   │   ├── BadRequestError            400
    │   │   ├── AuthenticationError        401
    │   │   ├── PermissionDeniedError      403
    │   │   ├── NotFoundError              404
    │   │   ├── ConflictError              409
    │   │   ├── UnprocessableEntityError   422
    │   │   ├── RateLimitError             429
    │   │   └── InternalServerError        >= 500
    │   ├── APIResponseValidationError     a 2xx body that does not fit its model
    │   ├── PackingError                   a packed answer does not match its inputs
    │   ├── ResponseTooLargeError          a body past its cap  .setting .limit .response
    │   │   └── StreamTooLargeError        (also an APIStreamError, below)
    │   └── APIStreamError                 a 2xx event stream went wrong  .response
    │       ├── StreamTruncatedError       the body ended before data: [DONE]
    │       ├── StreamEventError           an event carried an error  .code .type .param
    │       ├── StreamDecodeError          an event is not JSON or does not fit  .data
    │       └── StreamTooLargeError        a line or event past max_event_size
    ├── MissingAPIKeyError                 no key given and none in the environment
    ├── ClientStateError                   the client is closed, or its pool belongs to
    │                                      another event loop (also a RuntimeError)
    └── InvalidParameterError              bad input (also a ValueError), names .param

Lower-level exceptions (aiohttp, httpx, anyio, OSError) are translated into this tree
where the response and its body stream are made (``_aiohttp`` for aiohttp's,
``_transport`` for the rest); a connection that breaks or times out in the middle of a
stream is an ``APIConnectionError`` / ``APITimeoutError`` too.
No message built here ever includes the API key: messages are made from status,
server body and request id, and every ``APIError``'s message has the request's
credentials taken out (``redact``): a server has the key (we sent it) and may echo it
in an error message or a malformed answer, which would then reach logs and tracebacks.
What a server sent goes into a message only as an
``excerpt`` (a few hundred characters, nesting cut short), so that a hostile 64 MB or
deeply nested error body makes neither a 64 MB message nor a ``RecursionError``; the
parsed body stays whole on ``.body``.
"""

from __future__ import annotations

import re
import reprlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final, TypeVar

import httpx

if TYPE_CHECKING:
    from ._ratelimit import RateLimits
    from .types import ChatCompletion

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APIStreamError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "ContentFilterFinishReasonError",
    "InternalServerError",
    "InvalidParameterError",
    "LengthFinishReasonError",
    "MissingAPIKeyError",
    "NotFoundError",
    "OpenAIError",
    "PackingError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseTooLargeError",
    "StreamDecodeError",
    "StreamEventError",
    "StreamTooLargeError",
    "StreamTruncatedError",
    "UnprocessableEntityError",
]

# What stands in a message for a credential the server quoted back.
REDACTED: Final = "[redacted]"
# The request headers whose values are credentials, unless the request names its own
# (``_origin``'s extension: these and every ``default_headers`` name). The organization
# and project are identifiers a message may well name, not credentials.
_CREDENTIAL_HEADERS: Final = frozenset({"authorization", "api-key", "proxy-authorization"})
_NOT_CREDENTIALS: Final = frozenset({"openai-organization", "openai-project"})
# Shorter values are not looked for (a test's "sk-x" would eat ordinary words); the
# first characters of a longer one are, so that a cut-off copy goes too.
_MIN_SECRET: Final = 8
_SECRET_PREFIX: Final = 12

# How much of what a server sent an exception message may quote.
EXCERPT_LIMIT: Final = 500
# ``response.extensions[BODY_CUT_KEY]``: the cap an error body was cut at (``_bodies``).
BODY_CUT_KEY: Final = "openai_async.body_cut_at"


class _Excerpt(reprlib.Repr):
    # reprlib bounds both the depth and the width of what it shows, and does so
    # without recursing into the parts it leaves out: safe on any parsed JSON.
    def __init__(self) -> None:
        super().__init__()  # Python 3.11's takes no settings: they are attributes
        self.maxlevel = 4
        self.maxdict = self.maxlist = self.maxtuple = 8
        self.maxstring = self.maxother = 200


_excerpt_repr = _Excerpt()


def excerpt(value: object, limit: int = EXCERPT_LIMIT) -> str:
    """At most ``limit`` characters of ``value`` for an exception message.

    A ``str`` is quoted as is, cut short with the count of what was left out; any
    other value (parsed JSON) by a bounded ``repr`` that never recurses deeply.
    """
    text = value if isinstance(value, str) else _excerpt_repr.repr(value)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text) - limit} more characters)"


def shown(value: object, limit: int = 60) -> str:
    """A wrong argument as a message about it may show it.

    A ``str``, number, bool or None by its ``repr`` (cut short); anything else only by
    its type's name: ``str()`` or ``repr()`` of an arbitrary object runs its code and may
    give away what it holds (a key, a prompt).
    """
    if type(value) is int and value.bit_length() > limit * 3:
        return f"an integer of {value.bit_length()} bits"  # past 4,300 digits repr raises
    if value is None or type(value) in (str, int, float, bool):
        text = repr(value)
        return text if len(text) <= limit else f"{text[:limit]}..."
    return f"an object of type {type(value).__name__}"


class OpenAIError(Exception):
    """Base class of every exception this package raises on purpose."""


class MissingAPIKeyError(OpenAIError):
    """No API key was given and ``OPENAI_API_KEY`` is not set."""


class ClientStateError(OpenAIError, RuntimeError):
    """The client cannot send: it was closed, or its pool serves another event loop."""


class InvalidParameterError(OpenAIError, ValueError):
    """An argument was rejected before any request was sent; ``.param`` names it."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(f"{param}: {message}")
        self.param = param


def _secrets(request: httpx.Request) -> list[str]:
    from ._origin import CREDENTIALS_KEY

    credentials = request.extensions.get(CREDENTIALS_KEY)
    names = _CREDENTIAL_HEADERS if credentials is None else credentials[1] | _CREDENTIAL_HEADERS
    found = []
    for name in names - _NOT_CREDENTIALS:
        for value in request.headers.get_list(name):
            secret = value.rsplit(" ", 1)[-1]  # "Bearer sk-...": the scheme is no secret
            if len(secret) >= _MIN_SECRET:
                found.append(secret)
    return found


def redact(text: str, request: httpx.Request | None) -> str:
    """``text`` with every credential the request carried replaced by ``[redacted]``.

    A copy cut short (an excerpt ending inside the key) goes too: what matches is the
    credential's first characters and whatever follows them up to a space or quote.
    """
    if request is None:
        return text
    for secret in _secrets(request):
        prefix = secret[:_SECRET_PREFIX]
        if prefix in text:
            text = re.sub(re.escape(prefix) + r"[^\s'\"]*", REDACTED, text)
    return text


def quotes_credentials(exc: BaseException, request: httpx.Request) -> bool:
    """Whether ``exc``, or an exception reachable from it, quotes the request's credentials.

    Reachable: its cause, its context (suppressed or not) and, in an exception group,
    its members, each in turn. An error of ours must not chain to one that does: a
    traceback would show it, and anything that walks the chain would find it.
    """
    secrets = [secret[:_SECRET_PREFIX] for secret in _secrets(request)]
    if not secrets:
        return False
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        try:
            text = f"{current!s} {current!r}"
        except RecursionError:  # it quotes a deeply nested value: what, it cannot tell
            return True
        if any(secret in text for secret in secrets):
            return True
        todo += [current.__cause__, current.__context__]
        if isinstance(current, BaseExceptionGroup):
            todo += current.exceptions
    return False


def caused_by(error: _APIErrorT, cause: BaseException) -> _APIErrorT:
    """``error`` raised from ``cause``, unless ``cause`` quotes its request's credentials.

    As ``raise error from cause``; but a parser's exception that quotes what a server
    sent (which may echo the key) is left out when it holds a credential, and the error
    chains to nothing. Raise the result outside the ``except`` block that caught
    ``cause``: raised inside, it would have ``cause`` as its ``__context__`` all the same.
    """
    error.__suppress_context__ = True
    if error.request is None or not quotes_credentials(cause, error.request):
        error.__cause__ = cause
    return error


class APIError(OpenAIError):
    """A request was sent (or attempted) and did not give a usable answer."""

    def __init__(self, message: str, *, request: httpx.Request | None = None) -> None:
        message = redact(message, request)
        super().__init__(message)
        self.message = message
        self.request = request


_APIErrorT = TypeVar("_APIErrorT", bound=APIError)


class APIConnectionError(APIError):
    """The server could not be reached, or the connection broke."""

    def __init__(
        self, message: str = "Connection error.", *, request: httpx.Request | None = None
    ) -> None:
        super().__init__(message, request=request)


class APITimeoutError(APIConnectionError):
    """A connect, read, write or pool timeout expired."""

    def __init__(
        self, message: str = "Request timed out.", *, request: httpx.Request | None = None
    ) -> None:
        super().__init__(message, request=request)


class APIResponseValidationError(APIError):
    """The server answered 2xx with a body that does not fit the expected model."""

    def __init__(self, message: str, *, response: httpx.Response, body: object) -> None:
        super().__init__(message, request=response.request)
        self.response = response
        self.status_code = response.status_code
        self.body = body


class LengthFinishReasonError(APIResponseValidationError):
    """An answer to parse was cut at the token limit (``finish_reason`` ``"length"``).

    The official SDK's error, raised where it raises it: by ``chat.completions.parse()``
    and ``stream().get_final_completion()`` whatever was asked, and while iterating a
    ``stream()`` with a response format class or a strict tool, at the chunk that says
    so. The cut answer would not parse, or would parse to less than was asked.
    ``completion`` is the completion (when streaming, the chunks so far).
    """

    def __init__(
        self, *, completion: ChatCompletion, response: httpx.Response, body: object = None
    ) -> None:
        message = "Could not parse response content as the length limit was reached"
        if completion.usage is not None:
            message += f" - {completion.usage}"
        super().__init__(message, response=response, body=body)
        self.completion = completion


class ContentFilterFinishReasonError(APIResponseValidationError):
    """An answer to parse was stopped by the content filter (finish_reason "content_filter").

    Raised where ``LengthFinishReasonError`` is (the official SDK's error too);
    ``completion`` is the completion (when streaming, the chunks so far).
    """

    def __init__(
        self, *, completion: ChatCompletion, response: httpx.Response, body: object = None
    ) -> None:
        super().__init__(
            "Could not parse response content as the request was rejected by the content filter",
            response=response,
            body=body,
        )
        self.completion = completion


def finish_reason_error(
    reason: str | None, completion: ChatCompletion, response: httpx.Response, body: object
) -> APIResponseValidationError | None:
    """The error a parse raises for an answer that ended for ``reason``, if any."""
    if reason == "length":
        return LengthFinishReasonError(completion=completion, response=response, body=body)
    if reason == "content_filter":
        return ContentFilterFinishReasonError(completion=completion, response=response, body=body)
    return None


class PackingError(APIError):
    """A packed answer (several prompts or inputs in one request) does not match them.

    Raised when an index is missing, repeated or out of range: the answers cannot be
    given back to their inputs with certainty.
    """


class APIStatusError(APIError):
    """The server answered with a 4xx or 5xx status.

    ``body`` is OpenAI's error object (the ``{"message", "type", "param", "code"}``
    inside ``{"error": ...}``), as the official SDK gives it; a body in another shape
    is kept whole: parsed JSON, or the text when it is not JSON (an HTML 502 page
    from a proxy, say). ``code``, ``type`` and ``param`` come from the error object,
    else they are None. ``response`` has the body exactly as it came.
    """

    def __init__(self, message: str, *, response: httpx.Response, body: object) -> None:
        super().__init__(message, request=response.request)
        self.response = response
        self.status_code: int = response.status_code
        self.headers: httpx.Headers = response.headers
        self.request_id: str | None = response.headers.get("x-request-id")
        error = _error_object(body)
        self.body: object = error or body
        self.code: str | None = _str_or_none(error.get("code"))
        self.type: str | None = _str_or_none(error.get("type"))
        self.param: str | None = _str_or_none(error.get("param"))

    @property
    def rate_limits(self) -> RateLimits:
        """The response's ``x-ratelimit-*`` headers, parsed (None where absent)."""
        from ._ratelimit import RateLimits  # with the first use, not with the package

        return RateLimits.from_headers(self.headers)


class BadRequestError(APIStatusError):
    """400: the request was malformed or a parameter was rejected."""


class AuthenticationError(APIStatusError):
    """401: the key is missing, wrong or revoked."""


class PermissionDeniedError(APIStatusError):
    """403: the key may not do this."""


class NotFoundError(APIStatusError):
    """404: no such resource (or model)."""


class ConflictError(APIStatusError):
    """409: the resource changed under the request."""


class UnprocessableEntityError(APIStatusError):
    """422: the request was well-formed but could not be processed."""


class RateLimitError(APIStatusError):
    """429: too many requests or tokens, or the quota is used up (``code``)."""


class InternalServerError(APIStatusError):
    """A 5xx status: the server (or a proxy before it) failed."""


class APIStreamError(APIError):
    """A streamed (2xx, ``text/event-stream``) answer went wrong after it began."""

    def __init__(self, message: str, *, response: httpx.Response) -> None:
        super().__init__(message, request=response.request)
        self.response = response
        self.request_id: str | None = response.headers.get("x-request-id")


class StreamTruncatedError(APIStreamError):
    """The body ended cleanly but without ``data: [DONE]``: the answer is incomplete."""


class StreamEventError(APIStreamError):
    """An event carried an ``error`` object (or had type ``error``) instead of a chunk.

    ``body`` is the event's decoded JSON (or its text); ``code``, ``type`` and ``param``
    come from its ``error`` object when there is one.
    """

    def __init__(self, message: str, *, response: httpx.Response, body: object) -> None:
        super().__init__(message, response=response)
        self.body = body
        error = _error_object(body)
        self.code: str | None = _str_or_none(error.get("code"))
        self.type: str | None = _str_or_none(error.get("type"))
        self.param: str | None = _str_or_none(error.get("param"))


class StreamDecodeError(APIStreamError):
    """An event's data is not valid JSON or does not fit the chunk type; ``data`` keeps it."""

    def __init__(self, message: str, *, response: httpx.Response, data: str) -> None:
        super().__init__(message, response=response)
        self.data = data


class ResponseTooLargeError(APIError):
    """A body is larger than its cap allows; ``setting`` names the cap, ``limit`` is its value.

    Raised for a reply read whole past ``max_response_size`` (decoded bytes), for a
    body whose stacked content codings could inflate past any cap, and, as
    ``StreamTooLargeError``, for one line or event of a stream past ``max_event_size``.
    Reading stopped at the cap and the connection was closed, so memory stays
    bounded whatever the server sends. Not retried: the same request would get the
    same answer. ``except ResponseTooLargeError`` catches all of these.
    """

    def __init__(self, message: str, *, response: httpx.Response, setting: str, limit: int) -> None:
        # APIError's, not super()'s: for a StreamTooLargeError the next class in line
        # is APIStreamError, whose attributes are set here.
        APIError.__init__(self, message, request=response.request)
        self.response = response
        self.request_id: str | None = response.headers.get("x-request-id")
        self.setting = setting
        self.limit = limit


class StreamTooLargeError(ResponseTooLargeError, APIStreamError):
    """One line or one event of the stream is longer than its cap allows.

    ``setting`` names the cap (``max_event_size``) and ``limit`` is its value; the
    stream stopped reading there, so memory stays bounded whatever the server sends.
    """


_STATUS_ERRORS: Mapping[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def status_error(response: httpx.Response, body: object) -> APIStatusError:
    """Build the exception for an error response whose body has been read."""
    status = response.status_code
    cls = _STATUS_ERRORS.get(status)
    if cls is None:
        cls = InternalServerError if status >= 500 else APIStatusError
    error = _error_object(body)
    detail = error.get("message") if error else body
    if not detail:
        detail = response.reason_phrase
    message = f"Error code: {status} - {excerpt(detail)}"
    cut_at = response.extensions.get(BODY_CUT_KEY)
    if cut_at:
        message += f" (the body was cut at max_error_size, {cut_at:,} bytes)"
    elif cut_at is not None:
        message += " (the body was not read: it is compressed more than once)"
    request_id = response.headers.get("x-request-id")
    if request_id:
        message += f" (request id {excerpt(request_id, 100)})"
    return cls(message, response=response, body=body)


def _error_object(body: object) -> Mapping[str, Any]:
    if isinstance(body, Mapping):
        error = body.get("error")
        if isinstance(error, Mapping):
            return error
    return {}


def _str_or_none(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    # A number is fine as its text; a nested object from a hostile server is cut short.
    return excerpt(value) if isinstance(value, Mapping | list) else str(value)
