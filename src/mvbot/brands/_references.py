"""Reference logo images: loading, texture check and SIFT features."""

from __future__ import annotations

import dataclasses
import functools
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from mvbot._exceptions import ReferenceImageError
from mvbot._i18n import translate

__all__ = ["Brand", "ReferenceImage", "load_brand", "load_reference", "reference_from_array"]

logger = logging.getLogger(__name__)

# Below this many SIFT keypoints a reference (a flat shape, one short word) gives too few
# matches for a reliable homography: a 324x223 photo of a box gives about 600, the skimage logo
# about 390, the word "AB" in a plain font about 30.
MIN_REFERENCE_KEYPOINTS = 50

# Longest side of a reference after loading. SIFT is scale invariant, and logos on screen are
# rarely larger than this at the processing width, so bigger artwork only costs time.
MAX_REFERENCE_SIDE = 600

GrayImage = npt.NDArray[np.uint8]


@dataclasses.dataclass(frozen=True, kw_only=True, eq=False)
class ReferenceImage:
    """One reference image of a brand's logo with its SIFT features.

    `width` and `height` are the size of `image` after the optional downscale; keypoint
    coordinates refer to that size.
    """

    name: str
    image: GrayImage
    keypoints: tuple[Any, ...]
    descriptors: npt.NDArray[np.float32]
    points: npt.NDArray[np.float32]

    @property
    def width(self) -> int:
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        return int(self.image.shape[0])

    @functools.cached_property
    def geometry(self) -> npt.NDArray[np.float64]:
        """Size and angle (degrees) of every keypoint, one row each."""
        return np.array([(kp.size, kp.angle) for kp in self.keypoints], dtype=np.float64).reshape(
            -1, 2
        )

    @property
    def corners(self) -> npt.NDArray[np.float32]:
        """Outline of the reference, clockwise from the top left corner, shape (4, 2)."""
        w, h = float(self.width), float(self.height)
        return np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)

    def __reduce__(self) -> tuple[Any, ...]:
        # cv2.KeyPoint cannot be pickled. Sending its fields lets the worker processes of a
        # parallel scan receive the features computed here instead of computing them again.
        keypoints = tuple(
            (kp.pt[0], kp.pt[1], kp.size, kp.angle, kp.response, kp.octave, kp.class_id)
            for kp in self.keypoints
        )
        return (
            _rebuild_reference,
            (self.name, self.image, keypoints, self.descriptors, self.points),
        )


def _rebuild_reference(
    name: str,
    image: GrayImage,
    keypoints: tuple[tuple[float, float, float, float, float, int, int], ...],
    descriptors: npt.NDArray[np.float32],
    points: npt.NDArray[np.float32],
) -> ReferenceImage:
    return ReferenceImage(
        name=name,
        image=image,
        keypoints=tuple(cv2.KeyPoint(*fields) for fields in keypoints),
        descriptors=descriptors,
        points=points,
    )


@dataclasses.dataclass(frozen=True, kw_only=True, eq=False)
class Brand:
    """A sponsor and the reference images of its logo (artwork, crops from footage)."""

    name: str
    references: tuple[ReferenceImage, ...]


def _to_gray(image: npt.NDArray[Any]) -> GrayImage:
    if image.ndim == 2:
        gray = image
    elif image.shape[2] == 4:
        # Transparent pixels become mid grey so the logo's silhouette keeps its edges on any
        # background instead of inheriting whatever colour the hidden pixels hold.
        alpha = image[:, :, 3:4].astype(np.float32) / 255.0
        colour = image[:, :, :3].astype(np.float32) * alpha + 128.0 * (1.0 - alpha)
        gray = cv2.cvtColor(colour.astype(np.uint8), cv2.COLOR_BGR2GRAY)
    else:
        gray = cv2.cvtColor(image[:, :, :3], cv2.COLOR_BGR2GRAY)
    if gray.dtype != np.uint8:
        raise ReferenceImageError(f"reference image has dtype {gray.dtype}, expected uint8")
    return np.ascontiguousarray(gray)


def reference_from_array(
    image: npt.NDArray[Any],
    *,
    name: str,
    min_keypoints: int = MIN_REFERENCE_KEYPOINTS,
    max_side: int = MAX_REFERENCE_SIDE,
) -> ReferenceImage:
    """Build a reference from a BGR, BGRA or grayscale uint8 array.

    Raises:
        ReferenceImageError: the image has fewer than `min_keypoints` SIFT keypoints.
    """
    gray = _to_gray(image)
    longest = max(gray.shape)
    if longest > max_side:
        factor = max_side / longest
        size = (round(gray.shape[1] * factor), round(gray.shape[0] * factor))
        gray = np.asarray(cv2.resize(gray, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)

    keypoints, descriptors = cv2.SIFT.create().detectAndCompute(gray, None)
    count = 0 if descriptors is None else len(keypoints)
    if count < min_keypoints:
        raise ReferenceImageError(
            translate(
                "brands.error_low_texture",
                None,
                name=name,
                count=count,
                minimum=min_keypoints,
                width=gray.shape[1],
                height=gray.shape[0],
            )
        )

    points = np.array([kp.pt for kp in keypoints], dtype=np.float32)
    logger.debug("reference %s: %d keypoints at %dx%d", name, count, *gray.shape[::-1])
    return ReferenceImage(
        name=name,
        image=gray,
        keypoints=tuple(keypoints),
        descriptors=np.asarray(descriptors, dtype=np.float32),
        points=points,
    )


def load_reference(path: Path, *, min_keypoints: int = MIN_REFERENCE_KEYPOINTS) -> ReferenceImage:
    """Read a reference logo from an image file (PNG transparency is honoured).

    Raises:
        ReferenceImageError: the file is missing, is not an image, or has too little texture.
    """
    if not path.is_file():
        raise ReferenceImageError(translate("brands.error_reference_missing", None, path=path))
    data = np.fromfile(path, dtype=np.uint8)
    image = cv2.imdecode(data, cv2.IMREAD_UNCHANGED) if data.size else None
    if image is None:
        raise ReferenceImageError(translate("brands.error_reference_unreadable", None, path=path))
    if image.dtype == np.uint16:
        image = (image // 257).astype(np.uint8)
    return reference_from_array(image, name=str(path), min_keypoints=min_keypoints)


def load_brand(
    name: str, paths: Sequence[Path], *, min_keypoints: int = MIN_REFERENCE_KEYPOINTS
) -> Brand:
    """Load every reference image of one brand.

    Raises:
        ReferenceImageError: one of the files is missing, unreadable or has too little texture.
    """
    name = name.strip()
    if not name:
        raise ReferenceImageError(translate("brands.error_brand_name", None))
    if not paths:
        raise ReferenceImageError(translate("brands.error_brand_no_logo", None, brand=name))
    references = tuple(load_reference(Path(p), min_keypoints=min_keypoints) for p in paths)
    return Brand(name=name, references=references)
