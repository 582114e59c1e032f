"""Daily infographics: ranked cards and the event's concurrency curve, as PNG files for posting.

`render_daily_infographics` draws, for one local day, a top-10 card image per ranking metric
(average viewers, hours watched, peak viewers) and the event's combined viewer curve, in 16:9
(1200×675) or 4:5 (1080×1350). Each `RenderedImage` carries an alt text of at most 1000
characters. Profile pictures come from an `AvatarCache`; a channel without a usable picture gets
an initials avatar.
"""

from __future__ import annotations

from mvbot._avatars import AvatarCache
from mvbot.infographic._alt_text import MAX_ALT_TEXT_CHARS
from mvbot.infographic._fonts import find_fonts
from mvbot.infographic._png import MAX_IMAGE_BYTES, TARGET_IMAGE_BYTES
from mvbot.infographic._render import (
    RANKING_KINDS,
    InfographicKind,
    RenderedImage,
    render_daily_infographics,
)
from mvbot.infographic._theme import FORMATS, ImageFormat

__all__ = [
    "FORMATS",
    "MAX_ALT_TEXT_CHARS",
    "MAX_IMAGE_BYTES",
    "RANKING_KINDS",
    "TARGET_IMAGE_BYTES",
    "AvatarCache",
    "ImageFormat",
    "InfographicKind",
    "RenderedImage",
    "find_fonts",
    "render_daily_infographics",
]
