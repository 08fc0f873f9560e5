#!/usr/bin/env python3
"""Run the project's nox sessions, from a virtual environment this script makes itself.

    python3 dev.py -s demo     # the demo
    python3 dev.py             # lint, mypy and the tests (what CI runs)

Any nox arguments work (``python3 dev.py -l`` lists the sessions). It needs nothing but
Python 3.11+: the first run makes ``.nox/_dev`` with the standard library's ``venv`` and
installs nox there, so it works where ``pip install`` outside a virtual environment is
refused (Debian's and Ubuntu's "externally-managed-environment"). Where ``venv`` cannot
install pip (Debian and Ubuntu ship ``ensurepip`` apart, in ``python3-venv``), pip's
wheel is fetched from PyPI and its sha256 checked against PyPI's listing.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import sysconfig
import urllib.parse
import urllib.request
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
ENV = ROOT / ".nox" / "_dev"
NOX = "nox>=2024.4.15"
PYPI_PIP = "https://pypi.org/pypi/pip/json"


def env_python() -> Path:
    scripts = "Scripts" if os.name == "nt" else "bin"
    return ENV / scripts / ("python.exe" if os.name == "nt" else "python")


def say(text: str) -> None:
    print(f"dev.py: {text}", file=sys.stderr, flush=True)


def has_ensurepip() -> bool:
    # The check Debian's own venv makes before it gives up on pip.
    return Path(sysconfig.get_path("stdlib"), "ensurepip", "__main__.py").exists()


def pip_from_pypi(python: Path) -> None:
    """Install pip into the environment from its wheel on PyPI, checked by sha256."""
    with urllib.request.urlopen(PYPI_PIP, timeout=60) as answer:
        listing = json.load(answer)
    wheel = next(u for u in listing["urls"] if u["packagetype"] == "bdist_wheel")
    # urljoin: an index mirror may list the file's address relative to the listing's.
    url = urllib.parse.urljoin(PYPI_PIP, wheel["url"])
    with urllib.request.urlopen(url, timeout=120) as answer:
        data = answer.read()
    if hashlib.sha256(data).hexdigest() != wheel["digests"]["sha256"]:
        raise SystemExit(f"dev.py: {wheel['filename']} does not match PyPI's sha256")
    path = ENV / wheel["filename"]
    path.write_bytes(data)
    # pip runs from its own wheel: that is how it installs itself here.
    subprocess.run([python, f"{path}/pip", "install", "--quiet", path], check=True)
    path.unlink()


def make_env() -> None:
    say(f"first run: making {ENV.relative_to(ROOT)} with {NOX} (about a minute)")
    with_pip = has_ensurepip()
    venv.EnvBuilder(with_pip=with_pip, clear=True).create(ENV)
    python = env_python()
    if not with_pip:
        say("this Python has no ensurepip: fetching pip from PyPI")
        pip_from_pypi(python)
    pip = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, NOX], check=True)
    (ENV / "dev-ready").write_text(NOX)


def main() -> int:
    if sys.version_info < (3, 11):  # noqa: UP036 (any python3 may run this file)
        say(f"needs Python 3.11 or newer, this is {sys.version.split()[0]}")
        return 2
    ready = ENV / "dev-ready"
    if not (ready.exists() and ready.read_text() == NOX and env_python().exists()):
        make_env()
    os.chdir(ROOT)
    return subprocess.run([env_python(), "-m", "nox", *sys.argv[1:]]).returncode


if __name__ == "__main__":
    sys.exit(main())
