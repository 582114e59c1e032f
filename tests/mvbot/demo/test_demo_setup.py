"""Fast tests of `mvbot demo`'s output folder rule, timeline, event file and command line."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from mvbot._config import load_config
from mvbot._exceptions import DemoError
from mvbot.cli import build_cli
from mvbot.demo import MARKER_NAME, DemoPlan, check_output_folder, prepare_output_folder
from mvbot.demo._scenario import write_event_file
from twitchstats import CollectorConfig
from twitchstats._fakehelix import Simulation

MADRID = ZoneInfo("Europe/Madrid")


def test_new_folder_is_created_with_marker(tmp_path: Path) -> None:
    folder = prepare_output_folder(tmp_path / "new" / "demo", lang="es")

    assert folder.is_dir()
    assert (folder / MARKER_NAME).is_file()


def test_empty_folder_is_used(tmp_path: Path) -> None:
    folder = prepare_output_folder(tmp_path, lang="es")

    assert folder == tmp_path.absolute()
    assert (tmp_path / MARKER_NAME).is_file()


def test_demo_folder_is_emptied(tmp_path: Path) -> None:
    prepare_output_folder(tmp_path, lang="es")
    (tmp_path / "old.db").write_text("x", encoding="utf-8")
    (tmp_path / "images" / "day").mkdir(parents=True)
    (tmp_path / "images" / "day" / "old.png").write_bytes(b"x")

    prepare_output_folder(tmp_path, lang="es")

    assert sorted(path.name for path in tmp_path.iterdir()) == [MARKER_NAME]


def test_other_folder_is_rejected_untouched(tmp_path: Path) -> None:
    keep = tmp_path / "notes.txt"
    keep.write_text("mine", encoding="utf-8")

    with pytest.raises(DemoError) as raised:
        prepare_output_folder(tmp_path, lang="es")

    assert str(tmp_path) in str(raised.value)
    assert "--output" in str(raised.value)
    assert keep.read_text(encoding="utf-8") == "mine"
    assert not (tmp_path / MARKER_NAME).exists()


def test_file_is_rejected(tmp_path: Path) -> None:
    target = tmp_path / "demo-output"
    target.write_text("a file", encoding="utf-8")

    with pytest.raises(DemoError, match="--output"):
        check_output_folder(target, lang="en")

    assert target.read_text(encoding="utf-8") == "a file"


@pytest.mark.parametrize("lang", ["es", "en"])
def test_command_rejects_other_folder(tmp_path: Path, lang: str) -> None:
    keep = tmp_path / "report.csv"
    keep.write_text("a,b\n", encoding="utf-8")

    result = CliRunner().invoke(build_cli(), ["--lang", lang, "demo", "--output", str(tmp_path)])

    assert result.exit_code == 1
    assert str(tmp_path) in result.output
    assert "--output" in result.output
    assert keep.read_text(encoding="utf-8") == "a,b\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["report.csv"]


def test_plan_puts_outage_on_day_two() -> None:
    plan = DemoPlan.build(3)

    assert plan.days == (dt.date(2025, 5, 12), dt.date(2025, 5, 13), dt.date(2025, 5, 14))
    assert plan.start == dt.datetime(2025, 5, 12, 0, 0, tzinfo=MADRID)
    assert plan.outage_start == dt.datetime(2025, 5, 13, 21, 10, tzinfo=MADRID)
    assert plan.outage_end - plan.outage_start == dt.timedelta(minutes=30)
    assert plan.until == dt.datetime(2025, 5, 15, 0, 30, tzinfo=MADRID)
    assert plan.total_minutes == 3 * 1440 + 30


def test_plan_of_one_day_has_outage_on_it() -> None:
    plan = DemoPlan.build(1)

    assert plan.outage_start.astimezone(MADRID).date() == dt.date(2025, 5, 12)
    assert plan.start < plan.outage_start < plan.outage_end < plan.until


def test_plan_rejects_zero_days() -> None:
    with pytest.raises(ValueError, match="at least one day"):
        DemoPlan.build(0)


def test_event_file_loads_and_attributes(tmp_path: Path) -> None:
    simulation = Simulation(seed=3, channels=40, keyword="Vice City Nights")
    logins = [channel.login for channel in simulation.channels]
    path = write_event_file(
        tmp_path / "event.toml",
        plan=DemoPlan.build(2),
        logins=logins,
        helix_base_url="http://127.0.0.1:9/helix",
        auth_base_url="http://127.0.0.1:9/oauth2",
        lang="en",
    )

    config = load_config(path)
    collector = CollectorConfig.from_mapping(config.raw, source=str(path))
    pattern = config.event.attribution.title_pattern

    assert config.event.name == "Vice City Nights Demo"
    assert config.event.timezone == "Europe/Madrid"
    assert (config.event.start, config.event.end) == (dt.date(2025, 5, 12), dt.date(2025, 5, 13))
    assert [channel.login for channel in config.event.channels] == logins
    assert config.event.attribution.game_ids == ("32982",)
    assert pattern is not None
    assert re.search(pattern, "🚔 VICE CITY NIGHTS 🚔 nueva temporada")
    assert not re.search(pattern, "Charlando un rato | !redes")
    assert config.mvbot.language == "en"
    assert config.mvbot.publishers == ("outbox",)
    assert config.mvbot.avatars is False
    assert config.mvbot.outbox_dir == tmp_path / "outbox"
    assert collector.helix_base_url == "http://127.0.0.1:9/helix"
    assert collector.interval_seconds == 60
    assert len(collector.channels) == 40


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("es", "Carpeta de salida"), ("en", "Output folder")],
)
def test_help_in_each_language(lang: str, expected: str) -> None:
    # Help texts are read when the command module is imported, so each language needs a
    # fresh interpreter, as `mvbot --lang en demo --help` gets.
    completed = subprocess.run(
        [sys.executable, "-c", "from mvbot.cli import main; main()", "--lang", lang, "demo", "-h"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )

    assert completed.returncode == 0, completed.stderr
    assert expected in completed.stdout
    assert "--channels N" in completed.stdout
