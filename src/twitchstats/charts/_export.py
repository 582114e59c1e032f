"""Static image export through kaleido 1.x and a Chromium browser.

`ChartExporter` starts one browser and renders any number of figures with it, which is what a
daily batch of images needs: starting Chromium costs seconds, rendering one more figure a fraction
of a second. `export_image` is the one-off form, starting and closing its own browser.

The browser is looked up in this order: the `browser_path` argument, the
`TWITCHSTATS_CHROMIUM_PATH` environment variable, choreographer's `BROWSER_PATH` variable, then
choreographer's own search (a Chrome downloaded with `kaleido_get_chrome`, then `chrome`,
`chromium` and similar names on `PATH` and their usual install folders).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import os
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, Literal, Self

import plotly.graph_objects as go

from twitchstats._exceptions import ChartError, ChromiumNotFoundError, ExportTimeoutError

# kaleido and choreographer are imported where they are used, not here: importing them makes
# logistro 2.0 replace the logging module's logger class, and importing twitchstats.charts
# must leave global state alone.
if TYPE_CHECKING:
    import kaleido

__all__ = [
    "CHROMIUM_PATH_ENV",
    "ChartExporter",
    "ImageFormat",
    "export_image",
    "find_chromium",
]

logger = logging.getLogger(__name__)

CHROMIUM_PATH_ENV: Final = "TWITCHSTATS_CHROMIUM_PATH"
# choreographer (kaleido's browser driver) reads this variable, as of choreographer 1.4.
_CHOREOGRAPHER_PATH_ENV: Final = "BROWSER_PATH"

ImageFormat = Literal["png", "jpeg", "webp", "svg", "pdf"]
_FORMATS: Final[dict[str, ImageFormat]] = {
    "png": "png",
    "jpg": "jpeg",
    "jpeg": "jpeg",
    "webp": "webp",
    "svg": "svg",
    "pdf": "pdf",
}

# Extra seconds the calling thread waits beyond an export's own timeout, for the browser tab to
# be reloaded after a cancelled render, before it gives up on the browser thread too.
_CANCEL_GRACE_SECONDS: Final = 10.0

_INSTALL_HINT: Final = (
    "Install Chromium (Debian/Ubuntu: `apt-get install chromium`), or download a Chrome for "
    "kaleido with `kaleido_get_chrome`, or set "
    f"{CHROMIUM_PATH_ENV} to the path of a Chrome or Chromium executable."
)


def find_chromium(browser_path: str | os.PathLike[str] | None = None) -> Path:
    """Return the Chromium executable that exports will use.

    Args:
        browser_path: an explicit executable; when None, the environment variables
            `TWITCHSTATS_CHROMIUM_PATH` and `BROWSER_PATH` are read, then the usual places are
            searched.

    Raises:
        ChromiumNotFoundError: no executable file at the path given, or none found. The message
            names the places searched and how to install a browser.
    """
    for source, value in (
        ("browser_path", os.fspath(browser_path) if browser_path is not None else ""),
        (CHROMIUM_PATH_ENV, os.environ.get(CHROMIUM_PATH_ENV, "")),
        (_CHOREOGRAPHER_PATH_ENV, os.environ.get(_CHOREOGRAPHER_PATH_ENV, "")),
    ):
        if not value:
            continue
        candidate = Path(value).expanduser()
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
        raise ChromiumNotFoundError(
            f"no Chromium executable at {source}={value!r}: the file is missing or not "
            f"executable. {_INSTALL_HINT}"
        )

    from choreographer.browsers import Chromium

    found = Chromium.find_browser(skip_local=False)
    if found is None or not Path(found).is_file():
        raise ChromiumNotFoundError(
            f"no Chromium found on PATH or in the usual install folders. {_INSTALL_HINT}"
        )
    return Path(found)


def _image_format(format: str | None, path: Path | None) -> ImageFormat:
    name = format or (path.suffix.lstrip(".") if path is not None and path.suffix else "png")
    try:
        return _FORMATS[name.lower()]
    except KeyError:
        choices = ", ".join(sorted(_FORMATS))
        raise ValueError(f"unsupported image format {name!r}: use one of {choices}") from None


class ChartExporter:
    """Render Plotly figures to images with one Chromium browser kept open.

    Use it as a context manager; the browser starts on entry and closes on exit:

    ```python
    with ChartExporter(timeout=20) as exporter:
        exporter.write_image(fig, "ranking.png")
        png = exporter.to_image(other_fig, scale=2)
    ```

    The browser runs on a private event-loop thread, so the exporter works the same from plain
    scripts and from code that already runs an asyncio loop (Jupyter). Methods may be called from
    several threads; renders then queue for the browser's tabs.

    Args:
        browser_path: the Chromium executable; see `find_chromium` for the lookup when None.
        timeout: seconds one export may take before `ExportTimeoutError`; per-call values
            override it.
        start_timeout: seconds the browser may take to start.
        tabs: browser tabs that can render at the same time, for exports called from several
            threads at once; `write_images` renders one image after another.
    """

    def __init__(
        self,
        *,
        browser_path: str | os.PathLike[str] | None = None,
        timeout: float = 30.0,
        start_timeout: float = 60.0,
        tabs: int = 1,
    ) -> None:
        if timeout <= 0 or start_timeout <= 0:
            raise ValueError(
                f"timeouts must be positive seconds, got timeout={timeout}, "
                f"start_timeout={start_timeout}"
            )
        if tabs < 1:
            raise ValueError(f"tabs must be 1 or more, got {tabs}")
        self._browser_path = browser_path
        self._timeout = timeout
        self._start_timeout = start_timeout
        self._tabs = tabs
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._kaleido: kaleido.Kaleido | None = None
        # Set after a timed-out render that did not release its tab in time: the browser may
        # still be busy, so the next export starts a fresh one instead of queueing behind it.
        self._restart_needed = False
        self._state_lock = threading.RLock()
        self.browser: Path | None = None
        """The executable in use, set by `open()`."""

    def __enter__(self) -> Self:
        self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def is_open(self) -> bool:
        """Whether the browser is running."""
        return self._kaleido is not None

    def open(self) -> None:
        """Start the browser.

        Raises:
            ChromiumNotFoundError: no Chromium executable was found.
            ChartError: the browser failed to start within `start_timeout`.
        """
        with self._state_lock:
            if self._kaleido is not None:
                return
            browser = find_chromium(self._browser_path)
            loop = asyncio.new_event_loop()
            thread = threading.Thread(
                target=loop.run_forever, name="twitchstats-chart-export", daemon=True
            )
            thread.start()
            self._loop, self._thread = loop, thread
            self._launch(browser, loop)
            self.browser = browser

    def _launch(self, browser: Path, loop: asyncio.AbstractEventLoop) -> None:
        from choreographer.errors import BrowserClosedError, BrowserFailedError, ChromeNotFoundError

        started = time.perf_counter()
        future = asyncio.run_coroutine_threadsafe(self._start(browser), loop)
        try:
            self._kaleido = future.result(timeout=self._start_timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            self._stop_loop()
            raise ChartError(
                f"Chromium at {browser} did not start within {self._start_timeout} s; "
                "raise start_timeout on a slow machine"
            ) from None
        except ChromeNotFoundError as exc:
            self._stop_loop()
            raise ChromiumNotFoundError(
                f"kaleido rejected {browser}: {exc}. {_INSTALL_HINT}"
            ) from exc
        except (BrowserFailedError, BrowserClosedError) as exc:
            self._stop_loop()
            raise ChartError(
                f"Chromium at {browser} closed right after starting ({exc}); check that it runs "
                f"with `{browser} --headless --version`"
            ) from exc
        self._restart_needed = False
        logger.info(
            "started Chromium %s for chart export in %.2f s", browser, time.perf_counter() - started
        )

    async def _start(self, browser: Path) -> kaleido.Kaleido:
        import kaleido

        # MathJax off: it would be fetched from a CDN, and no chart here uses LaTeX.
        renderer = kaleido.Kaleido(n=self._tabs, timeout=None, mathjax=False, path=str(browser))
        await renderer.open()
        return renderer

    def close(self) -> None:
        """Close the browser; safe to call twice."""
        with self._state_lock:
            renderer, self._kaleido = self._kaleido, None
            if renderer is not None and self._loop is not None:
                future = asyncio.run_coroutine_threadsafe(renderer.close(), self._loop)
                try:
                    future.result(timeout=self._start_timeout)
                except Exception:
                    # Closing is best effort: raising here would hide the caller's own error
                    # when close() runs from a `with` block that is unwinding.
                    logger.warning("Chromium did not close cleanly", exc_info=True)
                else:
                    logger.info("closed the chart export browser")
            self._stop_loop()

    def _stop_loop(self) -> None:
        loop, thread = self._loop, self._thread
        self._loop, self._thread = None, None
        if loop is None or thread is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=self._start_timeout)
        if not thread.is_alive():
            loop.close()

    def to_image(
        self,
        fig: go.Figure | dict[str, Any],
        *,
        format: str = "png",
        width: int | None = None,
        height: int | None = None,
        scale: float = 1.0,
        timeout: float | None = None,
    ) -> bytes:
        """Render `fig` and return the image bytes.

        Width and height default to the figure's layout, then to its template (1200×675 for
        the twitchstats templates). `scale` multiplies both, so scale=2 gives a 2400×1350 PNG.

        Raises:
            ExportTimeoutError: the render took longer than `timeout` seconds.
            ChartError: the browser is not open, or plotly.js rejected the figure.
            ValueError: unsupported format or non-positive size.
        """
        image_format = _image_format(format, None)
        seconds = self._timeout if timeout is None else timeout
        if seconds <= 0:
            raise ValueError(f"timeout must be positive seconds, got {seconds}")
        if scale <= 0 or (width is not None and width <= 0) or (height is not None and height <= 0):
            raise ValueError(
                f"image size must be positive, got width={width}, height={height}, scale={scale}"
            )
        options: dict[str, Any] = {"format": image_format, "scale": scale}
        if width is not None:
            options["width"] = width
        if height is not None:
            options["height"] = height

        from choreographer.errors import BrowserClosedError, BrowserFailedError
        from kaleido.errors import JavascriptError, KaleidoError

        renderer, loop = self._ready_renderer()
        started = time.perf_counter()
        future = asyncio.run_coroutine_threadsafe(
            _render_with_timeout(renderer, fig, options, seconds), loop
        )
        try:
            image = future.result(timeout=seconds + _CANCEL_GRACE_SECONDS)
        except (_RenderTimeoutError, concurrent.futures.TimeoutError) as exc:
            future.cancel()
            if not isinstance(exc, _RenderTimeoutError) or not exc.cleaned_up:
                self._restart_needed = True
            raise ExportTimeoutError(
                f"exporting a {image_format} image took longer than {seconds} s; raise timeout= "
                "for large figures or a busy machine"
            ) from None
        except (KaleidoError, JavascriptError) as exc:
            raise ChartError(f"plotly.js could not render the figure: {exc}") from exc
        except (BrowserFailedError, BrowserClosedError) as exc:
            raise ChartError(f"Chromium stopped during an export: {exc}") from exc

        logger.debug("rendered a %s image in %.3f s", image_format, time.perf_counter() - started)
        return image

    def _ready_renderer(self) -> tuple[kaleido.Kaleido, asyncio.AbstractEventLoop]:
        """Return the open renderer, restarting the browser first after a timed-out export."""
        with self._state_lock:
            renderer, loop = self._kaleido, self._loop
            if renderer is None or loop is None or self.browser is None:
                raise ChartError(
                    "the exporter is not open: use it in a `with` block or call open()"
                )
            if not self._restart_needed:
                return renderer, loop

            # NOTE: no test reaches this branch; it needs a render that ignores cancellation.
            logger.warning("restarting Chromium %s after a timed-out export", self.browser)
            self._kaleido = None
            closing = asyncio.run_coroutine_threadsafe(renderer.close(), loop)
            try:
                closing.result(timeout=self._start_timeout)
            except Exception:
                logger.warning("the previous Chromium did not close cleanly", exc_info=True)
            self._launch(self.browser, loop)
            assert self._kaleido is not None
            return self._kaleido, loop

    def write_image(
        self,
        fig: go.Figure | dict[str, Any],
        path: str | os.PathLike[str],
        *,
        format: str | None = None,
        width: int | None = None,
        height: int | None = None,
        scale: float = 1.0,
        timeout: float | None = None,
    ) -> Path:
        """Render `fig` into `path` and return the path.

        The format comes from `format`, else from the file suffix. The file is written only
        after a successful render, so a failed export leaves no partial file.
        """
        target = Path(path)
        image_format = _image_format(format, target)
        image = self.to_image(
            fig, format=image_format, width=width, height=height, scale=scale, timeout=timeout
        )
        target.write_bytes(image)
        return target

    def write_images(
        self,
        jobs: Iterable[tuple[go.Figure | dict[str, Any], str | os.PathLike[str]]],
        *,
        scale: float = 1.0,
        timeout: float | None = None,
    ) -> list[Path]:
        """Render each `(figure, path)` pair in turn and return the written paths.

        Logs one INFO line per image with its position in the batch and its render time.
        """
        batch: Sequence[tuple[go.Figure | dict[str, Any], str | os.PathLike[str]]] = list(jobs)
        written: list[Path] = []
        for index, (fig, path) in enumerate(batch, start=1):
            started = time.perf_counter()
            written.append(self.write_image(fig, path, scale=scale, timeout=timeout))
            logger.info(
                "exported image %d/%d to %s in %.2f s",
                index,
                len(batch),
                path,
                time.perf_counter() - started,
            )
        return written


class _RenderTimeoutError(Exception):
    """A render passed its deadline inside the export thread.

    Attributes:
        cleaned_up: whether the cancelled render finished and handed its tab back; when False,
            the browser may still be busy with it and should be restarted.
    """

    def __init__(self, *, cleaned_up: bool) -> None:
        super().__init__("render timed out")
        self.cleaned_up = cleaned_up


async def _render_with_timeout(
    renderer: kaleido.Kaleido,
    fig: go.Figure | dict[str, Any],
    options: dict[str, Any],
    seconds: float,
) -> bytes:
    """Render `fig`, cancelling the render when it passes `seconds`.

    Not `asyncio.wait_for`: choreographer 1.4 turns a cancellation during a write to the browser
    into ChannelClosedError, which `wait_for` would raise instead of the timeout.
    """
    task = asyncio.ensure_future(renderer.calc_fig(fig, opts=options))
    done, _ = await asyncio.wait({task}, timeout=seconds)
    if task in done:
        image = task.result()
        if not isinstance(image, bytes):
            raise ChartError(f"kaleido returned {type(image).__name__} instead of image bytes")
        return image

    task.cancel()
    # Wait for the cancellation to finish; what it raises (CancelledError or choreographer's
    # ChannelClosedError) is the timeout's consequence, not a separate failure.
    await asyncio.wait({task}, timeout=_CANCEL_GRACE_SECONDS / 2)
    if task.done() and not task.cancelled():
        task.exception()
    raise _RenderTimeoutError(cleaned_up=task.done())


def export_image(
    fig: go.Figure | dict[str, Any],
    path: str | os.PathLike[str],
    *,
    format: str | None = None,
    width: int | None = None,
    height: int | None = None,
    scale: float = 1.0,
    timeout: float = 30.0,
    browser_path: str | os.PathLike[str] | None = None,
) -> Path:
    """Export one figure with a browser started for it and closed after.

    For more than one image, `ChartExporter` is much faster because it starts the browser once.
    """
    with ChartExporter(browser_path=browser_path, timeout=timeout) as exporter:
        return exporter.write_image(
            fig, path, format=format, width=width, height=height, scale=scale
        )
