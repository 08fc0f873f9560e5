"""Endpoint methods keep their nature through the resources' NOT_GIVEN wrapper.

Decorators written for the official SDK's methods (tenacity's ``retry``, ``backoff``)
choose their async path by ``inspect.iscoroutinefunction``: an ``async def`` endpoint
method must still be one when read from its namespace, or such a decorator calls it
like a plain function and hands back a coroutine, never awaited, never retried.
"""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Callable
from typing import Any, Required, get_args, get_origin, get_type_hints

import pytest

from openai_async import NOT_GIVEN, AsyncClient, NotGiven
from openai_async.resources._base import Resource
from openai_async.testing import LocalServer

pytestmark = pytest.mark.anyio


def _resource_classes() -> list[type[Resource]]:
    import openai_async.resources  # every namespace registers its class on import

    found: list[type[Resource]] = []
    pending = list(Resource.__subclasses__())
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    assert openai_async.resources
    return found


def test_async_endpoint_methods_stay_coroutine_functions() -> None:
    methods = [
        (cls, name, value)
        for cls in _resource_classes()
        for name, value in vars(cls).items()
        if not name.startswith("_") and hasattr(value, "__wrapped__")
    ]
    assert len(methods) > 40  # the wrapper is on every endpoint method
    for cls, name, method in methods:
        expected = inspect.iscoroutinefunction(method.__wrapped__)
        assert inspect.iscoroutinefunction(method) is expected, f"{cls.__name__}.{name}"


def _parameter_types(method: Any) -> dict[str, Any]:
    """The annotations of ``method``'s parameters, evaluated in its module (not its return:
    that may name what its module imports for type checkers only)."""
    names = sys.modules[method.__module__].__dict__
    return {
        name: eval(kind, names) if isinstance(kind, str) else kind
        for name, kind in method.__annotations__.items()
        if name != "return"
    }


def _takes_not_given(kind: Any) -> bool:
    return kind is NotGiven or NotGiven in get_args(kind)


def test_optional_parameters_take_not_given_in_their_types() -> None:
    """As the SDK's: code passing NOT_GIVEN (or omit) for a parameter type-checks.

    Every optional parameter of every endpoint method, in its TypedDict or its
    signature, has ``NotGiven`` in its type; required ones do not.
    """
    optional: list[str] = []
    lacking: list[str] = []
    required_taking: list[str] = []
    for cls in _resource_classes():
        for name, value in vars(cls).items():
            if name.startswith("_") or not hasattr(value, "__wrapped__"):
                continue
            method = inspect.unwrap(value)
            kinds = _parameter_types(method)
            for parameter in inspect.signature(method).parameters.values():
                where = f"{cls.__name__}.{name}: {parameter.name}"
                if parameter.kind is parameter.VAR_KEYWORD:
                    for key, kind in get_type_hints(
                        get_args(kinds[parameter.name])[0], include_extras=True
                    ).items():
                        if get_origin(kind) is Required:
                            if _takes_not_given(get_args(kind)[0]):
                                required_taking.append(f"{where}[{key!r}]")
                            continue
                        optional.append(f"{where}[{key!r}]")
                        if not _takes_not_given(kind):
                            lacking.append(f"{where}[{key!r}]")
                elif parameter.kind is parameter.KEYWORD_ONLY and parameter.default is not (
                    parameter.empty
                ):
                    optional.append(where)
                    if not _takes_not_given(kinds[parameter.name]):
                        lacking.append(where)
    assert len(optional) > 500  # the scan reaches the TypedDicts and the signatures
    assert not lacking
    assert not required_taking


def _retried(times: int) -> Callable[[Any], Any]:
    """A decorator as retry libraries write them: the async path by iscoroutinefunction."""

    def decorate(function: Any) -> Any:
        if not inspect.iscoroutinefunction(function):
            return function  # a plain function's path: no await, no retry

        @functools.wraps(function)
        async def again(*args: Any, **kwargs: Any) -> Any:
            for _ in range(times - 1):
                try:
                    return await function(*args, **kwargs)
                except Exception:
                    continue
            return await function(*args, **kwargs)

        return again

    return decorate


async def test_a_retry_decorator_retries_an_endpoint_method(
    client: AsyncClient, server: LocalServer
) -> None:
    """The client retries nothing here (max_retries=0): the decorator's retry must."""
    server.inject(status=500, times=1, path="/v1/embeddings")
    create = _retried(2)(client.embeddings.create)
    reply = await create(model="text-embedding-3-small", input="hi", user=NOT_GIVEN)
    assert reply.data[0].embedding
    assert len(server.requests) == 2
