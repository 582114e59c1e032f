"""The names that `import mvbot` promises."""

from __future__ import annotations

import subprocess
import sys

import pytest

import mvbot

EXPECTED = {
    "BotRunner",
    "BrandsError",
    "ConfigError",
    "EventConfig",
    "MvbotError",
    "PublishError",
    "RenderError",
    "load_config",
    "parse_config",
    "run_daily",
}


def test_all_is_exactly_the_public_names() -> None:
    assert set(mvbot.__all__) == EXPECTED


def test_all_is_sorted() -> None:
    assert mvbot.__all__ == sorted(mvbot.__all__)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_public_name_resolves_with_docstring(name: str) -> None:
    value = getattr(mvbot, name)
    assert value.__doc__, name


def test_unknown_attribute_raises() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = mvbot.nope  # type: ignore[attr-defined]


def test_import_loads_no_heavy_module() -> None:
    code = (
        "import sys, mvbot; "
        "print(sorted(m for m in ('pandas', 'cv2', 'plotly') if m in sys.modules))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert completed.stdout.strip() == "[]"
