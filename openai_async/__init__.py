"""An asyncio-native client for the OpenAI API and OpenAI-compatible servers."""

import typing as _typing

from ._backoff import DEFAULT_MAX_RETRIES, RetryPolicy
from ._client import AsyncClient
from ._config import DEFAULT_BASE_URL, DEFAULT_LIMITS, DEFAULT_TIMEOUT, NOT_GIVEN, NotGiven
from ._exceptions import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APIStreamError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClientStateError,
    ConflictError,
    ContentFilterFinishReasonError,
    InternalServerError,
    InvalidParameterError,
    LengthFinishReasonError,
    MissingAPIKeyError,
    NotFoundError,
    OpenAIError,
    PackingError,
    PermissionDeniedError,
    RateLimitError,
    ResponseTooLargeError,
    StreamDecodeError,
    StreamEventError,
    StreamTooLargeError,
    StreamTruncatedError,
    UnprocessableEntityError,
)
from ._middleware import CallNext, Middleware, RequestOptions
from ._version import __version__

# The official SDK's name for the same thing: `from openai_async import AsyncOpenAI`
# is the whole change that code written for `openai.AsyncOpenAI` needs.
AsyncOpenAI = AsyncClient
not_given = NOT_GIVEN  # the SDK's newer spelling

if _typing.TYPE_CHECKING:
    from ._accumulate import (
        ChatCompletionAccumulator,
        CompletionAccumulator,
        accumulate_chat,
        accumulate_completion,
        text_deltas,
    )
    from ._aiohttp import aiohttp_transport
    from ._azure import AsyncAzureOpenAI
    from ._file_input import FileInput
    from ._http_client import DefaultAioHttpClient, DefaultAsyncHttpxClient
    from ._packing import PromptCompletion
    from ._pages import AsyncPaginator, PageInfo
    from ._progress import BatchProgress
    from ._ratelimit import RateLimits
    from ._request import APIRequest
    from ._response_meta import rate_limits_of, response_headers
    from ._sdk_names import (
        DEFAULT_CONNECTION_LIMITS,
        Omit,
        file_from_path,
        omit,
    )
    from ._streaming import AsyncStream, StreamEnd
    from ._structured import pydantic_function_tool
    from ._tokens import approximate_tokens
    from .jobs import BatchJob, BatchOptions, BatchRequest, BatchResult, BatchSummary, RedisLimiter

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_CONNECTION_LIMITS",
    "DEFAULT_LIMITS",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "NOT_GIVEN",
    "APIConnectionError",
    "APIError",
    "APIRequest",
    "APIResponseValidationError",
    "APIStatusError",
    "APIStreamError",
    "APITimeoutError",
    "AsyncAzureOpenAI",
    "AsyncClient",
    "AsyncOpenAI",
    "AsyncPaginator",
    "AsyncStream",
    "AuthenticationError",
    "BadRequestError",
    "BatchJob",
    "BatchOptions",
    "BatchProgress",
    "BatchRequest",
    "BatchResult",
    "BatchSummary",
    "CallNext",
    "ChatCompletionAccumulator",
    "ClientStateError",
    "CompletionAccumulator",
    "ConflictError",
    "ContentFilterFinishReasonError",
    "DefaultAioHttpClient",
    "DefaultAsyncHttpxClient",
    "FileInput",
    "InternalServerError",
    "InvalidParameterError",
    "LengthFinishReasonError",
    "Middleware",
    "MissingAPIKeyError",
    "NotFoundError",
    "NotGiven",
    "Omit",
    "OpenAIError",
    "PackingError",
    "PageInfo",
    "PermissionDeniedError",
    "PromptCompletion",
    "RateLimitError",
    "RateLimits",
    "RedisLimiter",
    "RequestOptions",
    "ResponseTooLargeError",
    "RetryPolicy",
    "StreamDecodeError",
    "StreamEnd",
    "StreamEventError",
    "StreamTooLargeError",
    "StreamTruncatedError",
    "UnprocessableEntityError",
    "accumulate_chat",
    "accumulate_completion",
    "aiohttp_transport",
    "approximate_tokens",
    "file_from_path",
    "not_given",
    "omit",
    "pydantic_function_tool",
    "rate_limits_of",
    "response_headers",
    "text_deltas",
    "__version__",
]

# Exports whose modules load on first use: they pull in the response types, anyio's
# streams and the batch machinery, most of the import time, for features a script
# calling one endpoint never touches; and the request description, the models, the
# stream and the pages, which the first request loads (as the resources do). Name ->
# module.
_LAZY = {
    "APIRequest": "._request",
    "AsyncAzureOpenAI": "._azure",
    "DEFAULT_CONNECTION_LIMITS": "._sdk_names",
    "Omit": "._sdk_names",
    "file_from_path": "._sdk_names",
    "omit": "._sdk_names",
    "AsyncPaginator": "._pages",
    "PageInfo": "._pages",
    "AsyncStream": "._streaming",
    "aiohttp_transport": "._aiohttp",
    "BatchJob": ".jobs",
    "BatchOptions": ".jobs",
    "BatchProgress": "._progress",
    "BatchRequest": ".jobs",
    "BatchResult": ".jobs",
    "BatchSummary": ".jobs",
    "DefaultAioHttpClient": "._http_client",
    "DefaultAsyncHttpxClient": "._http_client",
    "ChatCompletionAccumulator": "._accumulate",
    "CompletionAccumulator": "._accumulate",
    "FileInput": "._file_input",
    "PromptCompletion": "._packing",
    "RateLimits": "._ratelimit",
    "RedisLimiter": ".jobs",
    "StreamEnd": "._streaming",
    "accumulate_chat": "._accumulate",
    "accumulate_completion": "._accumulate",
    "approximate_tokens": "._tokens",
    "pydantic_function_tool": "._structured",
    "rate_limits_of": "._response_meta",
    "response_headers": "._response_meta",
    "text_deltas": "._accumulate",
}


def _show_as_ours(obj: object) -> None:
    # Show users ``openai_async.NotFoundError``, not ``openai_async._exceptions.NotFoundError``.
    if isinstance(obj, type) and obj.__module__.startswith(
        ("openai_async._", "openai_async.jobs._")
    ):
        obj.__module__ = __name__


if not _typing.TYPE_CHECKING:  # hidden from type checkers, which would make every name Any

    def __getattr__(name: str) -> object:
        module = _LAZY.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        import importlib

        value = getattr(importlib.import_module(module, __name__), name)
        _show_as_ours(value)
        globals()[name] = value  # later lookups skip this function
        return value

    def __dir__() -> list[str]:
        return sorted({*globals(), *_LAZY})


for _name in __all__:
    if _name not in _LAZY:
        _show_as_ours(globals()[_name])
del _name
