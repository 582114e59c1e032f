"""The fake Helix HTTP server: Twitch's responses for a simulated world, on loopback only."""

from __future__ import annotations

import collections
import datetime as dt
import http.server
import ipaddress
import logging
import secrets
import threading
import types
from typing import Any, Self

from twitchstats._collector._clock import AcceleratedClock, Clock, ManualClock, SystemClock
from twitchstats._exceptions import ConfigurationError
from twitchstats._fakehelix._endpoints import (
    TOKEN_LIFETIME_SECONDS,
    HelixEndpoints,
    HelixRequestError,
)
from twitchstats._fakehelix._faults import FakeHelixFault, FaultPlan
from twitchstats._fakehelix._handler import Handler
from twitchstats._fakehelix._simulation import Simulation

__all__ = ["DEFAULT_CLIENT_ID", "DEFAULT_CLIENT_SECRET", "FakeHelixServer"]

logger = logging.getLogger(__name__)

DEFAULT_CLIENT_ID = "fakehelixclientid0000000000000"
DEFAULT_CLIENT_SECRET = "fakehelixclientsecret000000000"  # noqa: S105 - public test value


def _check_loopback(host: str) -> str:
    if host == "localhost":
        return "127.0.0.1"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is None or not address.is_loopback or address.version != 4:
        raise ConfigurationError(
            f"the fake Helix server listens on loopback only, not on {host!r}; "
            "use host='127.0.0.1' (or leave the default)"
        )
    return host


class ThreadingServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    fake: FakeHelixServer


class FakeHelixServer:
    """A local HTTP server that responds like Twitch's Helix and OAuth endpoints.

    It serves `POST /oauth2/token`, `GET /oauth2/validate` and `GET /helix/streams`, `/users`,
    `/channels/followers`, `/videos` and `/games` for the channels of a `Simulation`, with
    `Ratelimit-*` headers, Twitch's pagination and 401 for unknown tokens. Fault rules
    (`FakeHelixFault`) make it fail on purpose. Control endpoints under `/_fake/` read and set
    the clock, the faults, renames and suspensions.

    Nothing happens until `start()` (or `with server:`), which binds the port and serves from a
    background thread. Use `serve_forever()` to serve from the calling thread.

    Args:
        host: loopback address to bind; any other host raises `ConfigurationError`.
        port: TCP port; 0 picks a free one (read it from `port` after `start()`).
        seed: seed of the simulation.
        channels: how many channels to simulate.
        clock: the server's time; share a `ManualClock` with the code under test to drive both.
            Defaults to the system clock.
        simulation: a ready simulation, instead of `seed` and `channels`.
        client_id: the only client id the token endpoint accepts.
        client_secret: the matching client secret.
        rate_limit_points: requests per client id per clock minute before real 429 responses.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int = 0,
        channels: int = 50,
        clock: Clock | None = None,
        simulation: Simulation | None = None,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        rate_limit_points: int = 800,
    ) -> None:
        self._host = _check_loopback(host)
        if not 0 <= port <= 65_535:
            raise ConfigurationError(f"port must be between 0 and 65535, got {port}")
        self._requested_port = port
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.simulation = simulation or Simulation(seed=seed, channels=channels)
        self.faults = FaultPlan()
        self.endpoints = HelixEndpoints(self.simulation)
        self.client_id = client_id
        self._client_secret = client_secret
        self.rate_limit_points = rate_limit_points

        self._tokens: dict[str, dt.datetime] = {}
        self._points: dict[tuple[str, int], int] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: ThreadingServer | None = None
        self._thread: threading.Thread | None = None
        self.request_counts: collections.Counter[str] = collections.Counter()

    # -- lifecycle -------------------------------------------------------------------------

    def _bind(self) -> ThreadingServer:
        if self._server is not None:
            raise RuntimeError("the fake Helix server is already running")
        try:
            server = ThreadingServer((self._host, self._requested_port), Handler)
        except OSError as exc:
            raise ConfigurationError(
                f"cannot listen on {self._host}:{self._requested_port} ({exc}); "
                "choose another port or 0 for a free one"
            ) from exc
        server.fake = self
        self._stopping.clear()
        self._server = server
        return server

    def start(self) -> Self:
        """Bind the port and serve from a background thread; return the server."""
        server = self._bind()
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        self._thread.name = f"fake-helix-{self.port}"
        self._thread.start()
        logger.info("fake Helix server listening on %s", self.url)
        return self

    def serve_forever(self) -> None:
        """Bind the port and serve from the calling thread until `stop()` or Ctrl-C."""
        server = self._bind()
        logger.info("fake Helix server listening on %s", self.url)
        try:
            server.serve_forever(poll_interval=0.2)
        finally:
            server.server_close()
            self._server = None

    def stop(self) -> None:
        """Stop serving and close the port; hanging requests are released."""
        server = self._server
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None
        logger.info("fake Helix server stopped")

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: types.TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def client_secret(self) -> str:
        """The client secret the token endpoint accepts (a test value, not a real secret)."""
        return self._client_secret

    @property
    def port(self) -> int:
        """The bound TCP port (only after `start()`)."""
        if self._server is None:
            raise RuntimeError("the fake Helix server is not running; call start() first")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """Root URL, for example `http://127.0.0.1:8080`."""
        return f"http://{self._host}:{self.port}"

    @property
    def helix_base_url(self) -> str:
        """Base URL of the Helix endpoints (`.../helix`)."""
        return f"{self.url}/helix"

    @property
    def auth_base_url(self) -> str:
        """Base URL of the OAuth endpoints (`.../oauth2`)."""
        return f"{self.url}/oauth2"

    # -- scenario --------------------------------------------------------------------------

    def add_faults(self, *faults: FakeHelixFault) -> None:
        """Add fault rules."""
        self.faults.add(*faults)

    def clear_faults(self) -> None:
        """Remove every fault rule."""
        self.faults.clear()

    def rename_channel(self, channel_id: str, login: str, *, at: dt.datetime | None = None) -> None:
        """Give a channel a new login from `at` (default: now on the server clock)."""
        self.simulation.rename(channel_id, login, at=at or self.clock.now())

    def suspend_channel(self, channel_id: str, *, at: dt.datetime | None = None) -> None:
        """Make a channel disappear from every response from `at` (default: now)."""
        self.simulation.suspend(channel_id, at=at or self.clock.now())

    def revoke_tokens(self) -> None:
        """Invalidate every access token issued so far."""
        with self._lock:
            self._tokens.clear()

    # -- request handling (called from handler threads) ------------------------------------

    def _mint(self, form: dict[str, list[str]]) -> dict[str, Any]:
        grant = form.get("grant_type", [""])[0]
        client_id = form.get("client_id", [""])[0]
        secret = form.get("client_secret", [""])[0]
        if grant != "client_credentials":
            raise HelixRequestError(400, "unsupported grant type")
        if client_id != self.client_id:
            raise HelixRequestError(400, "invalid client")
        if not secrets.compare_digest(secret, self._client_secret):
            raise HelixRequestError(403, "invalid client secret")
        token = secrets.token_hex(15)
        with self._lock:
            self._tokens[token] = self.clock.now()
        return {
            "access_token": token,
            "expires_in": TOKEN_LIFETIME_SECONDS,
            "token_type": "bearer",
        }

    def _token_valid(self, token: str) -> bool:
        with self._lock:
            return token in self._tokens

    def _spend_point(self, client_id: str, now: dt.datetime) -> tuple[int, int]:
        """Count one request; return (points remaining, reset epoch seconds)."""
        minute = int(now.timestamp()) // 60
        with self._lock:
            used = self._points.get((client_id, minute), 0) + 1
            self._points[(client_id, minute)] = used
            if len(self._points) > 1000:
                for key in [key for key in self._points if key[1] < minute - 1]:
                    del self._points[key]
        return self.rate_limit_points - used, (minute + 1) * 60

    def _control(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        if path == "/_fake/clock":
            if method == "POST":
                if not isinstance(self.clock, ManualClock):
                    return 409, {"message": "the clock is not manual; restart with --clock manual"}
                if not isinstance(body, dict):
                    raise HelixRequestError(
                        400, "send a JSON object with 'now' or 'advance_seconds'"
                    )
                if "now" in body:
                    self.clock.set(dt.datetime.fromisoformat(str(body["now"])))
                if "advance_seconds" in body:
                    self.clock.advance(float(body["advance_seconds"]))
            return 200, self._clock_json()
        if path == "/_fake/faults":
            if method == "DELETE":
                self.clear_faults()
                self.simulation.clear_changes()
            elif method == "POST":
                self._apply_scenario(body)
            rules = [{**fault.to_json(), "used": used} for fault, used in self.faults.rules()]
            return 200, {"faults": rules}
        if path == "/_fake/channels" and method == "GET":
            now = self.clock.now()
            return 200, {
                "data": [
                    {
                        "id": channel.id,
                        "login": self.simulation.login_at(channel, now),
                        "display_name": channel.display_name,
                        "audience": channel.audience,
                        "broadcaster_type": channel.broadcaster_type,
                        "suspended": self.simulation.is_suspended(channel, now),
                    }
                    for channel in self.simulation.channels
                ]
            }
        raise HelixRequestError(404, f"no control endpoint {method} {path}")

    def _clock_json(self) -> dict[str, Any]:
        kind = {ManualClock: "manual", AcceleratedClock: "accelerated", SystemClock: "system"}
        data: dict[str, Any] = {
            "now": self.clock.now().isoformat(),
            "kind": kind.get(type(self.clock), type(self.clock).__name__),
        }
        if isinstance(self.clock, AcceleratedClock):
            data["factor"] = self.clock.factor
        return data

    def _apply_scenario(self, body: Any) -> None:
        if not isinstance(body, dict):
            raise HelixRequestError(
                400, "send a JSON object with 'faults', 'renames' or 'suspensions'"
            )
        try:
            faults = [FakeHelixFault.from_json(item) for item in body.get("faults", [])]
            for item in body.get("renames", []):
                at = dt.datetime.fromisoformat(item["at"]) if item.get("at") else None
                self.rename_channel(str(item["channel_id"]), str(item["login"]), at=at)
            for item in body.get("suspensions", []):
                at = dt.datetime.fromisoformat(item["at"]) if item.get("at") else None
                self.suspend_channel(str(item["channel_id"]), at=at)
        except (ValueError, KeyError, TypeError) as exc:
            raise HelixRequestError(400, f"invalid scenario: {exc}") from exc
        self.add_faults(*faults)
        if body.get("revoke_tokens"):
            self.revoke_tokens()
