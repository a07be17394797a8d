"""``/metrics`` (Prometheus) and ``/healthz`` over HTTP, in a thread beside the assistant.

``/healthz`` answers 200 when the database answers and 503 when it does not: a container
whose database is gone is not healthy, whatever else still runs. Only these two paths are
served; the server is off unless ``CASHBACK_METRICS_PORT`` is set.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from sqlalchemy import Engine, text

from bot.observability.metrics import count_errors, registry

log = logging.getLogger("cashback.observability")


def database_answers(engine: Engine) -> str | None:
    """None when a trivial query succeeds, else the kind of error (no details: no secrets)."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # noqa: BLE001 - any failure means "not healthy"
        return type(error).__name__
    return None


class ObservabilityServer:
    """An HTTP server on ``listen:port`` (port 0: any free one, see :attr:`port`)."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime], *, listen: str,
                 port: int) -> None:
        metrics = registry(engine, clock)
        self._http = ThreadingHTTPServer((listen, port), _handler(engine, metrics))
        self._http.daemon_threads = True
        self._thread = threading.Thread(target=self._http.serve_forever, name="observability",
                                        daemon=True)

    @property
    def port(self) -> int:
        """The port it listens on."""
        return int(self._http.server_address[1])

    def start(self) -> None:
        """Serve in a background thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._http.shutdown()
        self._http.server_close()
        self._thread.join()


def _handler(engine: Engine, metrics: CollectorRegistry) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            path = self.path.split("?", 1)[0]
            if path == "/metrics":
                self._answer(HTTPStatus.OK, CONTENT_TYPE_LATEST, generate_latest(metrics))
            elif path == "/healthz":
                problem = database_answers(engine)
                body = {"status": "ok" if problem is None else "unavailable",
                        "database": "ok" if problem is None else problem}
                self._answer(HTTPStatus.OK if problem is None else HTTPStatus.SERVICE_UNAVAILABLE,
                             "application/json", json.dumps(body).encode())
            else:
                self._answer(HTTPStatus.NOT_FOUND, "text/plain", b"not found\n")

        def _answer(self, status: HTTPStatus, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            log.debug("%s %s", self.address_string(), format % args)

    return Handler


@contextmanager
def observing(engine: Engine, clock: Callable[[], datetime], *, listen: str,
              port: int | None) -> Iterator[ObservabilityServer | None]:
    """Count errors, and serve /metrics and /healthz while the block runs (if a port is set)."""
    count_errors()
    if port is None:
        yield None
        return
    server = ObservabilityServer(engine, clock, listen=listen, port=port)
    server.start()
    log.info("metrics and health on http://%s:%d/metrics and /healthz", listen, server.port)
    try:
        yield server
    finally:
        server.stop()
