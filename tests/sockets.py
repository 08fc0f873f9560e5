"""A loopback TCP server that serves each connection on a thread of its own."""

from __future__ import annotations

import socket
import threading


class ThreadedServer:
    """Accepts connections on 127.0.0.1 and hands each to ``_serve`` on its own thread.

    A subclass sets its own attributes, then calls ``super().__init__()`` (which starts
    accepting), and defines ``_serve(conn, number)``: ``number`` counts connections from
    1, as ``connections`` does.
    """

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def port(self) -> int:
        return int(self.listener.getsockname()[1])

    def close(self) -> None:
        self.listener.close()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return  # closed
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn, self.connections), daemon=True).start()

    def _serve(self, conn: socket.socket, number: int) -> None:
        raise NotImplementedError
