"""The request handler of the fake Helix server: routing, faults, tokens and rate limits."""

from __future__ import annotations

import contextlib
import datetime as dt
import http
import http.server
import json
import logging
import math
import socket
import urllib.parse
from typing import TYPE_CHECKING, Any

from twitchstats._fakehelix._endpoints import TOKEN_LIFETIME_SECONDS, HelixRequestError
from twitchstats._fakehelix._faults import BLOCKING_KINDS, FakeHelixFault, FaultKind

if TYPE_CHECKING:
    from twitchstats._fakehelix._server import FakeHelixServer, ThreadingServer

__all__ = ["Handler"]

logger = logging.getLogger(__name__)

_HTML_ERROR = (
    "<html><head><title>{status} {reason}</title></head>"
    "<body><h1>{status} {reason}</h1><p>The server is temporarily unable to service "
    "your request.</p></body></html>"
)


class Handler(http.server.BaseHTTPRequestHandler):
    server: ThreadingServer
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; without TCP_NODELAY, Nagle's algorithm and
    # delayed ACKs add about 40 ms to every keep-alive request.
    disable_nagle_algorithm = True
    server_version = "fake-helix"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s %s", self.address_string(), format % args)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    # -- plumbing --------------------------------------------------------------------------

    def _send(
        self,
        status: int,
        body: bytes,
        *,
        content_type: str = "application/json; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _send_json(self, status: int, data: Any, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(data, ensure_ascii=False).encode(), headers=headers)

    def _send_error(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        reason = http.HTTPStatus(status).phrase
        self._send_json(status, {"error": reason, "status": status, "message": message}, headers)

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _handle(self, method: str) -> None:
        fake = self.server.fake
        parsed = urllib.parse.urlsplit(self.path)
        path = parsed.path.rstrip("/") or "/"
        query = urllib.parse.parse_qs(parsed.query, keep_blank_values=True)
        body = self._read_body()
        fake.request_counts[path] += 1
        try:
            if path.startswith("/_fake/"):
                payload = json.loads(body) if body else None
                status, data = fake._control(method, path, payload)
                self._send_json(status, data)
                return
            self._handle_api(fake, method, path, query, body)
        except HelixRequestError as exc:
            self._send_error(exc.status, exc.message)
        except json.JSONDecodeError as exc:
            self._send_error(400, f"invalid JSON body: {exc}")
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _handle_api(
        self,
        fake: FakeHelixServer,
        method: str,
        path: str,
        query: dict[str, list[str]],
        body: bytes,
    ) -> None:
        now = fake.clock.now()
        faults = fake.faults.match(path, now)
        for fault in faults:
            if fault.kind is FaultKind.SLOW:
                fake._stopping.wait(fault.delay_seconds)
        blocking = next((fault for fault in faults if fault.kind in BLOCKING_KINDS), None)
        if blocking is not None:
            logger.debug("fake Helix fault %s on %s", blocking.kind.value, path)
            self._answer_fault(fake, blocking, now)
            return

        if path == "/oauth2/token" and method == "POST":
            form = urllib.parse.parse_qs(body.decode(), keep_blank_values=True)
            form.update({key: value for key, value in query.items() if key not in form})
            self._send_json(200, fake._mint(form))
            return
        if path == "/oauth2/validate" and method == "GET":
            token = self._token("OAuth ") or self._token("Bearer ")
            if not token or not fake._token_valid(token):
                self._send_json(401, {"status": 401, "message": "invalid access token"})
                return
            self._send_json(
                200,
                {"client_id": fake.client_id, "scopes": [], "expires_in": TOKEN_LIFETIME_SECONDS},
            )
            return
        if not path.startswith("/helix/") or method != "GET":
            raise HelixRequestError(404, "")

        client_id = self.headers.get("Client-Id", "")
        token = self._token("Bearer ")
        if client_id != fake.client_id:
            raise HelixRequestError(401, "Client ID and OAuth token do not match")
        if not token or not fake._token_valid(token):
            raise HelixRequestError(401, "Invalid OAuth token")
        remaining, reset = fake._spend_point(client_id, now)
        headers = {
            "Ratelimit-Limit": str(fake.rate_limit_points),
            "Ratelimit-Remaining": str(max(remaining, 0)),
            "Ratelimit-Reset": str(reset),
        }
        if remaining < 0:
            self._send_error(429, "Too Many Requests", headers)
            return
        self._send_json(200, fake.endpoints.route(path, query, now, faults), headers)

    def _token(self, prefix: str) -> str:
        value = self.headers.get("Authorization", "")
        return value[len(prefix) :].strip() if value.startswith(prefix) else ""

    def _answer_fault(self, fake: FakeHelixServer, fault: FakeHelixFault, now: dt.datetime) -> None:
        kind = fault.kind
        if kind is FaultKind.SERVER_ERROR:
            reason = http.HTTPStatus(fault.status).phrase
            if fault.status in (502, 503, 504):
                page = _HTML_ERROR.format(status=fault.status, reason=reason).encode()
                self._send(fault.status, page, content_type="text/html")
            else:
                self._send_error(fault.status, "")
        elif kind is FaultKind.RATE_LIMIT:
            reset = math.ceil(now.timestamp() + fault.retry_after_seconds)
            headers = {
                "Ratelimit-Limit": str(fake.rate_limit_points),
                "Ratelimit-Remaining": "0",
                "Ratelimit-Reset": str(reset),
            }
            self._send_error(429, "Too Many Requests", headers)
        elif kind is FaultKind.RATE_LIMIT_NO_HEADERS:
            self._send_error(429, "Too Many Requests")
        elif kind is FaultKind.REVOKE_TOKEN:
            fake.revoke_tokens()
            self._send_error(401, "Invalid OAuth token")
        elif kind is FaultKind.INVALID_BODY:
            self._send(200, b'{"data": [{"id": "4012')
        else:
            if kind is FaultKind.HANG:
                fake._stopping.wait(fault.delay_seconds)
            # Close without a response: the client sees the connection end.
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
