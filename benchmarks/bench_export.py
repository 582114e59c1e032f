"""Benchmark of `twitchstats.charts` static export: one browser for a batch against one per image.

Builds the daily chart set of `examples/chart_gallery.py` (seven different figures: two
rankings, event concurrency, a channel timeline, the schedule heatmap, category share, follower
growth) and exports it as PNG twice:

- batch: one `ChartExporter`, so Chromium starts once for the whole set;
- baseline: `export_image` for each figure, so Chromium starts once per image.

Both times include starting the browser. The script prints both, the ratio, and whether the batch
met the target of the whole set in under 10 seconds.

Run: python benchmarks/bench_export.py [--rounds 3] [--lang es]
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import os
import platform
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import plotly.graph_objects as go

from twitchstats.charts import ChartExporter, export_image

TARGET_SECONDS = 10.0
GALLERY = Path(__file__).resolve().parents[1] / "examples" / "chart_gallery.py"


def _load_figures(lang: str) -> dict[str, go.Figure]:
    spec = importlib.util.spec_from_file_location("chart_gallery", GALLERY)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load the chart set from {GALLERY}")
    gallery = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gallery)
    figures: dict[str, go.Figure] = gallery.build_daily_figures(lang)
    return figures


def _batch(figures: dict[str, go.Figure], folder: Path) -> None:
    with ChartExporter() as exporter:
        for name, fig in figures.items():
            exporter.write_image(fig, folder / f"{name}.png")


def _one_browser_per_image(figures: dict[str, go.Figure], folder: Path) -> None:
    for name, fig in figures.items():
        export_image(fig, folder / f"{name}.png")


def _cpu_seconds() -> float:
    # This process plus every exited child it waited for: Chromium and, through Chromium, its
    # renderer processes. It varies much less than wall time when other jobs share the CPUs.
    total = 0.0
    for scope in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(scope)
        total += usage.ru_utime + usage.ru_stime
    return total


def _time(
    run: Callable[[dict[str, go.Figure], Path], None], figures: dict[str, go.Figure]
) -> tuple[float, float]:
    """Return the wall-clock and CPU seconds of one run."""
    with tempfile.TemporaryDirectory() as folder:
        cpu_before = _cpu_seconds()
        started = time.perf_counter()
        run(figures, Path(folder))
        elapsed = time.perf_counter() - started
        cpu = _cpu_seconds() - cpu_before
        written = sorted(Path(folder).glob("*.png"))
        if len(written) != len(figures):
            raise SystemExit(f"expected {len(figures)} PNG files, found {len(written)}")
    return elapsed, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="runs of each mode (median shown)")
    parser.add_argument(
        "--lang", choices=["es", "en"], default="es", help="language of the chart texts"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    figures = _load_figures(args.lang)
    print(
        f"{len(figures)} figures; {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} CPUs (shared with other processes: times are upper bounds)"
    )

    batch_runs: list[tuple[float, float]] = []
    baseline_runs: list[tuple[float, float]] = []
    for round_number in range(1, args.rounds + 1):
        batch_runs.append(_time(_batch, figures))
        baseline_runs.append(_time(_one_browser_per_image, figures))
        print(
            f"round {round_number}/{args.rounds}: batch {batch_runs[-1][0]:.2f} s, "
            f"one browser per image {baseline_runs[-1][0]:.2f} s"
        )

    batch = statistics.median(wall for wall, _ in batch_runs)
    baseline = statistics.median(wall for wall, _ in baseline_runs)
    batch_cpu = statistics.median(cpu for _, cpu in batch_runs)
    baseline_cpu = statistics.median(cpu for _, cpu in baseline_runs)
    count = len(figures)
    print("median of the rounds; CPU time counts this process, Chromium and its renderers:")
    print(
        f"batch, one browser:        {batch:6.2f} s  ({batch / count:.2f} s per image), "
        f"CPU {batch_cpu:6.2f} s"
    )
    print(
        f"one browser per image:     {baseline:6.2f} s  ({baseline / count:.2f} s per image), "
        f"CPU {baseline_cpu:6.2f} s"
    )
    print(
        f"speed-up (baseline/batch): {baseline / batch:6.2f}x wall, "
        f"{baseline_cpu / batch_cpu:.2f}x CPU"
    )
    verdict = "met" if batch < TARGET_SECONDS else "MISSED"
    print(f"target: whole set under {TARGET_SECONDS:.0f} s, browser start included: {verdict}")


if __name__ == "__main__":
    main()
