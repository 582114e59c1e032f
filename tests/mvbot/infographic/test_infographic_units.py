"""Tests for ranking rows, alt-text limits, the curve's data handling and PNG encoding."""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from mvbot._exceptions import RenderError
from mvbot.infographic import MAX_ALT_TEXT_CHARS, TARGET_IMAGE_BYTES, _png
from mvbot.infographic._alt_text import fit_alt_text
from mvbot.infographic._curve import (
    _segments,
    curve_stats,
    day_bounds,
    day_frame,
    unobserved_spans,
)
from mvbot.infographic._entries import RankChange, ranking_entries
from mvbot.infographic._png import encode_png
from mvbot.infographic._theme import THEME


def test_entries_compute_change_from_previous_rank(
    ranking: pd.DataFrame, channels: pd.DataFrame
) -> None:
    entries = ranking_entries(ranking, channels, metric="average_viewers")

    assert [entry.change for entry in entries[:4]] == [
        RankChange("up", 2),
        RankChange("down", 1),
        RankChange("down", 1),
        RankChange("new"),
    ]
    assert entries[5].change == RankChange("same")
    assert entries[2].display_name == "Kaori ゲーム実況"
    assert entries[0].profile_image_url == "https://static-cdn.example.test/comisaria_lua.png"


def test_entries_fall_back_to_login(ranking: pd.DataFrame) -> None:
    unknown = pd.DataFrame({"channel_id": ["999"], "login": ["x"], "display_name": ["X"]})

    entries = ranking_entries(ranking, unknown, metric="peak_viewers", limit=3)

    assert [entry.display_name for entry in entries] == [
        "comisaria_lua",
        "elnegociador",
        "kaori_game",
    ]
    assert all(entry.profile_image_url is None for entry in entries)


def test_entries_sorted_by_rank(ranking: pd.DataFrame, channels: pd.DataFrame) -> None:
    shuffled = ranking.sample(frac=1, random_state=3)

    entries = ranking_entries(shuffled, channels, metric="hours_watched", limit=10)

    assert [entry.rank for entry in entries] == list(range(1, 11))


def test_fit_alt_text_cuts_at_word() -> None:
    text = "palabra " * 300

    fitted = fit_alt_text(text)

    assert len(fitted) <= MAX_ALT_TEXT_CHARS
    assert fitted.endswith("palabra…")


def test_day_bounds_on_dst_change() -> None:
    start, end = day_bounds(dt.date(2021, 3, 28), "Europe/Madrid")

    assert end - start == pd.Timedelta(hours=23)
    assert start == pd.Timestamp("2021-03-27 23:00", tz="UTC")


def test_curve_stats_ignore_other_days(concurrency: pd.DataFrame, polls: pd.DataFrame) -> None:
    day_before = concurrency.assign(
        observed_at=concurrency["observed_at"] - pd.Timedelta(days=1),
        viewers=concurrency["viewers"] * 10,
    )
    day = dt.date(2021, 4, 16)
    frame = day_frame(pd.concat([day_before, concurrency]), day, "Europe/Madrid", polls=polls)

    stats = curve_stats(frame, day, "Europe/Madrid")

    assert stats.peak == 150000
    assert stats.peak_at == dt.datetime(2021, 4, 16, 18, 0, tzinfo=dt.UTC)
    assert stats.max_channels == 40
    assert stats.samples == len(concurrency)
    assert stats.unobserved_minutes == 12


def test_curve_breaks_at_gaps() -> None:
    times = pd.date_range("2021-04-16 10:00", periods=10, freq="min", tz="UTC")
    frame = pd.DataFrame({"observed_at": times, "viewers": [1.0] * 10})
    frame = frame.drop(index=[4, 5]).reset_index(drop=True)
    frame.loc[6, "viewers"] = np.nan

    segments = _segments(frame, times[0], times[0] + pd.Timedelta(days=1), (0, 0, 1440, 100), 2.0)

    assert [len(segment) for segment in segments] == [4, 2, 1]


@pytest.mark.slow
def test_encode_png_reduces_noisy_image() -> None:
    noise = np.random.default_rng(1).integers(0, 256, size=(620, 620, 3), dtype=np.uint8)

    body = encode_png(Image.fromarray(noise))

    assert len(body) < TARGET_IMAGE_BYTES
    with Image.open(io.BytesIO(body)) as decoded:
        assert decoded.size == (620, 620)
        assert decoded.mode == "P"


def test_encode_png_keeps_flat_image_exact() -> None:
    flat = Image.new("RGB", (1200, 675), (14, 14, 16))

    body = encode_png(flat)

    assert len(body) < TARGET_IMAGE_BYTES
    with Image.open(io.BytesIO(body)) as decoded:
        assert decoded.convert("RGB").getpixel((600, 300)) == (14, 14, 16)


def test_encode_png_rejects_oversized_result(monkeypatch: pytest.MonkeyPatch) -> None:
    # A lower limit replaces X's 5 MB, so the test needs no multi-megabyte image.
    monkeypatch.setattr(_png, "MAX_IMAGE_BYTES", 20_000)
    noise = np.random.default_rng(2).integers(0, 256, size=(200, 200, 3), dtype=np.uint8)

    with pytest.raises(RenderError, match="over the 20000-byte limit"):
        encode_png(Image.fromarray(noise))


def test_unobserved_spans_include_day_edges() -> None:
    start, end = day_bounds(dt.date(2021, 4, 16), "Europe/Madrid")
    times = pd.date_range(start + pd.Timedelta(hours=17), periods=60, freq="min")
    frame = pd.DataFrame({"observed_at": times, "viewers": [5.0] * 60})

    spans = unobserved_spans(frame, start, end)

    assert spans == [(start, times[0]), (times[-1], end)]


def _luminance(colour: tuple[int, ...]) -> float:
    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(channel) for channel in colour[:3])
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def _contrast(first: tuple[int, ...], second: tuple[int, ...]) -> float:
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _over(background: tuple[int, int, int], layer: tuple[int, int, int, int]) -> tuple[int, ...]:
    alpha = layer[3] / 255
    return tuple(
        round(b * (1 - alpha) + f * alpha) for b, f in zip(background, layer, strict=False)
    )


@pytest.mark.parametrize(
    "name", ["text", "muted", "positive", "negative", "gold", "silver", "bronze"]
)
def test_theme_text_contrast(name: str) -> None:
    colour = getattr(THEME, name)

    for panel in (THEME.panel, THEME.panel_top):
        assert _contrast(colour, panel) >= 4.5, panel
        assert _contrast(colour, _over(panel, THEME.bar)) >= 4.5, panel


def test_theme_accent_and_label_contrast() -> None:
    assert _contrast(THEME.accent, THEME.background_top) >= 4.5
    assert _contrast(THEME.accent, THEME.background_bottom) >= 4.5
    assert _contrast(THEME.background_top, THEME.new) >= 4.5


def _live_only(concurrency: pd.DataFrame) -> pd.DataFrame:
    """Return the rows with a channel live, as twitchstats' event concurrency has them."""
    return concurrency.loc[concurrency["channels_live"] > 0].reset_index(drop=True)


def test_day_frame_fills_quiet_minutes(concurrency: pd.DataFrame) -> None:
    day = dt.date(2021, 4, 16)

    frame = day_frame(_live_only(concurrency), day, "Europe/Madrid")
    stats = curve_stats(frame, day, "Europe/Madrid")

    assert len(frame) == 24 * 60
    assert frame["observed_at"].is_monotonic_increasing
    assert (frame.loc[frame["channels_live"] == 0, "viewers"] == 0).all()
    assert stats.unobserved_minutes == 0
    assert stats.peak == 150000


def test_day_frame_keeps_poll_gaps(concurrency: pd.DataFrame, polls: pd.DataFrame) -> None:
    day = dt.date(2021, 4, 16)

    frame = day_frame(_live_only(concurrency), day, "Europe/Madrid", polls=polls)
    stats = curve_stats(frame, day, "Europe/Madrid")

    assert len(frame) == len(concurrency)
    assert stats.unobserved_minutes == 12


def test_day_frame_without_data_is_empty() -> None:
    empty = pd.DataFrame(
        {
            "observed_at": pd.to_datetime([], utc=True),
            "viewers": pd.Series([], dtype=float),
            "channels_live": pd.Series([], dtype=int),
        }
    )

    frame = day_frame(empty, dt.date(2021, 4, 16), "Europe/Madrid")

    assert frame.empty
    assert curve_stats(frame, dt.date(2021, 4, 16), "Europe/Madrid").samples == 0


def test_day_frame_rejects_polls_without_outcome(concurrency: pd.DataFrame) -> None:
    polls = pd.DataFrame({"observed_at": concurrency["observed_at"]})

    with pytest.raises(RenderError, match="observed_at and outcome"):
        day_frame(concurrency, dt.date(2021, 4, 16), "Europe/Madrid", polls=polls)


def test_day_frame_drops_estimates_in_gaps(concurrency: pd.DataFrame, polls: pd.DataFrame) -> None:
    day = dt.date(2021, 4, 16)
    # The fixture's outage: 21:30-21:41 local time has no poll. The metrics engine fills short
    # gaps inside a stream with estimates, so give those minutes values here.
    gap_times = pd.date_range("2021-04-16 19:30", periods=12, freq="min", tz="UTC")
    assert not set(gap_times) & set(pd.to_datetime(polls["observed_at"], utc=True))
    estimated = pd.DataFrame({"observed_at": gap_times, "viewers": 99_999.0, "channels_live": 1})
    with_estimates = pd.concat([_live_only(concurrency), estimated], ignore_index=True)

    frame = day_frame(with_estimates, day, "Europe/Madrid", polls=polls)

    drawn = set(pd.to_datetime(frame["observed_at"], utc=True))
    assert not drawn & set(gap_times)
    assert curve_stats(frame, day, "Europe/Madrid").unobserved_minutes == 12


def _live_samples(start: str, viewers: list[int | None], channel: str, login: str) -> pd.DataFrame:
    first = pd.Timestamp(start, tz="UTC")
    readings = [(minute, count) for minute, count in enumerate(viewers) if count is not None]
    return pd.DataFrame(
        {
            "observed_at": [first + pd.Timedelta(minutes=minute) for minute, _count in readings],
            "channel_id": channel,
            "channel_login": login,
            "stream_id": f"{login}-1",
            "started_at": first,
            "viewer_count": [count for _minute, count in readings],
            "game_id": "32982",
            "game_name": "Grand Theft Auto V",
            "title": "Marbella Vice",
        }
    )


def test_live_average_equals_event_daily_average() -> None:
    from mvbot.infographic._curve import live_average
    from twitchstats.metrics import EventChannel, EventDefinition, event_stats, sessionise

    # Alpha is live 10:00-10:29 UTC with a 3-minute collector gap, which the engine fills
    # with estimates; beta joins at 10:10.
    alpha: list[int | None] = [100 + 10 * minute for minute in range(30)]
    alpha[12:15] = [None, None, None]
    frame = pd.concat(
        [
            _live_samples("2021-04-05 10:00", alpha, "1", "alpha"),
            _live_samples("2021-04-05 10:10", [50] * 20, "2", "beta"),
        ],
        ignore_index=True,
    )
    minutes = pd.date_range("2021-04-05 09:55", "2021-04-05 10:40", freq="min", tz="UTC")
    gap = (minutes >= "2021-04-05 10:12+00:00") & (minutes <= "2021-04-05 10:14+00:00")
    poll_frame = pd.DataFrame(
        {
            "observed_at": minutes,
            "outcome": np.where(gap, "failed", "ok"),
            "unobserved_channel_ids": [()] * len(minutes),
        }
    )
    event = EventDefinition(
        name="Test",
        timezone="Europe/Madrid",
        channels=(EventChannel(login="alpha"), EventChannel(login="beta")),
    )
    result = event_stats(sessionise(frame, poll_frame), event)
    day = dt.date(2021, 4, 5)

    average = live_average(result.concurrency, day, "Europe/Madrid")

    expected = float(result.daily["average_viewers"].iloc[0])
    assert average == pytest.approx(expected)
    observed_only = day_frame(result.concurrency, day, "Europe/Madrid", polls=poll_frame)
    assert curve_stats(observed_only, day, "Europe/Madrid").average_live != pytest.approx(expected)
