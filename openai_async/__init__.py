"""An asyncio-native client for the OpenAI API and OpenAI-compatible servers."""

from ._accumulate import (
    ChatCompletionAccumulator,
    CompletionAccumulator,
    accumulate_chat,
    accumulate_completion,
    text_deltas,
)
from ._aiohttp import aiohttp_transport
from ._backoff import RetryPolicy
from ._client import DEFAULT_BASE_URL, DEFAULT_LIMITS, DEFAULT_TIMEOUT, NOT_GIVEN, AsyncClient
from ._exceptions import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APIStreamError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    InvalidParameterError,
    MissingAPIKeyError,
    NotFoundError,
    OpenAIError,
    PackingError,
    PermissionDeniedError,
    RateLimitError,
    StreamDecodeError,
    StreamEventError,
    StreamTruncatedError,
    UnprocessableEntityError,
)
from ._file_input import FileInput
from ._jobs import BatchJob, BatchOptions, BatchRequest, BatchResult, BatchSummary
from ._middleware import CallNext, Middleware, RequestOptions
from ._packing import PromptCompletion
from ._progress import BatchProgress
from ._ratelimit import RateLimits
from ._response_meta import rate_limits_of, response_headers
from ._streaming import AsyncStream
from ._tokens import approximate_tokens
from ._version import __version__

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_LIMITS",
    "DEFAULT_TIMEOUT",
    "NOT_GIVEN",
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APIStreamError",
    "APITimeoutError",
    "AsyncClient",
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
    "CompletionAccumulator",
    "ConflictError",
    "FileInput",
    "InternalServerError",
    "InvalidParameterError",
    "Middleware",
    "MissingAPIKeyError",
    "NotFoundError",
    "OpenAIError",
    "PackingError",
    "PermissionDeniedError",
    "PromptCompletion",
    "RateLimitError",
    "RateLimits",
    "RequestOptions",
    "RetryPolicy",
    "StreamDecodeError",
    "StreamEventError",
    "StreamTruncatedError",
    "UnprocessableEntityError",
    "accumulate_chat",
    "accumulate_completion",
    "aiohttp_transport",
    "approximate_tokens",
    "rate_limits_of",
    "response_headers",
    "text_deltas",
    "__version__",
]

# Show users ``openai_async.NotFoundError``, not ``openai_async._exceptions.NotFoundError``.
for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type) and _obj.__module__.startswith("openai_async._"):
        _obj.__module__ = __name__
del _name, _obj
