"""A fake Twitch Helix server for tests, benchmarks and demos (loopback only)."""

from __future__ import annotations

from twitchstats._fakehelix._faults import FakeHelixFault, FaultKind, FaultPlan
from twitchstats._fakehelix._server import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, FakeHelixServer
from twitchstats._fakehelix._simulation import GAMES, Game, SimChannel, Simulation

__all__ = [
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "GAMES",
    "FakeHelixFault",
    "FakeHelixServer",
    "FaultKind",
    "FaultPlan",
    "Game",
    "SimChannel",
    "Simulation",
]
