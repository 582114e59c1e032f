"""Find a logo in a frame and turn a scan's detections into exposures and impressions.

Runs offline on scikit-image's bundled public-domain images:

    python examples/brands_detect.py
"""

from __future__ import annotations

import datetime as dt

import cv2
import pandas as pd
import skimage.data

from mvbot.brands import (
    Brand,
    LogoDetector,
    VodTiming,
    estimate_impressions,
    find_exposures,
    reference_from_array,
)

# A reference logo and a 1280x720 frame with the logo pasted 300 px wide at (400, 200).
logo = cv2.cvtColor(skimage.data.logo(), cv2.COLOR_RGBA2BGR)
frame = cv2.resize(cv2.cvtColor(skimage.data.coffee(), cv2.COLOR_RGB2BGR), (1280, 720))
frame[200:500, 400:700] = cv2.resize(logo, (300, 300), interpolation=cv2.INTER_AREA)

brand = Brand(name="skimage", references=(reference_from_array(logo, name="logo.png"),))
detector = LogoDetector([brand])

# Process at 960 px wide, as `mvbot brands scan` does by default; results are in source pixels.
scale = 960 / frame.shape[1]
small = cv2.resize(frame, (960, 540), interpolation=cv2.INTER_AREA)
for detection in detector.detect(small, scale=scale):
    print(
        f"{detection.brand}: box {detection.x},{detection.y} {detection.width}x{detection.height}"
        f" px, {detection.inliers} inliers, {detection.screen_share:.1%} of the screen"
    )

# The same logo seen on keyframes at 10, 12 and 14 s of a VOD that began at 18:00:07 UTC.
frames = pd.DataFrame({"video": "vod.mp4", "offset_seconds": [8.0, 10.0, 12.0, 14.0, 16.0]})
found = detector.detect(small, scale=scale)[0].to_dict()
detections = pd.DataFrame(
    [{**found, "video": "vod.mp4", "offset_seconds": offset} for offset in (10.0, 12.0, 14.0)]
)
exposures = find_exposures(frames, detections)
viewers = pd.Series([1800], index=pd.DatetimeIndex([pd.Timestamp("2021-04-16 18:00", tz="UTC")]))
timing = VodTiming(start=dt.datetime(2021, 4, 16, 18, 0, 7, tzinfo=dt.UTC))
result = estimate_impressions(exposures, timing=timing, viewers=viewers, cpm=10.0)
columns = ["brand", "duration_seconds", "impressions", "viewer_seconds", "quality", "media_value"]
print(result[columns].to_string(index=False))
