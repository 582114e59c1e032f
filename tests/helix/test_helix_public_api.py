"""The public names of the Helix client: exported, documented and keyword-only."""

from __future__ import annotations

import inspect

import pytest

import twitchstats

HELIX_NAMES = [
    "AsyncHelixClient",
    "Game",
    "HelixClient",
    "MutedSegment",
    "RateLimit",
    "RequestStats",
    "RetryPolicy",
    "Stream",
    "User",
    "Video",
    "parse_video_duration",
]
METHODS = [
    "get_streams",
    "get_users",
    "get_games",
    "get_videos",
    "iter_videos",
    "get_follower_total",
]


@pytest.mark.parametrize("name", HELIX_NAMES)
def test_name_exported_and_documented(name: str) -> None:
    assert name in twitchstats.__all__
    documented = getattr(twitchstats, name)
    assert documented.__doc__
    assert len(documented.__doc__.strip()) > 40


@pytest.mark.parametrize("client", [twitchstats.HelixClient, twitchstats.AsyncHelixClient])
def test_client_construction_keyword_only(client: type) -> None:
    parameters = list(inspect.signature(client).parameters.values())

    assert parameters
    for parameter in parameters:
        assert parameter.kind is inspect.Parameter.KEYWORD_ONLY, parameter.name


@pytest.mark.parametrize("method", METHODS)
def test_sync_and_async_methods_match(method: str) -> None:
    sync_method = getattr(twitchstats.HelixClient, method)
    async_method = getattr(twitchstats.AsyncHelixClient, method)

    assert sync_method.__doc__
    assert async_method.__doc__
    sync_parameters = inspect.signature(sync_method).parameters
    async_parameters = inspect.signature(async_method).parameters
    assert list(sync_parameters) == list(async_parameters)
    for name, parameter in sync_parameters.items():
        assert async_parameters[name].kind is parameter.kind
        assert async_parameters[name].default == parameter.default
