"""Real HTTP servers on 127.0.0.1 that stand in for Launchpad and Gerrit in tests and demos.

``LoopbackServer`` runs ``http.server`` in a thread on an ephemeral port and gives every fake
the same switches, so a test can make the next requests fail, hang or come back broken:

- ``fail_next(count, status=503, retry_after="")``: the next ``count`` matching requests are
  answered with ``status`` (and an HTML error page, as a proxy in front of Launchpad or Gerrit
  would send), with a ``Retry-After`` header when asked;
- ``hang_next(count)``: the next ``count`` matching requests get no answer until the server
  closes (or ``hang_seconds`` pass), so the client's timeout fires;
- ``malform_next(count)``: the next ``count`` matching answers are cut in the middle of their
  JSON (a 200 with a broken body);
- ``redirect(path, location)``: answer ``path`` with a 302 to ``location``.

Every request is logged in ``requests`` (method, path, query, headers) for assertions. The
server only ever binds 127.0.0.1; nothing here reaches another host. Tests take an ephemeral
port; ``serve_until_interrupted`` runs a fake on a fixed one, for a demo without network
(``python -m tests.support.fake_launchpad --port 8081``).
"""

from __future__ import annotations

import argparse
import json
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

HANG_SECONDS = 30.0


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]


@dataclass
class Reply:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, data: Any, *, status: int = 200, prefix: str = "", **headers: str) -> Reply:
        body = (prefix + json.dumps(data, separators=(",", ":"))).encode("utf-8")
        return cls(status, body, {"Content-Type": "application/json", **headers})

    @classmethod
    def text(cls, text: str, *, status: int, content_type: str = "text/plain") -> Reply:
        return cls(status, text.encode("utf-8"), {"Content-Type": f"{content_type}; charset=UTF-8"})


@dataclass
class _Fault:
    kind: str  # "fail" | "hang" | "malform"
    remaining: int
    status: int
    matches: Callable[[str], bool]
    retry_after: str = ""


class LoopbackServer:
    """Base of the fakes: subclasses implement ``answer(method, path, query, headers)``."""

    def __init__(self, *, port: int = 0) -> None:
        self.requests: list[LoggedRequest] = []
        self.hang_seconds = HANG_SECONDS
        self._faults: list[_Fault] = []
        self._redirects: dict[str, str] = {}
        self._lock = threading.Lock()
        self._release = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), self._handler_class())
        self._httpd.daemon_threads = True
        # A short poll keeps shutdown() quick; the default half second would add up across tests.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    # --- lifecycle ---------------------------------------------------------------------------
    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def close(self) -> None:
        self._release.set()  # hanging handlers answer (into a closed socket) and end
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- switches ----------------------------------------------------------------------------
    def fail_next(
        self, count: int = 1, *, status: int = 503, path: str = "", retry_after: str = ""
    ) -> None:
        self._add("fail", count, status, path, retry_after)

    def hang_next(self, count: int = 1, *, path: str = "") -> None:
        self._add("hang", count, 200, path)

    def malform_next(self, count: int = 1, *, path: str = "") -> None:
        self._add("malform", count, 200, path)

    def redirect(self, path: str, location: str) -> None:
        self._redirects[path] = location

    def requests_to(self, path_part: str) -> list[LoggedRequest]:
        return [r for r in self.requests if path_part in r.path]

    def _add(self, kind: str, count: int, status: int, path: str, retry_after: str = "") -> None:
        with self._lock:
            self._faults.append(_Fault(kind, count, status, lambda p: path in p, retry_after))

    def _take_fault(self, path: str) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.remaining > 0 and fault.matches(path):
                    fault.remaining -= 1
                    return fault
        return None

    # --- serving -----------------------------------------------------------------------------
    def answer(self, method: str, path: str, query: dict[str, list[str]], headers: Any) -> Reply:
        raise NotImplementedError

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urllib.parse.urlsplit(handler.path)
        path = urllib.parse.unquote(parts.path)
        query = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
        self.requests.append(
            LoggedRequest(handler.command, path, query, {k: v for k, v in handler.headers.items()})
        )
        fault = self._take_fault(handler.path)
        if fault and fault.kind == "hang":
            self._release.wait(self.hang_seconds)
        if path in self._redirects:
            reply = Reply(302, b"", {"Location": self._redirects[path]})
        elif fault and fault.kind == "fail":
            reply = Reply.text(
                f"<html><body><h1>{fault.status} Service Unavailable</h1></body></html>",
                status=fault.status,
                content_type="text/html",
            )
            if fault.retry_after:
                reply.headers["Retry-After"] = fault.retry_after
        else:
            reply = self.answer(handler.command, path, query, handler.headers)
            if fault and fault.kind == "malform" and reply.status == 200:
                reply = Reply(200, reply.body[: max(1, len(reply.body) // 2)], reply.headers)
        handler.send_response(reply.status)
        for name, value in reply.headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(reply.body)))
        handler.end_headers()
        if handler.command != "HEAD" and reply.status != 304:
            handler.wfile.write(reply.body)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                try:
                    server._serve(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test): nothing to answer to

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output clean; ``requests`` is the log

        return Handler


def serve_until_interrupted(make: Callable[[int], LoopbackServer], describe: str) -> None:
    """Run a fake on 127.0.0.1 at ``--port`` until Ctrl-C (for demos, not tests)."""
    parser = argparse.ArgumentParser(description=f"Serve {describe} on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    server = make(parser.parse_args().port)
    print(f"{describe} at {server.url} (Ctrl-C stops it)", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
