"""Exceptions raised by mvbot.

```
MvbotError
├── ConfigError        an event file with an invalid or missing key (names the key, value and fix)
├── PublishError       a post could not be published (subclasses per publisher live beside them)
├── RenderError        an infographic or dashboard could not be produced
├── BrandsError        logo detection could not run (unreadable video, unusable reference image)
│   ├── ReferenceImageError  a reference logo is missing, unreadable or has too little texture
│   └── VideoError           a video is missing, unreadable or has no decodable video stream
└── DemoError          `mvbot demo` cannot use its output folder or cannot render images
```

Messages never contain credentials.
"""

from __future__ import annotations

__all__ = [
    "BrandsError",
    "ConfigError",
    "DemoError",
    "MvbotError",
    "PublishError",
    "ReferenceImageError",
    "RenderError",
    "VideoError",
]


class MvbotError(Exception):
    """Base class of every exception that mvbot raises on purpose."""


class ConfigError(MvbotError):
    """The event configuration is invalid: the message names the key, the value and the fix."""


class PublishError(MvbotError):
    """A post could not be published."""


class RenderError(MvbotError):
    """An infographic or dashboard could not be produced."""


class BrandsError(MvbotError):
    """Logo detection could not run on the given input."""


class ReferenceImageError(BrandsError):
    """A reference logo image is missing, unreadable or has too little texture to be matched."""


class VideoError(BrandsError):
    """A video is missing, unreadable or has no video stream that can be decoded."""


class DemoError(MvbotError):
    """`mvbot demo` cannot run: its output folder is not a demo folder, or Chromium is missing."""
