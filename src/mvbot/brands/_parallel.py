"""Logo detection on a stream of frames, in this process or in a pool of worker processes.

Searching one frame takes a few hundred milliseconds of CPU, so a scan uses several cores by
searching different frames in different processes. The frames are still
decoded in the calling process (ffmpeg reads the video once), and the results come back in the
order the frames went in, so the checkpoint stays in timestamp order and resuming still works.
"""

from __future__ import annotations

import collections
import dataclasses
import logging
import multiprocessing
import multiprocessing.pool
import os
import signal
from collections.abc import Iterable, Iterator, Sequence

import cv2
import numpy as np

from mvbot.brands._detector import Detection, DetectorSettings, LogoDetector, Mask
from mvbot.brands._frames import Frame
from mvbot.brands._references import Brand

__all__ = ["FrameDetector", "available_cpus"]

logger = logging.getLogger(__name__)

# Frames submitted per worker before the oldest result is awaited. Two keeps every worker
# busy while the next frame is decoded, and bounds memory to a few frames per worker.
_PENDING_PER_WORKER = 2

# The detector of a worker process, built once by `_start_worker`.
_worker_detector: LogoDetector | None = None


def available_cpus() -> int:
    """Return the number of CPUs this process may run on (its affinity mask where known)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def _start_worker(brands: Sequence[Brand], settings: DetectorSettings) -> None:
    # Ctrl-C reaches every process of the terminal's process group. The parent alone handles
    # it and terminates the pool, so a worker must not die with a traceback of its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The pool already keeps every core busy. OpenCV's own threads only cost CPU time: in
    # benchmarks/bench_brands.py one process with 2 OpenCV threads used about 30 % more CPU
    # per frame than two single-threaded workers.
    cv2.setNumThreads(1)
    global _worker_detector
    _worker_detector = LogoDetector(brands, settings=settings)


def _detect_in_worker(frame: Frame, masks: tuple[Mask, ...]) -> list[Detection]:
    assert _worker_detector is not None, "worker process started without _start_worker"
    return _worker_detector.detect(
        frame.image, offset_seconds=frame.offset_seconds, scale=frame.scale, masks=masks
    )


def _grey(frame: Frame) -> Frame:
    if frame.image.ndim == 2:
        return frame
    image = np.asarray(cv2.cvtColor(frame.image, cv2.COLOR_BGR2GRAY), dtype=np.uint8)
    return dataclasses.replace(frame, image=image)


class FrameDetector:
    """Detect logos in frames with `workers` processes, yielding results in frame order.

    With one worker, detection runs in the calling process. With more, a pool of processes
    (started with "spawn", so OpenCV's threads are never forked) receives the brands and
    their reference features once, then one frame per task. Use it as a context manager:
    leaving it terminates the pool, which drops the frames still in progress.
    """

    def __init__(
        self, brands: Sequence[Brand], *, settings: DetectorSettings, workers: int = 1
    ) -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        self.workers = workers
        self._detector: LogoDetector | None = None
        self._pool: multiprocessing.pool.Pool | None = None
        if workers == 1:
            self._detector = LogoDetector(brands, settings=settings)
        else:
            # Built here so that an invalid brand list fails before any process starts.
            LogoDetector(brands, settings=settings)
            self._brands = tuple(brands)
            self._settings = settings

    def __enter__(self) -> FrameDetector:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Terminate the worker processes, if any were started."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.terminate()
            pool.join()

    def _get_pool(self) -> multiprocessing.pool.Pool:
        if self._pool is None:
            context = multiprocessing.get_context("spawn")
            logger.info("starting %d detection worker processes", self.workers)
            self._pool = context.Pool(
                self.workers, initializer=_start_worker, initargs=(self._brands, self._settings)
            )
        return self._pool

    def detect_frames(
        self, frames: Iterable[Frame], *, masks: Sequence[Mask] = ()
    ) -> Iterator[tuple[Frame, list[Detection]]]:
        """Yield each frame with its detections, in the order of `frames`.

        At most two frames per worker are in flight, so a long video is never held in memory.
        """
        mask_tuple = tuple(masks)
        if self._detector is not None:
            for frame in frames:
                found = self._detector.detect(
                    frame.image,
                    offset_seconds=frame.offset_seconds,
                    scale=frame.scale,
                    masks=mask_tuple,
                )
                yield frame, found
            return

        pool = self._get_pool()
        pending: collections.deque[
            tuple[Frame, multiprocessing.pool.AsyncResult[list[Detection]]]
        ] = collections.deque()
        limit = _PENDING_PER_WORKER * self.workers
        for frame in frames:
            # The detector works on grey pixels, and a grey frame is a third of the bytes to
            # copy to a worker.
            grey = _grey(frame)
            pending.append((frame, pool.apply_async(_detect_in_worker, (grey, mask_tuple))))
            if len(pending) >= limit:
                done, result = pending.popleft()
                yield done, result.get()
        while pending:
            done, result = pending.popleft()
            yield done, result.get()
