"""Progress output of `mvbot demo`: one line per step and a progress display for the collection."""

from __future__ import annotations

import sys
import time
from typing import IO, Final

import click

__all__ = ["Progress"]

_BAR_WIDTH: Final = 30
# Minimum real seconds between two redraws of the bar on a terminal.
_REDRAW_SECONDS: Final = 0.2
# Without a terminal, one line is written at every multiple of this percentage.
_LINE_PERCENT_STEP: Final = 10


class Progress:
    """Writes step lines to `out` and the collection's progress to `err`.

    On a terminal the progress is a bar redrawn in place. Elsewhere it is one line at every
    10 %, so that logs and captured output stay readable. With `quiet=True` nothing is written.
    """

    def __init__(
        self, *, quiet: bool = False, out: IO[str] | None = None, err: IO[str] | None = None
    ) -> None:
        self.quiet = quiet
        self._out = out
        self._err = err
        self._label = ""
        self._total = 0
        self._done = 0
        self._detail = ""
        self._active = False
        self._last_draw = 0.0
        self._last_percent_line = -1

    def _err_stream(self) -> IO[str]:
        return self._err if self._err is not None else sys.stderr

    def _is_terminal(self) -> bool:
        isatty = getattr(self._err_stream(), "isatty", None)
        return bool(isatty()) if callable(isatty) else False

    def step(self, message: str) -> None:
        """Write one step line, above the bar when one is shown."""
        if self.quiet:
            return
        terminal_bar = self._active and self._is_terminal()
        if terminal_bar:
            click.echo("\r\033[K", file=self._err_stream(), nl=False)
        click.echo(message, file=self._out)
        if terminal_bar:
            self._draw(force=True)

    def start(self, label: str, total: int) -> None:
        """Show a progress display for `total` units of work."""
        self._label = label
        self._total = max(total, 1)
        self._done = 0
        self._detail = ""
        self._active = True
        self._last_percent_line = -1
        self._draw(force=True)

    def update(self, done: int, detail: str = "") -> None:
        """Set the amount of work done, with a short text about where the work is."""
        if not self._active:
            return
        self._done = min(max(done, 0), self._total)
        self._detail = detail
        self._draw(force=False)

    def finish(self) -> None:
        """Show the display at its final state and end it."""
        if not self._active:
            return
        self._draw(force=True)
        if not self.quiet and self._is_terminal():
            click.echo("", file=self._err_stream())
        self._active = False

    def _draw(self, *, force: bool) -> None:
        if self.quiet:
            return
        percent = int(100 * self._done / self._total)
        if not self._is_terminal():
            step = percent // _LINE_PERCENT_STEP * _LINE_PERCENT_STEP
            if step > self._last_percent_line:
                self._last_percent_line = step
                click.echo(
                    f"{self._label}: {step} % {self._detail}".rstrip(), file=self._err_stream()
                )
            return
        now = time.monotonic()
        if not force and now - self._last_draw < _REDRAW_SECONDS:
            return
        self._last_draw = now
        filled = _BAR_WIDTH * self._done // self._total
        bar = "#" * filled + "-" * (_BAR_WIDTH - filled)
        line = f"\r\033[K{self._label} [{bar}] {percent:3d} % {self._detail}"
        click.echo(line.rstrip(), file=self._err_stream(), nl=False)
