"""Fixtures for the metrics tests."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path


def _register_series() -> None:
    """Make `metrics_series` importable by the test modules of this folder.

    pytest runs with `--import-mode=importlib`, which leaves sys.path alone, so the builders
    are loaded once here, before pytest collects the test modules.
    """
    if "metrics_series" in sys.modules:
        return
    spec = importlib.util.spec_from_file_location(
        "metrics_series", Path(__file__).with_name("metrics_series.py")
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["metrics_series"] = module
    spec.loader.exec_module(module)


_register_series()
