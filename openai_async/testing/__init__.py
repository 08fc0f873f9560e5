"""A local OpenAI-compatible server for tests, demos and your own test suites.

``LocalServer`` runs it in a background thread; ``python -m openai_async.testing
--port 8000`` runs it in the foreground. Answers are deterministic, and ``inject``
adds faults: error statuses with headers, delays, dropped or reset connections,
bodies that stall, and streams that are paced, cut across writes, truncated, aborted
or interrupted by error events. ``instant_retries()`` turns the client's retry waits off.
``RawServer`` answers with exactly the bytes you give it, for what correct HTTP cannot
say (bad header bytes, endless lines, lying lengths).
"""

from .._retry import instant_retries
from ._app import Fault
from ._hostile import RawRequest, RawServer, raw_response
from ._http import ServerRequest
from ._limits import ServerRateLimit
from ._server import LocalServer, serve

__all__ = [
    "Fault",
    "LocalServer",
    "RawRequest",
    "RawServer",
    "ServerRateLimit",
    "ServerRequest",
    "instant_retries",
    "raw_response",
    "serve",
]
