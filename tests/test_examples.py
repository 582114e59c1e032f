"""Every example under examples/ runs as the docs say (the others are run by their own tests).

Examples that draw images need Chromium and are covered by the charts and infographic tests;
the Helix quickstart is covered by the Helix tests.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def _run(*arguments: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "JUPYTER_PLATFORM_DIRS": "1", "PYTHONWARNINGS": "error"}
    return subprocess.run(
        [sys.executable, *arguments],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        env=environment,
        timeout=600,
    )


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        pytest.param("storage_quickstart.py", "observed_at,channel_id", id="storage"),
        pytest.param("metrics_from_frames.py", "hours_watched", id="metrics"),
        pytest.param("collect_with_fake_server.py", "samples from", id="collector"),
        pytest.param("brands_detect.py", "impressions", id="brands"),
    ],
)
def test_example_script_runs(script: str, expected: str, tmp_path: Path) -> None:
    completed = _run(str(EXAMPLES / script), cwd=tmp_path)

    assert completed.returncode == 0, completed.stderr
    assert expected in completed.stdout


def test_daily_dry_run_example_without_data(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"

    completed = _run(
        str(EXAMPLES / "daily_dry_run.py"),
        str(EXAMPLES / "marbella-vice.toml"),
        url,
        "2021-04-16",
        cwd=tmp_path,
    )

    assert completed.returncode == 0, completed.stderr


@pytest.mark.slow
def test_analyst_notebook_executes(tmp_path: Path) -> None:
    code = (
        "import nbformat, sys\n"
        "from nbclient import NotebookClient\n"
        "notebook = nbformat.read(sys.argv[1], as_version=4)\n"
        "NotebookClient(notebook, timeout=300, kernel_name='python3').execute()\n"
        "errors = [o for c in notebook.cells for o in c.get('outputs', [])\n"
        "          if o.get('output_type') == 'error']\n"
        "print('errors', len(errors))\n"
    )
    environment = {**os.environ, "JUPYTER_PLATFORM_DIRS": "1"}

    completed = subprocess.run(
        [sys.executable, "-c", code, str(EXAMPLES / "analyst_workflow.ipynb")],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env=environment,
        timeout=600,
    )

    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "errors 0" in completed.stdout
