"""An asyncio-native client for the OpenAI API and OpenAI-compatible servers."""

from ._aiohttp import aiohttp_transport
from ._client import DEFAULT_BASE_URL, DEFAULT_LIMITS, DEFAULT_TIMEOUT, NOT_GIVEN, AsyncClient
from ._exceptions import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    InvalidParameterError,
    MissingAPIKeyError,
    NotFoundError,
    OpenAIError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)
from ._middleware import CallNext, Middleware, RequestOptions
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
    "APITimeoutError",
    "AsyncClient",
    "AuthenticationError",
    "BadRequestError",
    "CallNext",
    "ConflictError",
    "InternalServerError",
    "InvalidParameterError",
    "Middleware",
    "MissingAPIKeyError",
    "NotFoundError",
    "OpenAIError",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestOptions",
    "UnprocessableEntityError",
    "aiohttp_transport",
    "__version__",
]

# Show users ``openai_async.NotFoundError``, not ``openai_async._exceptions.NotFoundError``.
for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type) and _obj.__module__.startswith("openai_async._"):
        _obj.__module__ = __name__
del _name, _obj
