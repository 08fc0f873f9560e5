"""Developer tasks: ``python3 dev.py -s tests`` (or ``nox -s ...``), ``lint``, ``mypy``,
``demo``, ``browser``, ``docs``, ``bench``, ``large``, ``speech_memory``, ``hostile_memory``,
``soak``.
``python3 dev.py`` runs lint, mypy and tests."""

import nox

nox.options.sessions = ["lint", "mypy", "tests"]
nox.options.reuse_existing_virtualenvs = True
nox.options.default_venv_backend = "uv|virtualenv"

TEST_DEPS = ["pytest>=8", "hypothesis>=6.100", "trio>=0.26", "jsonschema>=4.20", "pyyaml>=6"]
# Structured outputs are tested with the pydantic models users pass (never a dependency).
TEST_DEPS += ["pydantic>=2"]
# The examples run in their real servers (tests/test_examples_apps.py); aiohttp comes
# with the package's aiohttp extra (TESTED), for aiohttp_transport() and its tests.
TEST_DEPS += ["fastapi>=0.110", "uvicorn>=0.29"]
# The browser test drives Debian's Chromium (apt install chromium) with playwright.
BROWSER_DEPS = ["playwright>=1.40"]
# ruff formats the reference's signatures.
DOCS_DEPS = ["mkdocs>=1.6", "mkdocs-material>=9.5", "mkdocstrings[python]>=0.26", "ruff==0.17.5"]
# The shared rate budget is tested against a real redis-server (skipped without one).
TEST_DEPS += ["redis>=5.0"]
# The package as the tests install it: with aiohttp (an optional extra).
TESTED = ".[aiohttp]"


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite on asyncio and trio (through anyio's pytest plugin)."""
    session.install("-e", TESTED, *TEST_DEPS)
    # The browser tests have their own session (they need Chromium).
    session.run("pytest", *(session.posargs or ["--ignore=tests/browser"]))


@nox.session
def browser(session: nox.Session) -> None:
    """The chat page in headless Chromium (needs Debian's chromium); screenshots in .nox/."""
    session.install("-e", TESTED, *TEST_DEPS, *BROWSER_DEPS)
    session.env["SCREENSHOT_DIR"] = ".nox/screenshots"
    session.run("pytest", "tests/browser", *session.posargs)


@nox.session
def docs(session: nox.Session) -> None:
    """Build the documentation site (mkdocs, strict: any warning fails) into site/."""
    session.install("-e", ".", *DOCS_DEPS)
    session.env["NO_MKDOCS_2_WARNING"] = "1"  # material's notice about its successor
    session.run("mkdocs", "build", "--strict", *session.posargs)


@nox.session
def jobs_soak(session: nox.Session) -> None:
    """Batch jobs at scale against rate-limited servers and a real redis-server (minutes)."""
    session.install("-e", TESTED, *TEST_DEPS)
    session.run("pytest", "tests/soak_jobs.py", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check."""
    session.install("ruff==0.17.5")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def mypy(session: nox.Session) -> None:
    """mypy --strict on the package and on the never-run public-API file."""
    session.install(
        "-e", ".[aiohttp,redis]", "mypy==2.4.1", "pytest>=8", "trio>=0.26", "pydantic>=2"
    )
    session.run("mypy", "openai_async")
    session.run("mypy", "tests/typing_api.py")


@nox.session
def demo(session: nox.Session) -> None:
    """The demo: the local server unless OPENAI_API_KEY is set."""
    session.install("-e", ".[progress]")
    session.run("python", "examples/demo.py")


@nox.session
def bench(session: nox.Session) -> None:
    """Side-by-side benchmarks (never in CI): ``nox -s bench -- --quick`` for a smoke run."""
    # The official SDK is compared against, never depended on; orjson only for the
    # opt-in "openai_async+orjson" client that evaluates it; httpx-aiohttp and
    # httpcore2 for the transport candidates of issue 13 (benchmarks/candidates.py);
    # FastAPI and uvicorn for the service scenario; trio for the trio rows.
    session.install(
        "-e",
        ".[aiohttp]",
        "openai[aiohttp]",
        "orjson",
        "httpx-aiohttp>=0.2",
        "httpcore2",
        "fastapi",
        "uvicorn",
        "trio>=0.26",
    )
    session.run("python", "benchmarks/run.py", *session.posargs)


@nox.session
def large(session: nox.Session) -> None:
    """Never in CI: a 1 GiB chunked upload's peak memory and a 100,000-request batch."""
    session.install("-e", ".")
    session.run("python", "benchmarks/upload_memory.py", *session.posargs)
    session.run("python", "benchmarks/batch_api.py")


@nox.session
def speech_memory(session: nox.Session) -> None:
    """Peak client memory streaming 1 GiB of speech to a file and through iter_bytes."""
    session.install("-e", ".", "trio>=0.26")
    for mode in ("file", "iter"):
        for backend in ("asyncio", "trio"):
            session.run(
                "python",
                "tests/speech_rss_client.py",
                "--mib=1024",
                f"--mode={mode}",
                f"--backend={backend}",
            )


@nox.session
def hostile_memory(session: nox.Session) -> None:
    """Peak client memory against 1 GiB hostile answers, with the default caps (never in CI)."""
    session.install("-e", TESTED, *TEST_DEPS)
    session.env["HOSTILE_DOWNLOAD_MIB"] = "1024"
    session.env["HOSTILE_CAPS"] = "default"
    session.run("pytest", "tests/test_hostile_memory.py", "-s", "-q", *session.posargs)


@nox.session
def soak(session: nox.Session) -> None:
    """The chaos soak (never in CI): 20,000 requests per backend through a faulty server."""
    session.install("-e", ".", "trio>=0.26")
    session.run("python", "benchmarks/soak.py", *session.posargs)
