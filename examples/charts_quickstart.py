"""Draw a ranking with twitchstats.charts and save it as a PNG in light and phone-sized dark.

Usage: python examples/charts_quickstart.py [OUTPUT_DIR]
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from twitchstats.charts import ChartExporter, ranking_bars

rankings = pd.DataFrame(
    {
        "rank": [1, 2, 3],
        "channel_id": ["83232866", "459331509", "52091823"],
        "channel_login": ["ibai", "auronplay", "knekro"],
        "value": [1_234_567.0, 987_654.0, 321_000.0],
        "previous_rank": [2, 1, None],
    }
)

output = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
output.mkdir(parents=True, exist_ok=True)

light = ranking_bars(rankings, metric="hours_watched", title="Marbella Vice", lang="es")
phone = ranking_bars(
    rankings,
    metric="hours_watched",
    title="Marbella Vice",
    lang="es",
    template="twitchstats_dark+twitchstats_phone",
)

with ChartExporter(timeout=30) as exporter:
    exporter.write_image(light, output / "ranking.png")  # 1200×675
    exporter.write_image(phone, output / "ranking_phone.png")  # 1080×1350
    print(f"wrote {output / 'ranking.png'} and {output / 'ranking_phone.png'}")
