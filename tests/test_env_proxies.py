"""Proxies from the environment (HTTP_PROXY, NO_PROXY, ...) with the client's own pools.

A real forwarding proxy (``ForwardingProxy``) relays each connection over loopback,
behind TLS (``TLSFront``) for an ``https://`` proxy URL: the client's own pool sends
through it with the same guards as without one, ``_asyncio_http``'s on asyncio, the
HTTP/1.1 pool (``_http11``) on trio; only for a SOCKS proxy (and on trio an ``https://``
proxy URL) do proxied requests go through httpcore's pool.
"""

from __future__ import annotations

import base64
import contextlib
import logging
import os
import select
import socket
import ssl
import subprocess
import sys
import threading
import traceback
from collections.abc import Iterator
from pathlib import Path

import anyio
import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openai_async import APIConnectionError, AsyncClient
from openai_async._asyncio_http import AsyncioTransport
from openai_async._config import environment_proxies
from openai_async._http11 import HTTP11Transport
from openai_async._proxy import Proxy, authority
from openai_async._retry import instant_retries
from openai_async._transport import Pool, _ProxyRoutes
from openai_async.testing import LocalServer

from .conftest import PROXY_VARIABLES
from .sockets import ThreadedServer
from .test_desync import KeepAliveServer, _two_lists
from .test_redaction import every_link
from .test_transport import _ForgingTLSServer, _OneAnswerServer, server_tls

pytestmark = pytest.mark.anyio


class ForwardingProxy(ThreadedServer):
    """A plain HTTP proxy: absolute-form requests in, origin-form ones out to their target.

    Each client connection gets one connection to its target; the target's bytes come
    back as they are (a forgery behind an answer included); ``CONNECT`` opens a tunnel.
    ``seen`` holds each request line as the proxy got it, ``authorizations`` each
    ``Proxy-Authorization``, ``connections`` counts the client's connections.
    ``refusal``: the proxy's answer to every ``CONNECT``, instead of a tunnel.
    ``cut_after``: a tunnel closes once it has passed this many of the target's bytes.
    """

    def __init__(self, refusal: bytes | None = None, cut_after: int | None = None) -> None:
        self.refusal = refusal
        self.cut_after = cut_after
        self.seen: list[str] = []
        self.authorizations: list[str | None] = []
        super().__init__()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _serve(self, conn: socket.socket, number: int) -> None:
        upstream: socket.socket | None = None
        buffer = b""
        try:
            while True:
                while b"\r\n\r\n" not in buffer:
                    data = conn.recv(65536)
                    if not data:
                        return
                    buffer += data
                head, _, buffer = buffer.partition(b"\r\n\r\n")
                line, *fields = head.decode("latin-1").split("\r\n")
                method, target, version = line.split(" ")
                headers = dict(field.split(": ", 1) for field in fields)
                lowered = {name.lower(): value for name, value in headers.items()}
                self.seen.append(line)
                self.authorizations.append(lowered.get("proxy-authorization"))
                length = int(lowered.get("content-length", "0"))
                while len(buffer) < length:
                    data = conn.recv(65536)
                    if not data:
                        return
                    buffer += data
                if method == "CONNECT" and self.refusal is not None:
                    conn.sendall(self.refusal)
                    return
                if method == "CONNECT":  # a tunnel (to an https target): bytes both ways
                    host, _, port = target.rpartition(":")
                    upstream = socket.create_connection((host, int(port)))
                    conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    upstream.sendall(buffer)
                    back = (upstream, conn, self.cut_after)
                    threading.Thread(target=_pump, args=back, daemon=True).start()
                    _pump(conn, upstream)
                    return
                body, buffer = buffer[:length], buffer[length:]
                url = httpx.URL(target)
                if upstream is None:
                    assert url.port is not None
                    upstream = socket.create_connection((url.host, url.port))
                    threading.Thread(target=_pump, args=(upstream, conn), daemon=True).start()
                kept = [
                    f"{name}: {value}"
                    for name, value in headers.items()
                    if not name.lower().startswith("proxy-")
                ]
                origin_form = url.raw_path.decode("ascii")
                out = "\r\n".join([f"{method} {origin_form} {version}", *kept, "", ""])
                upstream.sendall(out.encode("latin-1") + body)
        except OSError:
            return
        finally:
            if upstream is not None:
                _shut(upstream)
            _shut(conn)


def _pump(source: socket.socket, sink: socket.socket, limit: int | None = None) -> None:
    """``source``'s bytes to ``sink`` until its end, or until ``limit`` bytes have passed."""
    left = float("inf") if limit is None else limit
    try:
        while left and (data := source.recv(65536)):
            data = data[: int(min(left, len(data)))]
            sink.sendall(data)
            left -= len(data)
    except OSError:
        pass
    _shut(sink)
    if not left:
        _shut(source)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


@pytest.fixture
def proxy() -> Iterator[ForwardingProxy]:
    proxy = ForwardingProxy()
    yield proxy
    proxy.close()


async def test_requests_go_through_the_proxy(
    proxy: ForwardingProxy, server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With HTTP_PROXY set, a request reaches the server through the proxy, on our pool."""
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    async with AsyncClient(base_url=server.url, api_key="", max_retries=0) as client:
        assert len((await client.models.list()).data) > 0
        assert len((await client.models.list()).data) > 0
        pool = client._http._transport
        assert isinstance(pool, Pool)
        assert isinstance(pool.inner, AsyncioTransport | HTTP11Transport)  # not httpcore's
    assert proxy.seen == [f"GET {server.url}/models HTTP/1.1"] * 2
    assert len(server.requests) == 2
    assert proxy.connections == 1  # kept alive, and reused


async def test_all_proxy_serves_for_http_too(
    proxy: ForwardingProxy, server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ALL_PROXY serves http URLs when HTTP_PROXY is not set; our pool sends through it."""
    monkeypatch.setenv("ALL_PROXY", proxy.url)
    async with AsyncClient(base_url=server.url, api_key="", max_retries=0) as client:
        await client.models.list()
        pool = client._http._transport
        assert isinstance(pool, Pool)
        assert isinstance(pool.inner, AsyncioTransport | HTTP11Transport)
    assert proxy.seen == [f"GET {server.url}/models HTTP/1.1"]


def test_proxies_need_no_aiohttp(proxy: ForwardingProxy, server: LocalServer) -> None:
    """On asyncio a client sends through the proxy with aiohttp absent (an optional extra)."""
    code = (
        "import asyncio, sys\n"
        "sys.modules['aiohttp'] = None  # as if not installed: importing it fails\n"
        "from openai_async import AsyncClient\n"
        "async def main():\n"
        f"    async with AsyncClient(base_url={server.url!r}, api_key='', max_retries=0) as c:\n"
        "        print(len((await c.models.list()).data) > 0)\n"
        "asyncio.run(main())\n"
    )
    environ = {name: value for name, value in os.environ.items() if "proxy" not in name.lower()}
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**environ, "HTTP_PROXY": proxy.url},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.strip() == "True"
    assert proxy.seen == [f"GET {server.url}/models HTTP/1.1"]


@pytest.mark.parametrize(
    ("anyio_backend", "proxy_url"),
    [
        ("asyncio", "socks5://127.0.0.1:1"),
        ("trio", "socks5://127.0.0.1:1"),
        ("trio", "https://127.0.0.1:1"),
    ],
)
async def test_unspoken_proxy_leaves_our_pool_the_direct_requests(
    proxy_url: str, server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A proxy our pool cannot speak to (SOCKS; on trio TLS to the proxy): httpx's
    transport takes the proxied requests, our pool the rest."""
    monkeypatch.setenv("ALL_PROXY", proxy_url)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    async with AsyncClient(base_url=server.url, api_key="", max_retries=0) as client:
        assert len((await client.models.list()).data) > 0
        pool = client._http._transport
        assert isinstance(pool, Pool)
        assert isinstance(pool.inner, _ProxyRoutes)
        assert isinstance(pool.inner._direct, AsyncioTransport | HTTP11Transport)
        assert proxy_url in repr(pool)


async def test_spoken_proxy_beside_an_unspoken_one_stays_on_our_pool(
    proxy: ForwardingProxy, server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a SOCKS proxy for https URLs, http ones still go through HTTP_PROXY on our
    pool: httpcore's takes only what goes to the SOCKS proxy."""
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("HTTPS_PROXY", "socks5://127.0.0.1:1")
    async with AsyncClient(base_url=server.url, api_key="", max_retries=0) as client:
        assert len((await client.models.list()).data) > 0
        pool = client._http._transport
        assert isinstance(pool, Pool)
        assert isinstance(pool.inner, _ProxyRoutes)
        assert pool.inner._via == {}  # no httpcore pool made
    assert proxy.seen == [f"GET {server.url}/models HTTP/1.1"]


@pytest.mark.parametrize("no_proxy", ["127.0.0.1", "localhost,127.0.0.1", "*"])
async def test_no_proxy_goes_direct(
    no_proxy: str,
    proxy: ForwardingProxy,
    server: LocalServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A host NO_PROXY names is reached directly: the proxy sees nothing."""
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", no_proxy)
    async with AsyncClient(base_url=server.url, api_key="", max_retries=0) as client:
        assert len((await client.models.list()).data) > 0
    assert proxy.seen == []
    assert len(server.requests) == 1


@pytest.mark.parametrize(
    ("anyio_backend", "late"),
    [("asyncio", False), ("asyncio", True), ("trio", False), ("trio", True)],
    ids=["asyncio-same write", "asyncio-late", "trio-same write", "trio-late"],
)
async def test_overrun_connection_dropped_through_the_proxy(
    late: bool, proxy: ForwardingProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through the proxy, a forgery behind an answer is never read as the next answer."""
    target = KeepAliveServer(late=late)
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    try:
        async with AsyncClient(base_url=target.url, api_key="", max_retries=0) as client:
            assert await _two_lists(client) == [[], []]
    finally:
        target.listener.close()
    assert len(proxy.seen) == 2
    assert target.connections == 2


async def test_https_through_the_proxy_tunnel(
    certificate: tuple[Path, Path],
    proxy: ForwardingProxy,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An https URL goes through a CONNECT tunnel, with the proxy's credentials on it."""
    cert = certificate[0]
    server_context = server_tls(certificate)
    target = _OneAnswerServer(tls=server_context)
    server_context.sni_callback = lambda _sock, name, _ctx: target.server_names.append(name)
    port = target.listener.getsockname()[1]
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trusted by httpx's TLS settings
    monkeypatch.setenv("HTTPS_PROXY", f"http://user:secret@127.0.0.1:{proxy.port}")
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:1")  # not for https URLs
    url = f"https://localhost:{port}/v1"
    try:
        async with AsyncClient(base_url=url, api_key="", max_retries=0) as client:
            assert (await client.models.list()).data == []
    finally:
        target.listener.close()
    assert proxy.seen == [f"CONNECT localhost:{port} HTTP/1.1"]
    assert proxy.authorizations == [f"Basic {base64.b64encode(b'user:secret').decode()}"]
    assert target.server_names == ["localhost"]


class _RecordingTLSServer(ThreadedServer):
    """Answers every request on a TLS connection with an empty list; keeps their heads.

    ``padding``: bytes of white space the list ends with, for a long answer.
    """

    def __init__(self, context: ssl.SSLContext, padding: int = 0) -> None:
        self.context = context
        self.padding = padding
        self.heads: list[str] = []
        super().__init__()

    def _serve(self, conn: socket.socket, number: int) -> None:
        body = b'{"object": "list", "data": []}' + b" " * self.padding
        answer = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
        answer += b"content-length: %d\r\n\r\n%s" % (len(body), body)
        buffer = b""
        try:
            with self.context.wrap_socket(conn, server_side=True) as tls:
                while True:
                    while b"\r\n\r\n" not in buffer:
                        data = tls.recv(65536)
                        if not data:
                            return
                        buffer += data
                    head, _, buffer = buffer.partition(b"\r\n\r\n")
                    self.heads.append(head.decode("latin-1"))
                    tls.sendall(answer)
        except OSError:
            return


def _tls_target(cert: Path, key: Path) -> _RecordingTLSServer:
    return _RecordingTLSServer(server_tls((cert, key)))


async def test_tunnel_reused_and_its_credentials_for_the_proxy_alone(
    certificate: tuple[Path, Path],
    proxy: ForwardingProxy,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Three https requests go through one tunnel; the target never sees the proxy's password.

    ``Proxy-Authorization`` goes on the ``CONNECT`` alone, which the proxy reads; the
    requests inside the tunnel, which the target reads, carry none.
    """
    cert, key = certificate
    target = _tls_target(cert, key)
    port = target.port
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    monkeypatch.setenv("HTTPS_PROXY", f"http://user:secret@127.0.0.1:{proxy.port}")
    try:
        async with AsyncClient(
            base_url=f"https://localhost:{port}/v1", api_key="sk-target", max_retries=0
        ) as client:
            for _ in range(3):
                assert (await client.models.list()).data == []
            pool = client._http._transport
            assert isinstance(pool, Pool)
            assert isinstance(pool.inner, AsyncioTransport | HTTP11Transport)  # not httpcore's
    finally:
        target.listener.close()
    assert proxy.seen == [f"CONNECT localhost:{port} HTTP/1.1"]
    assert proxy.authorizations == [f"Basic {base64.b64encode(b'user:secret').decode()}"]
    assert target.connections == 1
    assert len(target.heads) == 3
    for head in target.heads:
        assert head.startswith("GET /v1/models HTTP/1.1\r\n")  # origin form, as to a server
        assert "proxy-authorization" not in head.lower()
        assert "authorization: Bearer sk-target" in head.lower().replace("bearer", "Bearer")


_ECHO = b"Proxy-Authorization: Basic dXNlcjpzZWNyZXQ= (user:secret)"


@pytest.mark.parametrize(
    ("refusal", "shown"),
    [
        (
            b"HTTP/1.1 407 " + _ECHO + b"\r\nProxy-Authenticate: Basic\r\n"
            b"content-length: %d\r\n\r\n%s" % (len(_ECHO), _ECHO),
            "407",
        ),
        (
            b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: %d\r\n\r\n%s" % (len(_ECHO), _ECHO),
            "502",
        ),
        (b"HTTP/1.1 2x0 " + _ECHO + b"\r\n\r\n", "not valid HTTP"),
        (b"HTTP/1.1 200 OK\r\n\r\n" + _ECHO, "before it opened"),
    ],
    ids=["407", "502", "garbled", "bytes before the tunnel opened"],
)
async def test_refused_tunnel_is_a_typed_error_without_credentials(
    refusal: bytes, shown: str, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A proxy refusing ``CONNECT``: an ``APIConnectionError`` naming the status, and no
    exception of its chain nor any log line repeats the credentials, even those the
    proxy's own answer echoes back."""
    refusing = ForwardingProxy(refusal=refusal)
    monkeypatch.setenv("HTTPS_PROXY", f"http://user:secret@127.0.0.1:{refusing.port}")
    caplog.set_level(logging.DEBUG)
    try:
        async with AsyncClient(
            base_url="https://localhost:9/v1", api_key="sk-target", max_retries=0
        ) as client:
            with pytest.raises(APIConnectionError) as info:
                await client.models.list()
    finally:
        refusing.close()
    assert refusing.seen == ["CONNECT localhost:9 HTTP/1.1"]
    assert shown in str(info.value)
    texts = ["".join(traceback.format_exception(info.value)), caplog.text]
    for link in every_link(info.value):  # a suppressed context too: it is reachable
        texts += [str(link), repr(link), repr(link.args)]
    encoded = base64.b64encode(b"user:secret").decode()
    for text in texts:
        for secret in ("secret", encoded, "sk-target"):
            assert secret not in text


async def test_overrun_tls_connection_dropped_through_the_tunnel(
    certificate: tuple[Path, Path],
    proxy: ForwardingProxy,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Over https through the proxy, a forged answer in its own TLS record is never read."""
    cert = certificate[0]
    server_context = server_tls(certificate)
    target = _ForgingTLSServer(server_context)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    url = f"https://localhost:{target.listener.getsockname()[1]}/v1"
    try:
        async with AsyncClient(base_url=url, api_key="", max_retries=0) as client:
            answers = []
            for _ in range(2):
                response = await client.request("GET", "models")
                answers.append(response)
                await anyio.sleep(0.1)  # the forgery has arrived
    finally:
        target.listener.close()
    assert answers == [{"connection": 1}, {"connection": 2}]
    assert len(proxy.seen) == 2


class TLSFront(ThreadedServer):
    """TLS in front of a plain proxy listening on ``behind``: an ``https://`` proxy.

    Each connection's bytes go both ways on one thread: an SSL object is not for two
    threads at once.
    """

    def __init__(self, context: ssl.SSLContext, behind: int) -> None:
        self.context = context
        self.behind = behind
        super().__init__()

    def _serve(self, conn: socket.socket, number: int) -> None:
        conn.settimeout(10)
        try:
            tls = self.context.wrap_socket(conn, server_side=True)
        except OSError:
            _shut(conn)
            return
        plain = socket.create_connection(("127.0.0.1", self.behind))
        try:
            while True:
                # Bytes the TLS layer holds already are not for select to see.
                ready = [tls] if tls.pending() else select.select([tls, plain], [], [], 10)[0]
                if not ready:
                    return
                if tls in ready:
                    data = tls.recv(65536)
                    if not data:
                        return
                    plain.sendall(data)
                if plain in ready:
                    data = plain.recv(65536)
                    if not data:
                        return
                    tls.sendall(data)
        except OSError:
            return
        finally:
            _shut(plain)
            _shut(tls)


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_https_proxy_url_on_asyncio(
    certificate: tuple[Path, Path],
    proxy: ForwardingProxy,
    server: LocalServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An ``https://`` proxy: TLS to the proxy, then an http URL's request in it, or for
    an https URL a tunnel and TLS inside TLS; the credentials for the proxy alone."""
    cert, key = certificate
    front = TLSFront(server_tls(certificate), proxy.port)
    target = _tls_target(cert, key)
    port = target.port
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    monkeypatch.setenv("ALL_PROXY", f"https://user:secret@localhost:{front.port}")
    try:
        async with AsyncClient(base_url=server.url, api_key="", max_retries=0) as client:
            assert len((await client.models.list()).data) > 0
            assert len((await client.models.list()).data) > 0
            pool = client._http._transport
            assert isinstance(pool, Pool)
            assert isinstance(pool.inner, AsyncioTransport)  # not httpcore's
        url = f"https://localhost:{port}/v1"
        async with AsyncClient(base_url=url, api_key="sk-target", max_retries=0) as client:
            for _ in range(2):
                assert (await client.models.list()).data == []
    finally:
        front.close()
        target.close()
    tunnel = f"CONNECT localhost:{port} HTTP/1.1"
    assert proxy.seen == [f"GET {server.url}/models HTTP/1.1"] * 2 + [tunnel]
    assert proxy.authorizations == [f"Basic {base64.b64encode(b'user:secret').decode()}"] * 3
    assert front.connections == 2  # one per target, each kept alive
    assert target.connections == 1
    assert len(target.heads) == 2
    for head in target.heads:
        assert head.startswith("GET /v1/models HTTP/1.1\r\n")
        assert "proxy-authorization" not in head.lower()


async def test_direct_requests_carry_no_proxy_credentials(
    proxy: ForwardingProxy, server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A host NO_PROXY names gets its requests without the proxy's credentials."""
    monkeypatch.setenv("HTTP_PROXY", f"http://user:secret@127.0.0.1:{proxy.port}")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    async with AsyncClient(base_url=server.url, api_key="", max_retries=0) as client:
        await client.models.list()
    assert proxy.seen == []
    assert [request.headers.get("proxy-authorization") for request in server.requests] == [None]


class _EndlessHeadProxy(ThreadedServer):
    """Answers ``CONNECT`` with a head that never ends, up to ``limit`` bytes; ``sent``
    counts what went out before the client stopped reading."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.sent = 0
        self.done = threading.Event()
        super().__init__()

    def _serve(self, conn: socket.socket, number: int) -> None:
        line = b"X-Filler: " + b"a" * 1000 + b"\r\n"
        try:
            data = b""
            while b"\r\n\r\n" not in data:
                data += conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 Connection established\r\n")
            while self.sent < self.limit:
                conn.sendall(line * 64)
                self.sent += len(line) * 64
        except OSError:
            pass
        finally:
            _shut(conn)
            self.done.set()


async def test_endless_connect_answer_is_cut_at_the_head_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A ``CONNECT`` answer whose head never ends: a typed error once it passes the bound
    of any answer's head, long before the proxy has sent all it would."""
    endless = _EndlessHeadProxy(limit=256 * 1024 * 1024)
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{endless.port}")
    try:
        async with AsyncClient(
            base_url="https://localhost:9/v1", api_key="", max_retries=0
        ) as client:
            with pytest.raises(APIConnectionError) as info:
                await client.models.list()
        assert endless.done.wait(10)
    finally:
        endless.close()
    assert "not valid HTTP" in str(info.value)
    assert endless.sent < 32 * 1024 * 1024  # what the sockets' buffers held, at most


@pytest.mark.parametrize("cut_after", [0, 64 * 1024], ids=["at its opening", "mid-answer"])
async def test_proxy_closing_the_tunnel_is_a_typed_error(
    cut_after: int,
    certificate: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A proxy that closes the tunnel, before the TLS handshake or in the middle of the
    answer: an ``APIConnectionError``, and the pool is left with nothing counted."""
    cert, key = certificate
    target = _RecordingTLSServer(server_tls((cert, key)), padding=1024 * 1024)
    port = target.port
    cutting = ForwardingProxy(cut_after=cut_after)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    monkeypatch.setenv("HTTPS_PROXY", cutting.url)
    try:
        async with AsyncClient(
            base_url=f"https://localhost:{port}/v1", api_key="", max_retries=0
        ) as client:
            with pytest.raises(APIConnectionError):
                await client.models.list()
            pool = client._http._transport
            assert isinstance(pool, Pool)
            inner = pool.inner
            assert isinstance(inner, AsyncioTransport | HTTP11Transport)
            assert inner.counts() == (0, 0)
    finally:
        cutting.close()
        target.close()
    assert cutting.seen == [f"CONNECT localhost:{port} HTTP/1.1"]
    assert len(target.heads) == (0 if cut_after == 0 else 1)


async def test_proxy_credentials_are_sent_and_never_shown(
    proxy: ForwardingProxy, server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The proxy gets the URL's credentials; no repr of the client or its pool shows them."""
    monkeypatch.setenv("HTTP_PROXY", f"http://user:secret@127.0.0.1:{proxy.port}")
    async with AsyncClient(base_url=server.url, api_key="", max_retries=0) as client:
        await client.models.list()
        shown = [repr(client), repr(client._http._transport), repr(environment_proxies())]
    assert proxy.authorizations == [f"Basic {base64.b64encode(b'user:secret').decode()}"]
    for text in shown:
        assert "secret" not in text
    assert "user:[secure]@" in shown[2]


async def test_failed_proxy_never_shows_its_credentials(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A proxy refusing connections: the error, its causes and the logs hold no password."""
    closed = socket.create_server(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there now
    monkeypatch.setenv("HTTP_PROXY", f"http://user:secret@127.0.0.1:{port}")
    caplog.set_level(logging.DEBUG)
    with instant_retries():
        async with AsyncClient(base_url="http://127.0.0.1:9/v1", api_key="", max_retries=1) as c:
            with pytest.raises(APIConnectionError) as info:
                await c.models.list()
    error = info.value
    texts = [str(error), repr(error), "".join(traceback.format_exception(error)), caplog.text]
    encoded = base64.b64encode(b"user:secret").decode()
    for text in texts:
        assert "secret" not in text
        assert encoded not in text
    assert "retry" in caplog.text.lower()  # the attempts were logged


async def test_bad_answer_through_the_proxy_shows_no_credential(
    proxy: ForwardingProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A malformed answer: no exception of the chain shows the key or the proxy's password.

    aiohttp's own error for it carries the request's headers (the key, and the
    ``Proxy-Authorization`` it adds) in its repr.
    """
    target = socket.create_server(("127.0.0.1", 0))
    threading.Thread(target=_answer_badly, args=(target,), daemon=True).start()
    monkeypatch.setenv("HTTP_PROXY", f"http://user:secret@127.0.0.1:{proxy.port}")
    key = "sk-proxy-test-KEY0123456789"
    url = f"http://127.0.0.1:{target.getsockname()[1]}/v1"
    try:
        async with AsyncClient(base_url=url, api_key=key, max_retries=0) as client:
            with pytest.raises(APIConnectionError) as info:
                await client.models.list()
    finally:
        target.close()
    assert proxy.seen  # the answer came through the proxy
    texts = ["".join(traceback.format_exception(info.value))]
    for link in every_link(info.value):  # a suppressed context too: it is reachable
        texts += [str(link), repr(link), repr(link.args)]
    encoded = base64.b64encode(b"user:secret").decode()
    for text in texts:
        for secret in ("secret", encoded, key):
            assert secret not in text


async def test_invalid_proxy_url_is_a_typed_error_that_quotes_none_of_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An HTTP_PROXY httpx cannot parse: our error, which repeats no part of the URL."""
    monkeypatch.setenv("HTTP_PROXY", "http://user:secret@127.0.0.1:secret")
    async with AsyncClient(base_url="http://127.0.0.1:9/v1", api_key="", max_retries=0) as c:
        with pytest.raises(APIConnectionError) as info:
            await c.models.list()
    texts = ["".join(traceback.format_exception(info.value))]
    for link in every_link(info.value):  # a suppressed context too: it is reachable
        texts += [str(link), repr(link), repr(link.args)]
    for text in texts:
        assert "secret" not in text


def _answer_badly(listener: socket.socket) -> None:
    while True:
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        with conn:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 2x0 OK\r\nbad header\r\n\r\n")


def test_proxies_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each scheme's own variable wins over ALL_PROXY; a bare host:port is an http proxy."""
    assert environment_proxies() is None
    monkeypatch.setenv("ALL_PROXY", "proxy.example:3128")
    monkeypatch.setenv("HTTPS_PROXY", "http://secure.example:8080")
    proxies = environment_proxies()
    assert proxies is not None
    assert proxies.for_url(httpx.URL("http://api.example/v1")) == "http://proxy.example:3128"
    assert proxies.for_url(httpx.URL("https://api.example/v1")) == "http://secure.example:8080"
    monkeypatch.setenv("NO_PROXY", ".example.org")
    proxies = environment_proxies()
    assert proxies is not None
    assert proxies.for_url(httpx.URL("https://api.example.org/v1")) is None
    assert proxies.for_url(httpx.URL("https://api.example.org:8443/v1")) is None
    assert proxies.for_url(httpx.URL("https://example.com/v1")) is not None
    for port in range(1, 1000):  # memory bounded, however many hosts
        proxies.for_url(httpx.URL(f"http://127.0.0.1:{port}/v1"))
    assert len(proxies._chosen) <= 256


_HOSTS = st.sampled_from(["127.0.0.1", "localhost", "api.example.org", "example.com", "a.b"])


@settings(max_examples=50, deadline=None)
@given(
    urls=st.lists(
        st.tuples(st.sampled_from(["http", "https"]), _HOSTS, st.integers(1, 400)),
        max_size=600,
    ),
    no_proxy=st.lists(_HOSTS, max_size=3),
)
def test_remembered_choice_is_the_fresh_one(
    urls: list[tuple[str, str, int]], no_proxy: list[str]
) -> None:
    """What ``Proxies`` remembers per host is what it would choose afresh."""
    with pytest.MonkeyPatch.context() as env:
        for name in PROXY_VARIABLES:
            env.delenv(name, raising=False)
            env.delenv(name.upper(), raising=False)
        env.setenv("ALL_PROXY", "http://proxy.example:3128")
        env.setenv("NO_PROXY", ",".join(no_proxy))
        proxies = environment_proxies()
        assert proxies is not None
        for scheme, host, port in urls:
            url = httpx.URL(f"{scheme}://{host}:{port}/v1")
            fresh = environment_proxies()
            assert fresh is not None
            assert proxies.for_url(url) == fresh.for_url(url)
            assert (proxies.for_url(url) is None) == (host in no_proxy)


_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)


@given(user=_TEXT, password=_TEXT, port=st.integers(1, 65535))
def test_proxy_credentials_parsed_and_masked(user: str, password: str, port: int) -> None:
    """The URL's credentials, percent-decoded, go in ``Proxy-Authorization``; no repr shows them."""
    from urllib.parse import quote

    url = f"http://{quote(user, safe='')}:{quote(password, safe='')}@proxy.example:{port}"
    proxy = Proxy(url)
    assert (proxy.host, proxy.port) == ("proxy.example", port)
    if not (user or password):
        assert proxy.authorization is None  # as httpx: no credentials, no header
        return
    assert proxy.authorization is not None
    assert base64.b64decode(proxy.authorization.removeprefix(b"Basic ")).decode() == (
        f"{user}:{password}"
    )
    assert repr(proxy) == f"<proxy proxy.example:{port}>"


@given(
    host=st.one_of(st.ip_addresses().map(str), st.sampled_from(["localhost", "api.example"])),
    port=st.integers(1, 65535),
)
def test_authority_is_what_a_url_reads_back(host: str, port: int) -> None:
    """``CONNECT``'s target, IPv6 addresses in brackets: a URL made of it has that host and port."""
    shown = authority(host.encode("ascii"), port).decode("ascii")
    url = httpx.URL(f"http://{shown}/")
    assert (url.host, url.port) == (host, None if port == 80 else port)
