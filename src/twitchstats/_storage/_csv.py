"""The samples CSV format, read by `twitchstats import samples` and written by `export samples`.

One row per sample, UTF-8, with this header (column order free, optional columns may be left
out):

    observed_at,channel_id,channel_login,stream_id,started_at,viewer_count,game_id,game_name,title

- `observed_at` (required): the poll time, ISO 8601 with an offset or `Z`. A timestamp without
  an offset is an error, because it has no defined instant.
- `channel_id` or `channel_login` (one required). A row with only a login takes the id of the
  stored channel that has or had that login. An unknown login is stored under the id
  `login:<login>`, which marks it as not a Twitch id.
- `viewer_count` (required): a non-negative integer.
- `stream_id`, `started_at` (ISO 8601 with offset), `game_id`, `game_name`, `title`: may be
  empty. A `game_name` needs its `game_id`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from twitchstats._exceptions import SampleImportError

CSV_COLUMNS = (
    "observed_at",
    "channel_id",
    "channel_login",
    "stream_id",
    "started_at",
    "viewer_count",
    "game_id",
    "game_name",
    "title",
)
SYNTHETIC_ID_PREFIX = "login:"

# Errors listed in the exception message; `.errors` keeps all of them.
_ERRORS_SHOWN = 20
_LOGIN = re.compile(r"^[A-Za-z0-9_]{1,64}$")
_ID = re.compile(r"^\S{1,64}$")


def _parse_time(text: str, column: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{column} {text!r} is not an ISO 8601 timestamp, for example 2021-04-05T20:00:00Z"
        ) from None
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{column} {text!r} has no UTC offset: add Z or an offset such as +02:00")
    return value.astimezone(dt.UTC)


def _open(source: str | Path | IO[str]) -> tuple[IO[str], bool]:
    if isinstance(source, str | Path):
        return open(source, encoding="utf-8-sig", newline=""), True
    return source, False


def _records(reader: csv.DictReader[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield each record with the line number it starts on (the header is line 1)."""
    start = reader.line_num + 1
    for row in reader:
        yield start, row
        start = reader.line_num + 1


def parse_samples_csv(
    source: str | Path | IO[str],
    *,
    known_logins: dict[str, str],
    known_ids: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Read and check every row of a samples CSV file; return them as a samples DataFrame.

    Args:
        source: a path or an open text file.
        known_logins: lowercase login -> Twitch id of the stored channels, current and earlier
            logins, used for rows without `channel_id`.
        known_ids: Twitch id -> current login of the stored channels, used for rows without
            `channel_login`.

    Raises:
        SampleImportError: with every invalid row in `.errors` as (line number, message).
    """
    known_ids = known_ids or {}
    stream, owned = _open(source)
    try:
        return _parse(stream, known_logins, known_ids)
    except UnicodeDecodeError as exc:
        name = source if isinstance(source, str | Path) else getattr(source, "name", "the file")
        message = (
            f"{name} is not UTF-8 text (it contains the byte 0x{exc.object[exc.start]:02x}): "
            "save it as UTF-8, for example as 'CSV UTF-8' in a spreadsheet program"
        )
        raise SampleImportError(message, errors=[(0, message)]) from None
    finally:
        if owned:
            stream.close()


def _parse(
    stream: IO[str], known_logins: dict[str, str], known_ids: dict[str, str]
) -> pd.DataFrame:
    reader = csv.DictReader(stream)
    header = reader.fieldnames
    if header is None:
        raise SampleImportError(
            "the file is empty: expected a header line " + ",".join(CSV_COLUMNS),
            errors=[(1, "missing header")],
        )
    _check_header([name.strip() for name in header])
    columns: dict[str, list[object]] = {name: [] for name in CSV_COLUMNS}
    errors: list[tuple[int, str]] = []
    first_line: dict[tuple[dt.datetime, str], tuple[int, tuple[object, ...]]] = {}
    for line, raw in _records(reader):
        row = {
            (key or "").strip(): (value or "").strip()
            for key, value in raw.items()
            if key is not None
        }
        if None in raw:
            errors.append((line, f"more fields than the {len(header)} header columns"))
            continue
        try:
            parsed = _parse_row(row, known_logins, known_ids)
        except ValueError as exc:
            errors.append((line, str(exc)))
            continue

        observed_at = parsed[0]
        assert isinstance(observed_at, dt.datetime)
        key = (observed_at, str(parsed[1]))
        if key in first_line:
            earlier, values = first_line[key]
            if values != parsed:
                errors.append(
                    (
                        line,
                        f"channel {key[1]} at {key[0].isoformat()} already has a different "
                        f"row on line {earlier}: keep one of them",
                    )
                )
            continue
        first_line[key] = (line, parsed)
        for name, value in zip(CSV_COLUMNS, parsed, strict=True):
            columns[name].append(value)

    if errors:
        shown = "\n".join(f"  line {line}: {message}" for line, message in errors[:_ERRORS_SHOWN])
        more = len(errors) - _ERRORS_SHOWN
        suffix = f"\n  ... and {more} more" if more > 0 else ""
        rows = "1 invalid row" if len(errors) == 1 else f"{len(errors)} invalid rows"
        raise SampleImportError(f"{rows}, nothing was imported:\n{shown}{suffix}", errors=errors)
    return _frame(columns)


def _check_header(header: list[str]) -> None:
    unknown = [name for name in header if name not in CSV_COLUMNS]
    missing = [name for name in ("observed_at", "viewer_count") if name not in header]
    if "channel_id" not in header and "channel_login" not in header:
        missing.append("channel_id or channel_login")
    problems = []
    if unknown:
        problems.append(f"unknown columns {unknown}")
    if missing:
        problems.append(f"missing columns {missing}")
    if problems:
        message = (
            f"invalid header: {'; '.join(problems)}. Expected the columns {','.join(CSV_COLUMNS)}"
        )
        if len(header) == 1 and ";" in header[0]:
            message += ", separated by commas: this file uses semicolons"
        raise SampleImportError(message, errors=[(1, message)])


def _parse_row(
    row: dict[str, str], known_logins: dict[str, str], known_ids: dict[str, str]
) -> tuple[object, ...]:
    observed_text = row.get("observed_at", "")
    if not observed_text:
        raise ValueError("observed_at is empty")
    observed_at = _parse_time(observed_text, "observed_at")

    channel_id = row.get("channel_id", "")
    login = row.get("channel_login", "").lower()
    if channel_id and not _ID.match(channel_id):
        raise ValueError(f"channel_id {channel_id!r} is invalid: use the Twitch user id")
    if login and not _LOGIN.match(login):
        raise ValueError(
            f"channel_login {login!r} is invalid: Twitch logins are letters, digits and _"
        )
    if not channel_id and not login:
        raise ValueError("channel_id and channel_login are both empty: give at least one")
    if not channel_id:
        channel_id = known_logins.get(login, SYNTHETIC_ID_PREFIX + login)
    if not login:
        if channel_id.startswith(SYNTHETIC_ID_PREFIX):
            login = channel_id.removeprefix(SYNTHETIC_ID_PREFIX)
        elif channel_id in known_ids:
            login = known_ids[channel_id]
        else:
            raise ValueError(
                f"channel_login is empty and channel {channel_id} is not in the database: "
                "add the login"
            )

    count_text = row.get("viewer_count", "")
    if not count_text:
        raise ValueError("viewer_count is empty")
    try:
        viewer_count = int(count_text)
    except ValueError:
        raise ValueError(f"viewer_count {count_text!r} is not an integer") from None
    if viewer_count < 0:
        raise ValueError(f"viewer_count {viewer_count} is negative")

    started_text = row.get("started_at", "")
    started_at = _parse_time(started_text, "started_at") if started_text else None

    game_id = row.get("game_id", "")
    game_name = row.get("game_name", "")
    if game_name and not game_id:
        raise ValueError(f"game_name {game_name!r} has no game_id: add the Twitch category id")

    return (
        observed_at,
        channel_id,
        login,
        row.get("stream_id", ""),
        started_at,
        viewer_count,
        game_id,
        game_name,
        row.get("title", ""),
    )


def _frame(columns: dict[str, list[object]]) -> pd.DataFrame:
    frame = pd.DataFrame(
        {name: pd.Series(values, dtype=object) for name, values in columns.items()}
    )
    for name in ("observed_at", "started_at"):
        frame[name] = pd.Series(
            [pd.NaT if value is None else value for value in columns[name]],
            dtype="datetime64[us, UTC]",
        )
    frame["viewer_count"] = frame["viewer_count"].astype(np.int64)
    return frame


def format_time_column(values: pd.Series) -> pd.Series:
    """Format aware times as ISO 8601 in UTC with `Z`, with microseconds only when non-zero."""
    utc = values.dt.tz_convert("UTC")
    text = utc.dt.strftime("%Y-%m-%dT%H:%M:%S")
    micro = utc.dt.microsecond
    fraction = micro.map(lambda us: f".{int(us):06d}" if us else "", na_action="ignore")
    result: pd.Series = (text + fraction + "Z").fillna("").astype(object)
    return result


def write_samples_csv(samples: pd.DataFrame, target: IO[str]) -> int:
    """Write a samples DataFrame (as `Database.read_samples` returns it) as CSV; return rows."""
    out = pd.DataFrame(index=samples.index)
    for name in CSV_COLUMNS:
        if name in ("observed_at", "started_at"):
            out[name] = format_time_column(samples[name])
        elif name == "viewer_count":
            out[name] = samples[name].astype(np.int64)
        else:
            out[name] = samples[name].astype(object)
    out.to_csv(target, index=False, lineterminator="\n")
    return len(out)


def samples_csv_text(samples: pd.DataFrame) -> str:
    """Return the CSV text of a samples DataFrame."""
    buffer = io.StringIO()
    write_samples_csv(samples, buffer)
    return buffer.getvalue()
