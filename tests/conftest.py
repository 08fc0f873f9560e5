"""Fixtures: one local server per test session, reset before every test."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from openai_async import AsyncClient
from openai_async.testing import LocalServer

from .openapi import LATEST, SPEC_2023, check_recorded_requests

API_KEY = "sk-test-0123456789abcdefSECRET"

# Property tests check what is built, never how fast: hypothesis's per-example deadline
# (200 ms) only turns a loaded machine's pause into a "Flaky" failure.
settings.register_profile("project", deadline=None)
settings.load_profile("project")


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


@pytest.fixture(autouse=True)
def _no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The machine's own proxy settings reach no test: those that want one set it."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.delenv("REQUEST_METHOD", raising=False)  # urllib ignores HTTP_PROXY in CGI


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for localhost, and its key."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture(scope="session")
def _server_process() -> Iterator[LocalServer]:
    with LocalServer() as server:
        yield server


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "off_spec(reason, where=None): the test sends requests the OpenAPI spec forbids,"
        " on purpose (those where(request) picks, or all)",
    )
    config.addinivalue_line(
        "markers", "latest_spec(reason): check the test's requests against openapi-latest.yaml"
    )


def pytest_report_header() -> str:
    found = "checked against" if SPEC_2023.is_file() else "NOT checked: missing"
    return f"requests to the local server: {found} {SPEC_2023}"


def _reason(marker: pytest.Mark | None) -> str | None:
    if marker is None:
        return None
    return str(marker.args[0]) if marker.args else ""


@pytest.fixture
def server(_server_process: LocalServer, request: pytest.FixtureRequest) -> Iterator[LocalServer]:
    """The shared server, reset; afterwards every request it got is checked against the spec."""
    _server_process.reset()
    yield _server_process
    latest = _reason(request.node.get_closest_marker("latest_spec"))
    assert latest is None or latest.strip(), "latest_spec needs a reason: what 2023 lacks"
    off_spec = request.node.get_closest_marker("off_spec")
    check_recorded_requests(
        _server_process.requests,
        off_spec=_reason(off_spec),
        where=None if off_spec is None else off_spec.kwargs.get("where"),
        spec=None if latest is None else LATEST,
    )


@pytest.fixture
async def client(server: LocalServer) -> AsyncIterator[AsyncClient]:
    async with AsyncClient(base_url=server.url, api_key=API_KEY, max_retries=0) as client:
        yield client


@pytest.fixture(autouse=True)
def _no_openai_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own OPENAI_* variables must not leak into the tests."""
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID"):
        monkeypatch.delenv(name, raising=False)


def unused_port() -> int:
    """A loopback port nothing listens on (bound, then released): free, and refusing."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
def cli_server() -> Iterator[str]:
    port = unused_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "openai_async.testing", "--port", str(port)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # printed once the port is bound
        assert f":{port}/v1" in line
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()
