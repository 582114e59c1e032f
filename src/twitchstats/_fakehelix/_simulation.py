"""A deterministic world of fictional Twitch channels for the fake Helix server.

Every response is a pure function of the seed, the channel count, the renames and suspensions set
on the simulation, and the time asked about. Nothing depends on which requests came before, so
two runs that ask about the same minute get the same streams whatever the order of their calls.

Times are evaluated at the start of their UTC minute: a stream whose `started_at` is 20:00:37
is listed from 20:01:00, and viewer counts change once a minute.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import math
import random
import threading
from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

__all__ = ["GAMES", "Broadcast", "Game", "SimChannel", "SimStream", "SimVideo", "Simulation"]

_MASK64 = (1 << 64) - 1

# Stream and video ids pack (day ordinal, channel index, segment) so that a video id can be
# decoded back to its broadcast without keeping any table.
_MAX_CHANNELS = 200_000
_MAX_SEGMENTS = 4
_STREAM_ID_OFFSET = 40_000_000_000
_VIDEO_ID_OFFSET = 1_000_000_000_000

# How long archives stay listed, in days (Twitch keeps partners' archives longer).
_ARCHIVE_DAYS = {"partner": 60, "affiliate": 14, "": 7}


@dataclasses.dataclass(frozen=True)
class Game:
    """A Twitch category."""

    id: str
    name: str
    igdb_id: str


# Real Twitch category ids, so that a configuration written against the fake works on Twitch.
GAMES: tuple[Game, ...] = (
    Game("509658", "Just Chatting", ""),
    Game("32982", "Grand Theft Auto V", "1020"),
    Game("27471", "Minecraft", "121"),
    Game("21779", "League of Legends", "115"),
    Game("516575", "VALORANT", "126459"),
    Game("33214", "Fortnite", "1905"),
    Game("512710", "Call of Duty: Warzone", "131800"),
    Game("26936", "Music", ""),
)
_GAMES_BY_ID = {game.id: game for game in GAMES}
JUST_CHATTING = _GAMES_BY_ID["509658"]
GTA_V = _GAMES_BY_ID["32982"]

_SYLLABLES = (
    "lu", "ma", "ro", "vi", "ka", "ne", "so", "ti", "da", "fe", "ga", "ri", "zo", "be",
    "che", "xa", "pi", "mo", "nu", "le", "ta", "ju", "qui", "re",
)  # fmt: skip
_SUFFIXES = ("", "tv", "_rp", "plays", "live", "xd", "_oficial", "97", "gg", "_yt", "2k", "")
_TITLE_TEMPLATES_EVENT = (
    "{keyword} | día {day} | !redes",
    "🚔 {keyword} 🚔 nueva temporada",
    "[{keyword}] hoy toca persecución",
    "{keyword} con la banda | !discord",
)
_TITLE_TEMPLATES_OTHER = (
    "Charlando un rato | !redes",
    "Ranked hasta subir",
    "Domingo de juegos con la comunidad",
    "Probando cosas nuevas",
)


@dataclasses.dataclass(frozen=True)
class SimChannel:
    """One simulated channel and the habits its schedule is drawn from."""

    index: int
    id: str
    login: str
    display_name: str
    broadcaster_type: str
    created_at: dt.datetime
    audience: int
    followers_base: int
    followers_per_day: float
    stream_probability: float
    usual_start_minute: int
    main_game: Game
    plays_event: bool


@dataclasses.dataclass(frozen=True)
class Broadcast:
    """One broadcast (one stream id) of a channel, with its scripted events."""

    channel_index: int
    stream_id: str
    video_id: str
    started_at: dt.datetime
    ended_at: dt.datetime
    # (from, game) pairs in time order; the first one starts at `started_at`.
    games: tuple[tuple[dt.datetime, Game], ...]
    title: str
    plateau: float
    # The session's first broadcast start, so that a restart continues the viewer curve.
    session_started_at: dt.datetime
    session_ended_at: dt.datetime
    raid_at: dt.datetime | None
    raid_viewers: int
    muted_offsets: tuple[tuple[int, int], ...]

    def game_at(self, at: dt.datetime) -> Game:
        """Return the category shown at `at`."""
        current = self.games[0][1]
        for since, game in self.games:
            if since <= at:
                current = game
        return current


@dataclasses.dataclass(frozen=True)
class SimStream:
    """A live stream as the streams endpoint lists it."""

    channel: SimChannel
    login: str
    broadcast: Broadcast
    game: Game
    viewer_count: int


@dataclasses.dataclass(frozen=True)
class SimVideo:
    """An archive (VOD) of one broadcast."""

    channel: SimChannel
    login: str
    broadcast: Broadcast
    created_at: dt.datetime
    duration_seconds: int
    view_count: int


def _mix(*values: int) -> int:
    """Hash integers to a 64-bit value (splitmix64 steps), stable across processes."""
    state = 0x9E3779B97F4A7C15
    for value in values:
        state = (state ^ (value & _MASK64)) & _MASK64
        state = (state + 0x9E3779B97F4A7C15) & _MASK64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
        state = z ^ (z >> 31)
    return state


def _unit(*values: int) -> float:
    """Return a stable pseudo-random number in [0, 1) for the given integers."""
    return _mix(*values) / float(1 << 64)


def floor_minute(at: dt.datetime) -> dt.datetime:
    """Return `at` with seconds and microseconds dropped."""
    return at.replace(second=0, microsecond=0)


def format_duration(seconds: int) -> str:
    """Format seconds the way Twitch writes video durations: "3h8m33s", "50s"."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes}m{secs}s"
    if minutes:
        return f"{minutes}m{secs}s"
    return f"{secs}s"


class Simulation:
    """Fictional channels whose streams follow evening schedules in a given time zone.

    Args:
        seed: any integer; the same seed gives the same channels and the same schedules.
        channels: how many channels to simulate.
        keyword: the event name that titles of event streams contain.
        timezone: IANA zone of the channels' daily routine.
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        channels: int = 50,
        keyword: str = "Marbella Vice",
        timezone: str = "Europe/Madrid",
    ) -> None:
        if not 1 <= channels <= _MAX_CHANNELS:
            raise ValueError(f"channels must be between 1 and {_MAX_CHANNELS}, got {channels}")
        self.seed = seed
        self.keyword = keyword
        self.zone = ZoneInfo(timezone)
        self._lock = threading.Lock()
        self._renames: dict[str, list[tuple[dt.datetime, str]]] = {}
        self._suspensions: dict[str, dt.datetime] = {}
        self.channels: tuple[SimChannel, ...] = tuple(self._make_channels(channels))
        self._by_id = {channel.id: channel for channel in self.channels}
        self._day_plan = functools.lru_cache(maxsize=65_536)(self._compute_day_plan)

    # -- channels --------------------------------------------------------------------------

    def _make_channels(self, count: int) -> Iterable[SimChannel]:
        rng = random.Random(f"channels/{self.seed}")
        used: set[str] = set()
        for index in range(count):
            syllables = rng.randint(2, 3)
            stem = "".join(rng.choice(_SYLLABLES) for _ in range(syllables))
            login = stem + rng.choice(_SUFFIXES)
            while len(login) < 4 or login in used:
                login += str(rng.randint(0, 9))
            used.add(login)

            # Pareto tail: most channels have tens of viewers, a few have tens of thousands.
            audience = min(int(6 * rng.paretovariate(1.0)), 150_000)
            broadcaster_type = ""
            if audience >= 500:
                broadcaster_type = "partner"
            elif audience >= 25:
                broadcaster_type = "affiliate"
            plays_event = rng.random() < 0.8
            main_game = GTA_V if plays_event else rng.choice(GAMES[2:])
            created = dt.datetime(2012, 1, 1, tzinfo=dt.UTC) + dt.timedelta(
                seconds=rng.randint(0, 9 * 365 * 86_400)
            )
            yield SimChannel(
                index=index,
                id=str(100_000_000 + int(_mix(self.seed, index) % 800_000_000)),
                login=login,
                display_name=login.replace("_", " ").title().replace(" ", "_"),
                broadcaster_type=broadcaster_type,
                created_at=created,
                audience=max(audience, 2),
                followers_base=int(audience * rng.uniform(40, 120)) + rng.randint(10, 500),
                followers_per_day=audience * rng.uniform(0.2, 1.5) + rng.uniform(0, 5),
                stream_probability=rng.uniform(0.45, 0.95),
                usual_start_minute=rng.randint(17 * 60, 22 * 60),
                main_game=main_game,
                plays_event=plays_event,
            )

    def channel(self, channel_id: str) -> SimChannel | None:
        """Return the channel with this id, suspended or not, or None."""
        return self._by_id.get(channel_id)

    def rename(self, channel_id: str, login: str, *, at: dt.datetime) -> None:
        """Give channel `channel_id` the login `login` from `at` on (the id stays)."""
        self._require(channel_id)
        with self._lock:
            changes = self._renames.setdefault(channel_id, [])
            changes.append((at.astimezone(dt.UTC), login))
            changes.sort()

    def suspend(self, channel_id: str, *, at: dt.datetime) -> None:
        """Remove channel `channel_id` from every response from `at` on."""
        self._require(channel_id)
        with self._lock:
            self._suspensions[channel_id] = at.astimezone(dt.UTC)

    def clear_changes(self) -> None:
        """Drop every rename and suspension."""
        with self._lock:
            self._renames.clear()
            self._suspensions.clear()

    def _require(self, channel_id: str) -> None:
        if channel_id not in self._by_id:
            raise ValueError(f"channel id {channel_id!r} is not simulated; see Simulation.channels")

    def login_at(self, channel: SimChannel, at: dt.datetime) -> str:
        """Return the channel's login at `at`, after any rename."""
        with self._lock:
            changes = list(self._renames.get(channel.id, ()))
        login = channel.login
        for since, new_login in changes:
            if since <= at:
                login = new_login
        return login

    def is_suspended(self, channel: SimChannel, at: dt.datetime) -> bool:
        """Return whether the channel is gone from the API at `at`."""
        with self._lock:
            since = self._suspensions.get(channel.id)
        return since is not None and since <= at

    def visible_channels(self, at: dt.datetime) -> list[SimChannel]:
        """Return the channels that are not suspended at `at`."""
        return [channel for channel in self.channels if not self.is_suspended(channel, at)]

    def find_login(self, login: str, at: dt.datetime) -> SimChannel | None:
        """Return the visible channel whose login is `login` at `at`, or None."""
        wanted = login.lower()
        for channel in self.channels:
            if self.login_at(channel, at) == wanted and not self.is_suspended(channel, at):
                return channel
        return None

    # -- schedules -------------------------------------------------------------------------

    def broadcasts_on(self, channel: SimChannel, day: dt.date) -> tuple[Broadcast, ...]:
        """Return the broadcasts that start on local day `day`, in time order."""
        return self._day_plan(channel.index, day)

    def _compute_day_plan(self, index: int, day: dt.date) -> tuple[Broadcast, ...]:
        channel = self.channels[index]
        rng = random.Random(f"day/{self.seed}/{index}/{day.isoformat()}")
        if rng.random() >= channel.stream_probability:
            return ()

        start_minute = int(rng.gauss(channel.usual_start_minute, 40))
        start_minute = min(max(start_minute, 12 * 60), 23 * 60 + 30)
        local_start = dt.datetime.combine(day, dt.time(), tzinfo=self.zone) + dt.timedelta(
            minutes=start_minute, seconds=rng.randint(0, 59)
        )
        session_start = local_start.astimezone(dt.UTC)
        session_end = session_start + dt.timedelta(seconds=rng.randint(90 * 60, 420 * 60))
        session_length = (session_end - session_start).total_seconds()

        # Every value is drawn whether it is used or not, so that changing one event's odds leaves
        # the other events of the day unchanged.
        restart_at: dt.datetime | None = None
        restart_gap = dt.timedelta(seconds=rng.randint(70, 260))
        if rng.random() < 0.2:
            restart_at = session_start + dt.timedelta(
                seconds=int(session_length * rng.uniform(0.2, 0.8))
            )
        opening_chat = rng.random() < 0.6
        chat_seconds = rng.randint(10 * 60, 45 * 60)
        closing_game: Game | None = None
        closing_at = session_start + dt.timedelta(
            seconds=int(session_length * rng.uniform(0.75, 0.95))
        )
        if rng.random() < 0.1:
            closing_game = rng.choice(GAMES[2:])
        raid_at: dt.datetime | None = None
        raid_fraction = rng.uniform(0.3, 0.9)
        raid_viewers = int(channel.audience * rng.uniform(0.3, 2.0)) + rng.randint(5, 200)
        if rng.random() < 0.2:
            raid_at = floor_minute(
                session_start + dt.timedelta(seconds=session_length * raid_fraction)
            )
        plateau = channel.audience * rng.uniform(0.7, 1.3)
        templates = _TITLE_TEMPLATES_EVENT if channel.plays_event else _TITLE_TEMPLATES_OTHER
        title = rng.choice(templates).format(
            keyword=self.keyword, day=(day - dt.date(2021, 1, 1)).days % 90 + 1
        )
        muted: tuple[tuple[int, int], ...] = ()
        if rng.random() < 0.3:
            muted = ((rng.randint(0, int(session_length) // 2), rng.randint(60, 600)),)

        games: list[tuple[dt.datetime, Game]] = []
        if opening_chat:
            games.append((session_start, JUST_CHATTING))
            games.append((session_start + dt.timedelta(seconds=chat_seconds), channel.main_game))
        else:
            games.append((session_start, channel.main_game))
        if closing_game is not None:
            games.append((closing_at, closing_game))

        pieces: list[tuple[dt.datetime, dt.datetime]]
        if restart_at is None:
            pieces = [(session_start, session_end)]
        else:
            pieces = [(session_start, restart_at), (restart_at + restart_gap, session_end)]

        broadcasts = []
        for segment, (start, end) in enumerate(pieces):
            key = (day.toordinal() * _MAX_CHANNELS + index) * _MAX_SEGMENTS + segment
            segment_games = [(since, game) for since, game in games if since <= start]
            first_game = segment_games[-1][1] if segment_games else games[0][1]
            later = [(since, game) for since, game in games if start < since < end]
            broadcasts.append(
                Broadcast(
                    channel_index=index,
                    stream_id=str(_STREAM_ID_OFFSET + key),
                    video_id=str(_VIDEO_ID_OFFSET + key),
                    started_at=start,
                    ended_at=end,
                    games=((start, first_game), *later),
                    title=title,
                    plateau=plateau,
                    session_started_at=session_start,
                    session_ended_at=session_end,
                    raid_at=raid_at,
                    raid_viewers=raid_viewers,
                    muted_offsets=muted,
                )
            )
        return tuple(broadcasts)

    def broadcast_at(self, channel: SimChannel, at: dt.datetime) -> Broadcast | None:
        """Return the broadcast listed as live at `at`, or None when the channel is offline."""
        minute = floor_minute(at)
        today = minute.astimezone(self.zone).date()
        for day in (today - dt.timedelta(days=1), today):
            for broadcast in self.broadcasts_on(channel, day):
                if broadcast.started_at <= minute < broadcast.ended_at:
                    return broadcast
        return None

    def viewers(self, channel: SimChannel, broadcast: Broadcast, at: dt.datetime) -> int:
        """Return the concurrent viewers of `broadcast` at the minute of `at`."""
        minute = floor_minute(at)
        if (minute - broadcast.started_at).total_seconds() < 60:
            return 0  # a new stream's first reading is often 0

        elapsed = (minute - broadcast.session_started_at).total_seconds() / 60
        remaining = (broadcast.session_ended_at - minute).total_seconds() / 60
        level = broadcast.plateau * (1 - math.exp(-elapsed / 15))
        if remaining < 20:
            level *= 0.8 + 0.2 * remaining / 20
        # A slow wave over the evening and a little noise per minute.
        level *= 1 + 0.1 * math.sin(elapsed / 47)
        noise = _unit(self.seed, channel.index, int(minute.timestamp()) // 60)
        level *= 0.97 + 0.06 * noise
        if broadcast.raid_at is not None and minute >= broadcast.raid_at:
            decay = math.exp(-(minute - broadcast.raid_at).total_seconds() / 3600 / 3)
            level += broadcast.raid_viewers * (0.6 + 0.4 * decay)
        return max(int(level), 0)

    def live_streams(
        self, at: dt.datetime, channel_ids: Sequence[str] | None = None
    ) -> list[SimStream]:
        """Return the streams live at `at`, most viewers first, like Twitch orders them.

        Args:
            at: the time asked about.
            channel_ids: only these channels (unknown ids are ignored), or every channel.
        """
        if channel_ids is None:
            candidates: Iterable[SimChannel] = self.channels
        else:
            candidates = (
                self._by_id[cid] for cid in dict.fromkeys(channel_ids) if cid in self._by_id
            )

        streams = []
        for channel in candidates:
            if self.is_suspended(channel, at):
                continue
            broadcast = self.broadcast_at(channel, at)
            if broadcast is None:
                continue
            streams.append(
                SimStream(
                    channel=channel,
                    login=self.login_at(channel, at),
                    broadcast=broadcast,
                    game=broadcast.game_at(floor_minute(at)),
                    viewer_count=self.viewers(channel, broadcast, at),
                )
            )
        streams.sort(key=lambda stream: (-stream.viewer_count, stream.channel.id))
        return streams

    def followers_total(self, channel: SimChannel, at: dt.datetime) -> int:
        """Return the channel's follower total at `at`; it grows every day."""
        days = (at - dt.datetime(2020, 1, 1, tzinfo=dt.UTC)).total_seconds() / 86_400
        return channel.followers_base + int(channel.followers_per_day * max(days, 0.0))

    # -- videos ----------------------------------------------------------------------------

    def videos(self, channel: SimChannel, at: dt.datetime) -> list[SimVideo]:
        """Return the channel's archives that exist at `at`, newest first."""
        minute = floor_minute(at)
        today = minute.astimezone(self.zone).date()
        keep_days = _ARCHIVE_DAYS[channel.broadcaster_type]
        videos = []
        for back in range(keep_days + 1):
            for broadcast in self.broadcasts_on(channel, today - dt.timedelta(days=back)):
                video = self._video(channel, broadcast, minute)
                if video is not None:
                    videos.append(video)
        videos.sort(key=lambda video: video.created_at, reverse=True)
        return videos

    def video_by_id(self, video_id: str, at: dt.datetime) -> SimVideo | None:
        """Return the archive with this id if it exists at `at`, or None."""
        if not video_id.isdigit() or int(video_id) < _VIDEO_ID_OFFSET:
            return None
        key = int(video_id) - _VIDEO_ID_OFFSET
        rest = key // _MAX_SEGMENTS
        ordinal, index = divmod(rest, _MAX_CHANNELS)
        if index >= len(self.channels) or ordinal < 1:
            return None
        channel = self.channels[index]
        if self.is_suspended(channel, at):
            return None
        for broadcast in self.broadcasts_on(channel, dt.date.fromordinal(ordinal)):
            if broadcast.video_id == video_id:
                return self._video(channel, broadcast, floor_minute(at))
        return None

    def _video(
        self, channel: SimChannel, broadcast: Broadcast, minute: dt.datetime
    ) -> SimVideo | None:
        # Archives are created a few seconds after the stream starts.
        created = broadcast.started_at + dt.timedelta(
            seconds=5 + int(_unit(self.seed, int(broadcast.video_id)) * 7)
        )
        if created > minute:
            return None
        age_days = (minute - broadcast.ended_at).total_seconds() / 86_400
        if age_days > _ARCHIVE_DAYS[channel.broadcaster_type]:
            return None
        end = min(minute, broadcast.ended_at)
        duration = int((end - created).total_seconds())
        return SimVideo(
            channel=channel,
            login=self.login_at(channel, minute),
            broadcast=broadcast,
            created_at=created,
            duration_seconds=max(duration, 1),
            view_count=int(broadcast.plateau * 0.6) + int(_unit(int(broadcast.video_id)) * 50),
        )
