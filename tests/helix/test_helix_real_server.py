"""The clients against a real HTTP server on 127.0.0.1 that answers slowly or hangs.

These tests use the real httpx transport, the real clock and real sleeps, so they prove that
the configured timeout ends a hung request and that the retries stay inside their budget.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import anyio
import pytest
from helix_fakes import stream_item

from twitchstats import AsyncHelixClient, HelixClient, HelixTimeoutError, RetryPolicy

TIMEOUT = 0.3
# Two attempts with a 50 ms back-off: the hung case should end after about 0.65 s.
POLICY = RetryPolicy(
    max_attempts=2,
    backoff_initial_seconds=0.05,
    backoff_max_seconds=0.05,
    total_budget_seconds=5.0,
)


class SlowHelixServer(ThreadingHTTPServer):
    """Serves the OAuth and Helix paths; `/helix/streams` waits `delay` seconds first."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.delay = 0.0
        self.stream_requests = 0
        self.release = threading.Event()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


class _Handler(BaseHTTPRequestHandler):
    server: SlowHelixServer

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output clean."""

    def _send_json(self, body: object) -> None:
        payload = json.dumps(body).encode()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except OSError:
            pass  # the client gave up on this request and closed the connection

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(length)
        self._send_json({"access_token": "local-token", "expires_in": 86400})

    def do_GET(self) -> None:
        if self.path.startswith("/oauth2/validate"):
            self._send_json({"client_id": "local-client", "expires_in": 86400})
            return

        self.server.stream_requests += 1
        # A hung server: wait for the delay, or until the test releases the handler.
        self.server.release.wait(self.server.delay)
        self._send_json({"data": [stream_item("1")], "pagination": {}})


@pytest.fixture
def server() -> Iterator[SlowHelixServer]:
    running = SlowHelixServer()
    thread = threading.Thread(target=running.serve_forever, daemon=True)
    thread.start()
    yield running
    running.release.set()
    running.shutdown()
    running.server_close()
    thread.join(timeout=5)


def make_client(server: SlowHelixServer) -> HelixClient:
    return HelixClient(
        client_id="local-client",
        client_secret="local-secret",
        base_url=f"{server.url}/helix",
        auth_base_url=f"{server.url}/oauth2",
        timeout=TIMEOUT,
        retry=POLICY,
    )


def test_slow_answer_within_timeout(server: SlowHelixServer) -> None:
    server.delay = 0.1

    with make_client(server) as client:
        streams = client.get_streams(user_ids=["1001"])

    assert [stream.id for stream in streams] == ["1"]
    assert server.stream_requests == 1
    assert client.last_request is not None
    assert client.last_request.latency_seconds is not None
    assert client.last_request.latency_seconds >= 0.1


def test_hung_server_times_out(server: SlowHelixServer) -> None:
    server.delay = 30.0
    started = time.monotonic()

    with make_client(server) as client, pytest.raises(HelixTimeoutError) as caught:
        client.get_streams(user_ids=["1001"])

    elapsed = time.monotonic() - started
    assert server.stream_requests == 2
    assert "2 attempts" in str(caught.value)
    assert 2 * TIMEOUT <= elapsed < POLICY.total_budget_seconds


def test_async_hung_server_times_out(server: SlowHelixServer) -> None:
    server.delay = 30.0

    async def poll() -> None:
        async with AsyncHelixClient(
            client_id="local-client",
            client_secret="local-secret",
            base_url=f"{server.url}/helix",
            auth_base_url=f"{server.url}/oauth2",
            timeout=TIMEOUT,
            retry=POLICY,
        ) as client:
            await client.get_streams(user_ids=["1001"])

    started = time.monotonic()
    with pytest.raises(HelixTimeoutError):
        anyio.run(poll)

    assert server.stream_requests == 2
    assert time.monotonic() - started < POLICY.total_budget_seconds
