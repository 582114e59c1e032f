"""Exceptions raised by mvbot.

```
MvbotError
├── ConfigError        an event file with an invalid or missing key (names the key, value and fix)
├── PublishError       a post could not be published (subclasses per publisher live beside them)
├── RenderError        an infographic or dashboard could not be produced
└── BrandsError        logo detection could not run (unreadable video, unusable reference image)
```

Messages never contain credentials.
"""

from __future__ import annotations

__all__ = ["BrandsError", "ConfigError", "MvbotError", "PublishError", "RenderError"]


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
