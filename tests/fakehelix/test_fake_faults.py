"""Tests of the fault rules of the fake Helix server."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

import httpx
import pytest

from twitchstats._collector._clock import ManualClock
from twitchstats._fakehelix import FakeHelixFault, FakeHelixServer, FaultKind


def _ids(server: FakeHelixServer, count: int = 100) -> list[str]:
    return [channel.id for channel in server.simulation.channels[:count]]


def _streams(helix: httpx.Client, server: FakeHelixServer, **params: object) -> httpx.Response:
    return helix.get("/streams", params={"user_id": _ids(server), "first": 100, **params})  # type: ignore[arg-type]


@pytest.mark.parametrize("status", [502, 503, 504])
def test_gateway_errors_have_html_body(
    helix: httpx.Client, server: FakeHelixServer, status: int
) -> None:
    server.add_faults(FakeHelixFault(kind=FaultKind.SERVER_ERROR, status=status, count=1))
    failed = _streams(helix, server)
    recovered = _streams(helix, server)
    assert failed.status_code == status
    assert failed.headers["Content-Type"] == "text/html"
    assert failed.text.startswith("<html>")
    assert recovered.status_code == 200


def test_internal_error_has_json_body(helix: httpx.Client, server: FakeHelixServer) -> None:
    server.add_faults(FakeHelixFault(kind=FaultKind.SERVER_ERROR, status=500, count=1))
    response = _streams(helix, server)
    assert response.status_code == 500
    assert response.json()["status"] == 500


def test_rate_limit_fault_has_reset_header(
    helix: httpx.Client, server: FakeHelixServer, clock: ManualClock
) -> None:
    server.add_faults(FakeHelixFault(kind=FaultKind.RATE_LIMIT, retry_after_seconds=3, count=1))
    response = _streams(helix, server)
    assert response.status_code == 429
    assert response.headers["Ratelimit-Remaining"] == "0"
    assert int(response.headers["Ratelimit-Reset"]) == int(clock.now().timestamp()) + 3


def test_rate_limit_fault_without_headers(helix: httpx.Client, server: FakeHelixServer) -> None:
    server.add_faults(FakeHelixFault(kind=FaultKind.RATE_LIMIT_NO_HEADERS, count=1))
    response = _streams(helix, server)
    assert response.status_code == 429
    assert "Ratelimit-Reset" not in response.headers
    assert "Ratelimit-Remaining" not in response.headers


def test_revoke_fault_requires_new_token(
    helix: httpx.Client, server: FakeHelixServer, mint: Callable[[httpx.Client], str]
) -> None:
    server.add_faults(FakeHelixFault(kind=FaultKind.REVOKE_TOKEN, count=1))
    revoked = _streams(helix, server)
    still_revoked = _streams(helix, server)
    helix.headers["Authorization"] = f"Bearer {mint(helix)}"
    renewed = _streams(helix, server)
    assert revoked.status_code == 401
    assert still_revoked.status_code == 401
    assert renewed.status_code == 200


def test_slow_fault_delays_answer(helix: httpx.Client, server: FakeHelixServer) -> None:
    server.add_faults(FakeHelixFault(kind=FaultKind.SLOW, delay_seconds=0.3, count=1))
    started = time.perf_counter()
    response = _streams(helix, server)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200
    assert elapsed >= 0.3


def test_hang_fault_times_out_client(helix: httpx.Client, server: FakeHelixServer) -> None:
    server.add_faults(FakeHelixFault(kind=FaultKind.HANG, delay_seconds=5, count=1))
    with pytest.raises(httpx.ReadTimeout):
        helix.get("/streams", params={"user_id": _ids(server)}, timeout=0.3)
    assert _streams(helix, server).status_code == 200


def test_hang_released_on_stop(clock: ManualClock) -> None:
    server = FakeHelixServer(channels=5, clock=clock).start()
    server.add_faults(FakeHelixFault(kind=FaultKind.HANG, path="/oauth2", delay_seconds=60))
    started = time.perf_counter()
    with httpx.Client(timeout=10) as client:
        import threading

        stopper = threading.Timer(0.3, server.stop)
        stopper.start()
        with pytest.raises(httpx.RemoteProtocolError):
            client.post(f"{server.auth_base_url}/token", data={})
        stopper.join()
    assert time.perf_counter() - started < 5


def test_drop_connection_fault(helix: httpx.Client, server: FakeHelixServer) -> None:
    server.add_faults(FakeHelixFault(kind=FaultKind.DROP_CONNECTION, count=1))
    with pytest.raises(httpx.RemoteProtocolError):
        _streams(helix, server)
    assert _streams(helix, server).status_code == 200


def test_invalid_body_fault(helix: httpx.Client, server: FakeHelixServer) -> None:
    server.add_faults(FakeHelixFault(kind=FaultKind.INVALID_BODY, count=1))
    response = _streams(helix, server)
    assert response.status_code == 200
    with pytest.raises(ValueError, match=r"Expecting|Unterminated"):
        response.json()


def test_cursor_loop_points_back_to_first_page(
    helix: httpx.Client, server: FakeHelixServer
) -> None:
    server.add_faults(FakeHelixFault(kind=FaultKind.CURSOR_LOOP, page_size=40))
    pages = []
    cursor = None
    for _ in range(6):
        params = {"after": cursor} if cursor else {}
        body = _streams(helix, server, **params).json()
        pages.append([item["id"] for item in body["data"]])
        cursor = body["pagination"].get("cursor")
    # Whatever the number of pages, a cursor always comes back and the listing starts over.
    assert cursor is not None
    assert pages[0] in pages[1:]


def test_duplicate_across_pages_keeps_every_stream(
    helix: httpx.Client, server: FakeHelixServer
) -> None:
    whole = [item["id"] for item in _streams(helix, server).json()["data"]]
    server.add_faults(FakeHelixFault(kind=FaultKind.DUPLICATE_ACROSS_PAGES, page_size=10))
    seen: list[str] = []
    cursor = None
    for _ in range(30):
        params = {"after": cursor} if cursor else {}
        body = _streams(helix, server, **params).json()
        seen.extend(item["id"] for item in body["data"])
        cursor = body["pagination"].get("cursor")
        if cursor is None:
            break
    assert len(seen) > len(whole)
    assert list(dict.fromkeys(seen)) == whole


def test_short_pages_ignore_first(helix: httpx.Client, server: FakeHelixServer) -> None:
    server.add_faults(FakeHelixFault(kind=FaultKind.SHORT_PAGES, page_size=3))
    body = _streams(helix, server).json()
    assert len(body["data"]) == 3
    assert body["pagination"]["cursor"]


def test_fault_window_follows_server_clock(
    helix: httpx.Client, server: FakeHelixServer, clock: ManualClock
) -> None:
    start = clock.now() + dt.timedelta(minutes=2)
    server.add_faults(
        FakeHelixFault(
            kind=FaultKind.SERVER_ERROR, start=start, end=start + dt.timedelta(minutes=1)
        )
    )
    statuses = []
    for _ in range(4):
        statuses.append(_streams(helix, server).status_code)
        clock.advance(60)
    assert statuses == [200, 200, 503, 200]


def test_fault_path_prefix(helix: httpx.Client, server: FakeHelixServer) -> None:
    server.add_faults(FakeHelixFault(kind=FaultKind.SERVER_ERROR, path="/helix/users"))
    assert _streams(helix, server).status_code == 200
    assert helix.get("/users", params={"id": _ids(server, 1)}).status_code == 503


def test_faults_by_control_endpoint(
    helix: httpx.Client, server: FakeHelixServer, clock: ManualClock
) -> None:
    channel = server.simulation.channels[0]
    body = {
        "faults": [{"kind": "server_error", "path": "/helix/streams", "count": 1, "status": 500}],
        "renames": [{"channel_id": channel.id, "login": "otro_login"}],
        "suspensions": [{"channel_id": server.simulation.channels[1].id}],
    }
    created = httpx.post(f"{server.url}/_fake/faults", json=body, timeout=5)
    failed = _streams(helix, server)
    users = helix.get("/users", params={"id": _ids(server, 2)}).json()["data"]
    listed = httpx.get(f"{server.url}/_fake/faults", timeout=5).json()
    cleared = httpx.delete(f"{server.url}/_fake/faults", timeout=5).json()
    assert created.status_code == 200
    assert failed.status_code == 500
    assert [(user["id"], user["login"]) for user in users] == [(channel.id, "otro_login")]
    assert listed["faults"][0]["used"] == 1
    assert cleared == {"faults": []}


def test_control_endpoint_rejects_unknown_kind(server: FakeHelixServer) -> None:
    response = httpx.post(
        f"{server.url}/_fake/faults", json={"faults": [{"kind": "meteor"}]}, timeout=5
    )
    assert response.status_code == 400
    assert "meteor" in response.json()["message"]


def test_fault_json_round_trip() -> None:
    fault = FakeHelixFault(
        kind=FaultKind.RATE_LIMIT,
        path="/helix/streams",
        start=dt.datetime(2021, 4, 16, 19, tzinfo=dt.UTC),
        end=dt.datetime(2021, 4, 16, 20, tzinfo=dt.UTC),
        count=3,
    )
    assert FakeHelixFault.from_json(fault.to_json()) == fault


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({"kind": "server_error", "status": 404}, id="status-not-5xx"),
        pytest.param({"kind": "slow", "count": 0}, id="zero-count"),
        pytest.param({"kind": "short_pages", "page_size": 0}, id="zero-page"),
        pytest.param({"kind": "slow", "start": dt.datetime(2021, 1, 1)}, id="naive-start"),  # noqa: DTZ001
    ],
)
def test_invalid_fault_rejected(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        FakeHelixFault(**kwargs)  # type: ignore[arg-type]
