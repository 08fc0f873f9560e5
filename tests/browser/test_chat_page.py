"""The examples' chat page in real headless Chromium: tokens appear one after another.

Run with ``python3 dev.py -s browser`` (not part of the default sessions): it needs
Debian's ``chromium`` (/usr/bin/chromium, or CHROMIUM=path) and the ``playwright``
package, which drives it. Screenshots go to SCREENSHOT_DIR (the session sets
``.nox/screenshots``), else the test's temporary folder.
"""

from __future__ import annotations

import itertools
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from openai_async.testing import LocalServer

from ..test_examples_apps import KINDS, start_example

sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    pytest.skip("needs Chromium (Debian's chromium package)", allow_module_level=True)

# As root, in a closed network: no sandbox, and none of Chromium's background traffic.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
QUESTION = "Why do streamed replies feel faster than waiting for the whole answer?"


@pytest.fixture(scope="module")
def browser() -> Iterator[sync_api.Browser]:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_tokens_appear_one_after_another(browser: sync_api.Browser, kind: str, shots: Path) -> None:
    """The reply grows on screen in many steps while it streams, then is whole."""
    with LocalServer() as upstream, start_example(kind, upstream) as app:
        upstream.inject(event_delay=0.08, path="/chat/completions")
        page = browser.new_page(viewport={"width": 800, "height": 480})
        page.goto(app + "/")
        page.fill("#prompt", QUESTION)
        page.click("#send")
        answer = page.locator(".assistant")
        seen: list[str] = []
        deadline = time.monotonic() + 20
        while answer.get_attribute("data-done") != "true":
            assert time.monotonic() < deadline, "the reply did not finish"
            text = answer.text_content() or ""
            if not seen or text != seen[-1]:
                seen.append(text)
            if len(seen) == 6:
                page.screenshot(path=str(shots / f"chat-{kind}-streaming.png"))
            time.sleep(0.02)
        final = f"You said: {QUESTION}"
        assert answer.text_content() == final
        page.screenshot(path=str(shots / f"chat-{kind}-done.png"))
        # Each snapshot extends the one before: tokens were added one after another.
        texts = [t for t in seen if t]
        assert len(texts) >= 8, texts
        assert all(b.startswith(a) and len(b) > len(a) for a, b in itertools.pairwise(texts))
        assert final.startswith(texts[-1])
        assert int(answer.get_attribute("data-deltas") or 0) >= 10


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_stop_button_closes_the_upstream_stream(browser: sync_api.Browser, kind: str) -> None:
    """Stop mid-reply: the page's fetch aborts, and the local server sees its stream close."""
    with LocalServer() as upstream, start_example(kind, upstream) as app:
        upstream.inject(event_delay=0.1, path="/chat/completions")
        page = browser.new_page()
        page.goto(app + "/")
        page.fill("#prompt", " ".join(f"word{i}" for i in range(60)))  # ~7 s of reply
        page.click("#send")
        answer = page.locator(".assistant")
        page.wait_for_function("document.querySelector('.assistant').dataset.deltas >= 3")
        assert upstream.connections_open == 1
        page.click("#stop")
        stopped = time.monotonic()
        while upstream.connections_open and time.monotonic() - stopped < 3:
            time.sleep(0.02)
        assert upstream.connections_open == 0, "the upstream stream is still open"
        assert time.monotonic() - stopped < 2
        assert answer.get_attribute("data-done") == "true"
        assert not (answer.text_content() or "").endswith("word59")
