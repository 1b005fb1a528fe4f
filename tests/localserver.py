"""A local HTTP server on 127.0.0.1 for testing downloads for real, without the network.

Used through the ``server`` fixture in conftest.py. Each route serves a body with a status, optional
extra headers (``{port}`` is replaced by the server's port, for redirects), an optional required
``Authorization`` header, a claimed Content-Length different from the body (a truncated transfer), a
delay between chunks (a slow transfer), a number of first answers cut off halfway (``cut``) or answered
with an error status (``errors``), and byte ranges (``Range: bytes=N-``, answered 206) as real servers do.
"""
from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from helpers.serving import free_port


@dataclass
class Route:
    """What one path answers."""

    status: int = 200
    body: bytes = b""
    length: int | None = None
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    need_auth: str | None = None
    cut: int = 0                 # the first ``cut`` GETs send half the body, then hang up
    errors: list[int] = field(default_factory=list)  # statuses answered to the first GETs, in order
    ranges: bool = True          # honour ``Range: bytes=N-`` with a 206


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        srv: LocalServer = self.server.owner
        with srv.lock:
            srv.counts[self.path] += 1
            srv.seen.append((self.headers.get("Host", ""), self.path, self.headers.get("Authorization")))
            srv.ranges.append((self.path, self.headers.get("Range")))
            route = srv.routes.get(self.path, Route(status=404))
            error = route.errors.pop(0) if route.errors else None
            cut = route.cut > 0
            route.cut -= cut
        if route.need_auth is not None and self.headers.get("Authorization") != route.need_auth:
            self.send_error(401)
            return
        if error is not None or route.status >= 400:
            self.send_error(error or route.status)
            return
        body, length = route.body, route.length if route.length is not None else len(route.body)
        asked = self.headers.get("Range", "")
        if route.ranges and route.status == 200 and asked.startswith("bytes=") and asked.endswith("-"):
            start = int(asked[6:-1])
            if start >= length:
                self.send_error(416)
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{length - 1}/{length}")
            body, length = body[start:], length - start
        else:
            self.send_response(route.status)
        port = str(self.server.server_address[1])
        for key, value in route.headers.items():
            self.send_header(key, value.replace("{port}", port))
        self.send_header("Content-Length", str(length))
        self.end_headers()
        if cut:
            body = body[:len(body) // 2]
        step = max(1, len(body) // 8)
        for start in range(0, len(body), step):
            self.wfile.write(body[start:start + step])
            self.wfile.flush()
            time.sleep(route.delay)
        if length != len(body):
            self.close_connection = True  # truncated transfer: hang up early

    def do_HEAD(self) -> None:  # noqa: N802
        self.send_response(200 if self.path in self.server.owner.routes else 404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


class LocalServer:
    """A threaded HTTP server on a random free port of 127.0.0.1, counting the requests of each path."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.counts: Counter[str] = Counter()
        self.seen: list[tuple[str, str, str | None]] = []  # (Host header, path, Authorization header)
        self.ranges: list[tuple[str, str | None]] = []  # (path, Range header) of every GET
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.owner = self
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def add(self, path: str, body: bytes = b"", status: int = 200, length: int | None = None,
            delay: float = 0.0, headers: dict[str, str] | None = None, need_auth: str | None = None,
            cut: int = 0, errors: list[int] | None = None, ranges: bool = True) -> str:
        """Serve ``body`` at ``path``; return its URL."""
        self.routes[path] = Route(status, body, length, delay, dict(headers or {}), need_auth, cut,
                                  list(errors or []), ranges)
        return self.url(path)

    def url(self, path: str) -> str:
        """The URL of ``path`` on this server."""
        return self.base + path

    def hits(self, path: str) -> int:
        """How many GET requests ``path`` received."""
        return self.counts[path]

    def close(self) -> None:
        """Stop serving and free the port."""
        self.httpd.shutdown()
        self.httpd.server_close()


def closed_port_url(path: str = "/x") -> str:
    """A URL on 127.0.0.1 where nothing listens (connection refused at once)."""
    return f"http://127.0.0.1:{free_port()}{path}"
