"""The client's settings: defaults, argument checks, and the one frozen ``Config``.

A client and every ``with_options`` variant of it hold a ``Config``; a variant is a
new ``Config`` (``attrs.evolve``) on the same pool.
"""

from __future__ import annotations

import math
import os
import re
import sys
import urllib.request
from collections.abc import Mapping
from typing import Final

import attrs
import httpx

from ._backoff import RetryPolicy
from ._bodies import (
    ACCEPT_ENCODING,
    DEFAULT_MAX_ERROR_SIZE,
    DEFAULT_MAX_EVENT_SIZE,
    DEFAULT_MAX_RESPONSE_SIZE,
)
from ._exceptions import InvalidParameterError, excerpt
from ._middleware import RequestOptions
from ._version import __version__

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_LIMITS",
    "DEFAULT_TIMEOUT",
    "NOT_GIVEN",
    "Config",
    "Identity",
    "NotGiven",
    "Proxies",
    "TimeoutTypes",
    "as_timeout",
    "check_headers",
    "environment_proxies",
    "merge_headers",
    "retry_policy",
    "shown_url",
    "user_agent",
]

DEFAULT_BASE_URL: Final = "https://api.openai.com/v1"
# Generation can take minutes; connecting should not.
DEFAULT_TIMEOUT: Final = httpx.Timeout(600.0, connect=5.0)
# Batch jobs keep hundreds of requests in flight; keep many connections alive.
DEFAULT_LIMITS: Final = httpx.Limits(
    max_connections=1000, max_keepalive_connections=200, keepalive_expiry=30.0
)

TimeoutTypes = float | httpx.Timeout | None


class NotGiven:
    """Marks an argument left out where ``None`` already means something."""

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven()


def shown_url(url: str) -> str:
    """``url`` with the password of a ``user:pass@`` in it masked, for reprs and messages."""
    scheme, sep, rest = url.partition("://")
    authority, slash, path = rest.partition("/")
    userinfo, at, host = authority.rpartition("@")
    if not (sep and at and ":" in userinfo):
        return url
    user = userinfo.partition(":")[0]
    return f"{scheme}{sep}{user}:[secure]@{host}{slash}{path}"


def merge_headers(base: Mapping[str, str], more: Mapping[str, str]) -> dict[str, str]:
    """``base`` updated with ``more``, header names compared without case."""
    replaced = {name.lower() for name in more}
    return {n: v for n, v in base.items() if n.lower() not in replaced} | dict(more)


def _base_url(value: object) -> str:
    url = str(value)
    if not url.startswith(("http://", "https://")):
        raise InvalidParameterError("base_url", f"expected an http(s) URL, got {shown_url(url)!r}")
    if "?" in url or "#" in url:
        # Paths are appended to the base URL, which would land them after its query.
        raise InvalidParameterError(
            "base_url", "has a query or fragment; pass query parameters as default_query"
        )
    return url.rstrip("/") + "/"


def _positive_size(instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise InvalidParameterError(attribute.name, f"expected an int > 0, got {value!r}")


def _optional_seconds(
    instance: object, attribute: attrs.Attribute[float | None], value: object
) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < math.inf:
        raise InvalidParameterError(attribute.name, f"expected seconds > 0 or None, got {value!r}")


@attrs.frozen
class Identity:
    """Who the requests are from: key, organization, project and headers, checked once.

    ``headers`` (user agent, auth, organization, project, ``default_headers``) is derived; a
    ``with_options`` variant that changes only timeouts or retries shares its parent's
    ``Identity`` rather than building and checking the same headers again.
    """

    api_key: str | None = attrs.field(repr=False)
    organization: str | None
    default_headers: Mapping[str, str] = attrs.field(repr=False, factory=dict)
    project: str | None = None
    headers: httpx.Headers = attrs.field(init=False, repr=False, eq=False)
    # The header names never sent to another origin than the base URL's (``_origin``).
    secret_names: frozenset[str] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        # httpx.Headers: names are case-insensitive, so a default "authorization" or
        # "Api-Key" replaces ours or an earlier one instead of going out beside it.
        headers = httpx.Headers({"User-Agent": user_agent(), "Accept": "application/json"})
        # Only the codings whose inflation per byte is bounded (``_bodies``): httpx also
        # asks for br and zstd when their packages are installed.
        headers["Accept-Encoding"] = ACCEPT_ENCODING
        if self.api_key:
            _check_token("api_key", "OPENAI_API_KEY", self.api_key)
            headers["Authorization"] = f"Bearer {self.api_key}"
        if self.organization:
            _check_token("organization", "OPENAI_ORG_ID", self.organization)
            headers["OpenAI-Organization"] = self.organization
        if self.project:
            _check_token("project", "OPENAI_PROJECT_ID", self.project)
            headers["OpenAI-Project"] = self.project
        check_headers(self.default_headers, "default_headers")
        headers.update(self.default_headers)
        object.__setattr__(self, "headers", headers)  # frozen: set once, here
        from ._origin import SECRET_HEADERS

        names = SECRET_HEADERS | {name.lower() for name in self.default_headers}
        object.__setattr__(self, "secret_names", names)


@attrs.frozen
class Config:
    """What a client and its ``with_options`` variants are set to; the key never shows."""

    base_url: str = attrs.field(converter=_base_url)  # always ends with "/"
    identity: Identity
    timeout: httpx.Timeout
    retry: RetryPolicy
    default_query: Mapping[str, str] = attrs.field(factory=dict)  # e.g. Azure's api-version
    # One line or one event of a stream; a hostile server's endless line stops here.
    max_event_size: int = attrs.field(default=DEFAULT_MAX_EVENT_SIZE, validator=_positive_size)
    # The whole reading of a streamed body, from its headers; None: the rest of the deadline.
    stream_timeout: float | None = attrs.field(default=None, validator=_optional_seconds)
    # A reply read whole, and an error body (read up to it, then cut); decoded bytes.
    max_response_size: int = attrs.field(
        default=DEFAULT_MAX_RESPONSE_SIZE, validator=_positive_size
    )
    max_error_size: int = attrs.field(default=DEFAULT_MAX_ERROR_SIZE, validator=_positive_size)

    @property
    def api_key(self) -> str | None:
        return self.identity.api_key

    @property
    def organization(self) -> str | None:
        return self.identity.organization

    @property
    def project(self) -> str | None:
        return self.identity.project

    @property
    def headers(self) -> httpx.Headers:
        return self.identity.headers

    @property
    def max_retries(self) -> int:
        return self.retry.max_retries

    def options(self, *, stream: bool) -> RequestOptions:
        return RequestOptions(
            retry=self.retry,
            stream=stream,
            max_event_size=self.max_event_size,
            stream_timeout=self.stream_timeout,
            max_response_size=self.max_response_size,
            max_error_size=self.max_error_size,
        )

    @classmethod
    def from_arguments(
        cls,
        *,
        api_key: str | None,
        base_url: str | httpx.URL | None,
        organization: str | None,
        timeout: object,
        project: str | None = None,
        max_retries: int | None,
        retry: RetryPolicy | None,
        default_headers: Mapping[str, str] | None,
        default_query: Mapping[str, str] | None = None,
        max_event_size: int = DEFAULT_MAX_EVENT_SIZE,
        stream_timeout: float | None = None,
        max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE,
        max_error_size: int = DEFAULT_MAX_ERROR_SIZE,
    ) -> Config:
        """The client's arguments, checked, with the environment filling what is None."""
        if api_key is None:
            api_key = os.environ.get("OPENAI_API_KEY")
        if organization is None:
            organization = os.environ.get("OPENAI_ORG_ID") or None
        if project is None:
            project = os.environ.get("OPENAI_PROJECT_ID") or None
        if base_url is None:
            base_url = os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL
        return cls(
            base_url=str(base_url),
            identity=Identity(
                api_key=api_key,
                organization=organization,
                project=project,
                default_headers=dict(default_headers or {}),
            ),
            timeout=as_timeout(timeout),
            retry=retry_policy(RetryPolicy(), retry, max_retries),
            default_query=dict(default_query or {}),
            max_event_size=max_event_size,
            stream_timeout=stream_timeout,
            max_response_size=max_response_size,
            max_error_size=max_error_size,
        )


# What h11 accepts. A value it refuses would come back as an error quoting it, and
# these values are secrets; so they are checked here, and never shown.
_TOKEN: Final = re.compile(r"[\x21-\x7e]+")
_HEADER_NAME: Final = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_HEADER_VALUE: Final = re.compile(r"(?:[\x21-\x7e](?:[\x20-\x7e\t]*[\x21-\x7e])?)?")


def _check_token(param: str, variable: str, value: str) -> None:
    if not _TOKEN.fullmatch(value):
        raise InvalidParameterError(
            param,
            "has whitespace or a character an HTTP header cannot carry (a trailing newline "
            f"read from a file?); it came from the argument or ${variable}; not shown here",
        )


def check_headers(headers: object, param: str) -> None:
    """Refuse, before anything is sent, headers that are not valid HTTP.

    ``headers`` must be a mapping of names (RFC 9110 tokens) to values of printable
    ASCII with no line break and no surrounding whitespace (what h11 sends as is).
    A bad one raises ``InvalidParameterError`` naming ``param`` and the header; the
    value is never shown, since it may be a key. Refused here, a CR/LF value is
    never handed to httpx, so never retried and never quoted by httpcore's debug log.
    """
    if not isinstance(headers, Mapping):
        raise InvalidParameterError(
            param, f"expected a mapping of header names to values, got {type(headers).__name__}"
        )
    for name, value in headers.items():
        if not isinstance(name, str) or not _HEADER_NAME.fullmatch(name):
            shown = excerpt(name, 60) if isinstance(name, str) else type(name).__name__
            raise InvalidParameterError(param, f"{shown!r} is not a valid HTTP header name")
        if not isinstance(value, str) or not _HEADER_VALUE.fullmatch(value):
            raise InvalidParameterError(
                param,
                f"the value of header {name!r} is not a str an HTTP header can carry "
                "(printable ASCII, no line breaks, no surrounding whitespace); "
                "the value is not shown",
            )


def user_agent() -> str:
    py = sys.version_info
    return f"openai_async/{__version__} python/{py.major}.{py.minor} httpx/{httpx.__version__}"


def as_timeout(value: object) -> httpx.Timeout:
    if isinstance(value, httpx.Timeout):
        return value
    if value is None or (isinstance(value, int | float) and not isinstance(value, bool)):
        if value is not None and value <= 0:
            raise InvalidParameterError("timeout", f"must be positive, got {value!r}")
        return httpx.Timeout(value)
    raise InvalidParameterError(
        "timeout", f"expected seconds, httpx.Timeout or None, got {type(value).__name__}"
    )


def _check_retries(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidParameterError("max_retries", f"expected an int >= 0, got {value!r}")
    return value


def retry_policy(base: RetryPolicy, retry: object, max_retries: int | None) -> RetryPolicy:
    """``retry`` replaces ``base``; ``max_retries``, when given, overrides its count."""
    if retry is not None:
        if not isinstance(retry, RetryPolicy):
            raise InvalidParameterError("retry", f"expected a RetryPolicy, got {retry!r}")
        base = retry
    if max_retries is not None:
        base = attrs.evolve(base, max_retries=_check_retries(max_retries))
    return base


def environment_proxies() -> Proxies | None:
    """The proxies this process's environment names (``HTTP_PROXY`` ...), or None if none.

    Read once, when a client is built, as httpx reads them: the standard library's
    ``urllib.request.getproxies()`` (the ``*_proxy`` variables, either case; on macOS
    and Windows the system's settings too).
    """
    found = urllib.request.getproxies()
    every = found.get("all")
    by_scheme = {}
    for scheme in ("http", "https"):
        proxy = found.get(scheme) or every
        if proxy:
            by_scheme[scheme] = proxy if "://" in proxy else f"http://{proxy}"
    return Proxies(by_scheme) if by_scheme else None


class Proxies:
    """Which proxy from the environment a request goes through, by its URL.

    ``HTTP_PROXY`` for http URLs, ``HTTPS_PROXY`` for https ones, ``ALL_PROXY`` for
    either when its own is not set; a host that ``NO_PROXY`` names (or the system's
    bypass list) goes direct, as ``urllib.request.proxy_bypass`` decides. That reads
    the environment at each call, so its answer is kept, per scheme, host and port.
    The URLs may hold credentials (``http://user:password@host:port``): the repr
    masks them.
    """

    __slots__ = ("_by_scheme", "_chosen")

    _MAX_CHOSEN: Final = 256  # hosts remembered; past it the memory starts over

    def __init__(self, by_scheme: Mapping[str, str]) -> None:
        self._by_scheme = dict(by_scheme)
        self._chosen: dict[tuple[str, bytes], str | None] = {}

    @property
    def urls(self) -> frozenset[str]:
        """Every proxy URL, credentials included (never show them)."""
        return frozenset(self._by_scheme.values())

    def for_url(self, url: httpx.URL) -> str | None:
        """The proxy URL a request to ``url`` goes through, or None to go direct."""
        key = (url.scheme, url.netloc)
        try:
            return self._chosen[key]
        except KeyError:
            pass
        proxy = self._by_scheme.get(url.scheme)
        if proxy is not None and urllib.request.proxy_bypass(url.netloc.decode("ascii")):
            proxy = None
        if len(self._chosen) >= self._MAX_CHOSEN:
            self._chosen.clear()
        self._chosen[key] = proxy
        return proxy

    def __repr__(self) -> str:
        shown = ", ".join(f"{s}={shown_url(u)!r}" for s, u in sorted(self._by_scheme.items()))
        return f"<Proxies {shown}>"
