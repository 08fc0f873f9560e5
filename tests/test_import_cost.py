"""``import openai_async`` stays light: heavy modules load only when used."""

from __future__ import annotations

import subprocess
import sys

import pytest

import openai_async
from openai_async.testing import LocalServer

# Loaded on first use only: the event loop and aiohttp (and our transport on it),
# cattrs (at the first structured answer), the response types and
# resources (on the first ``client.chat`` etc.), the batch and packing machinery and
# the accumulators (on first access to their exports); and with the first request, what
# only requests need: their description, the models and decoding, streams and their
# event decoder, pages, rate-limit headers. (Not uuid, also deferred to the first POST:
# httpx imports click when installed, and click imports uuid.)
LAZY_MODULES = [
    "asyncio",
    "aiohttp",
    "openai_async._aiohttp",
    "openai_async.types",
    "openai_async.resources",
    "openai_async._accumulate",
    "openai_async.jobs",
    "openai_async._packing",
    "openai_async._progress",
    "anyio.streams.memory",
    "cattrs",
    "openai_async._request",
    "openai_async._models",
    "openai_async._model_dump",
    "openai_async._decode",
    "openai_async._streaming",
    "openai_async._pages",
    "openai_async._ratelimit",
    "openai_async._response_meta",
    "openai_async._tokens",
    "openai_async._sse",
    "openai_async._sdk_names",
    "openai_async._azure",
]


def _fresh(code: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()


@pytest.mark.parametrize("module", LAZY_MODULES)
def test_import_does_not_load(module: str) -> None:
    """A fresh ``import openai_async`` leaves ``module`` unimported (import-time budget)."""
    assert _fresh(f"import sys, openai_async; print({module!r} in sys.modules)") == "False"


def test_lazy_export_loads_its_module() -> None:
    """Touching a lazy export imports its module: the check above can fail."""
    code = "import sys, openai_async as o; o.BatchJob; print('openai_async.jobs' in sys.modules)"
    assert _fresh(code) == "True"


@pytest.mark.parametrize("name", sorted(openai_async._LAZY))
def test_lazy_export_is_the_real_object(name: str) -> None:
    """A lazy export is its module's object, listed in ``dir()``, shown as ours."""
    import importlib

    value = getattr(openai_async, name)
    module = importlib.import_module(openai_async._LAZY[name], "openai_async")
    assert value is getattr(module, name)
    assert name in dir(openai_async)
    if isinstance(value, type):
        assert value.__module__ == "openai_async"


def test_unknown_attribute_is_an_attribute_error() -> None:
    """The lazy lookup still raises AttributeError for names that do not exist."""
    with pytest.raises(AttributeError, match="no_such_name"):
        openai_async.no_such_name  # type: ignore[attr-defined]  # noqa: B018


def test_first_requests_load_what_they_need(server: LocalServer) -> None:
    """In a fresh process the first requests load the deferred modules: JSON, stream, error."""
    code = f"""
import asyncio, sys
from openai_async import AsyncClient, NotFoundError

async def main():
    async with AsyncClient(base_url={server.url!r}, api_key="sk-test", max_retries=0) as client:
        assert "openai_async._request" not in sys.modules
        assert (await client.request("GET", "models"))["object"] == "list"
        body = {{"model": "m", "messages": [{{"role": "user", "content": "hi"}}], "stream": True}}
        async with await client.request_stream("POST", "chat/completions", json=body) as stream:
            assert [event async for event in stream]
        try:
            await client.request("GET", "models/no-such-model")
        except NotFoundError as exc:
            assert exc.rate_limits.limit_requests is None
        else:
            raise AssertionError("no NotFoundError")
    print("ok")

asyncio.run(main())
"""
    assert _fresh(code) == "ok"
