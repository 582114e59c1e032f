"""Fixtures for the storage tests."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path


def _register_builders() -> None:
    """Make `storage_samples` importable by the test modules of this folder.

    pytest runs with `--import-mode=importlib`, which leaves sys.path alone, so the module is
    loaded once here, before pytest collects the test modules.
    """
    if "storage_samples" in sys.modules:
        return
    spec = importlib.util.spec_from_file_location(
        "storage_samples", Path(__file__).with_name("storage_samples.py")
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["storage_samples"] = module
    spec.loader.exec_module(module)


_register_builders()
