"""Logo detection in one image: SIFT matching, pose clustering, RANSAC fits, outline checks."""

from __future__ import annotations

import dataclasses
import logging
import math
from collections.abc import Sequence
from typing import Any, Literal

import cv2
import numpy as np
import numpy.typing as npt

from mvbot._exceptions import BrandsError
from mvbot._i18n import translate
from mvbot.brands._references import Brand, ReferenceImage

__all__ = ["Detection", "DetectorSettings", "LogoDetector", "Mask", "parse_mask"]

logger = logging.getLogger(__name__)

Points = npt.NDArray[np.float32]
IndexArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
Matrix = npt.NDArray[np.float64]

# Grid laid over a reference to measure how much of it the inliers cover.
_COVERAGE_GRID = 4

# Matches an affine transform needs, and the inliers from which a homography (perspective)
# is fitted instead.
_AFFINE_POINTS = 3
_PERSPECTIVE_MIN_MATCHES = 12

# Pose bins of the match clustering: a factor of 2 in scale, 30 degrees of rotation, and a
# quarter of the reference's longest side (at the bin's scale) for the predicted centre.
_SCALE_BIN = 1.0
_ANGLE_BIN = 30.0
_LOCATION_BIN = 0.25
# RANSAC inside a pose group, where most matches agree: few iterations reach the confidence.
_RANSAC_ITERATIONS = 500
_RANSAC_CONFIDENCE = 0.995
# Distinct reference keypoints a pose bin needs before a transform is fitted to its matches.
_MIN_VOTES = 3


@dataclasses.dataclass(frozen=True, kw_only=True)
class DetectorSettings:
    """Thresholds of the detector. Pixel values are at the processing width.

    Attributes:
        ratio: Lowe's ratio test: keep a match when its distance is below `ratio` times the
            distance of the second best candidate.
        ransac_threshold: maximum reprojection error of an inlier, in pixels.
        min_matches: good matches (after the ratio test, over the whole frame) needed before
            the matches are grouped by pose.
        min_inliers: inliers needed to accept a fit. Five are enough because they must also
            agree on the logo's pose and pass the outline checks.
        min_inlier_ratio: inliers divided by the good matches that fall inside the projected
            outline; low values mean the outline was fitted to scattered noise.
        max_copies: copies of one reference looked for in one frame.
        max_rejected: rejected outlines tolerated per reference and frame before giving up;
            each rejection removes its inliers, and the next pose group is tried.
        min_side: shortest side of an accepted outline, in pixels.
        max_side_ratio: largest ratio between opposite sides of the outline (perspective limit).
        max_aspect_change: largest factor between the outline's aspect ratio and the reference's.
        min_corner_angle: smallest angle at a corner of the outline, in degrees (the largest is
            180 minus it). A flat logo seen at a slant keeps angles near 90; a fit to chance
            matches is often a thin sliver.
        prefilter: "orb" skips SIFT on frames where a cheap ORB match finds no candidate for any
            reference; "none" always runs SIFT.
        prefilter_min_matches: ORB matches that send a frame on to SIFT.
        max_keypoints: strongest SIFT keypoints kept per frame, 0 for all. A cap saves
            descriptor time on busy textures (grass, crowds) at some risk for small logos.
    """

    ratio: float = 0.75
    ransac_threshold: float = 4.0
    min_matches: int = 8
    min_inliers: int = 5
    min_inlier_ratio: float = 0.25
    max_copies: int = 4
    max_rejected: int = 2
    min_side: float = 16.0
    max_side_ratio: float = 4.0
    max_aspect_change: float = 3.0
    min_corner_angle: float = 30.0
    prefilter: Literal["none", "orb"] = "none"
    prefilter_min_matches: int = 6
    max_keypoints: int = 0


@dataclasses.dataclass(frozen=True, kw_only=True)
class Mask:
    """A rectangle of the source video excluded from detection (webcam, chat), in pixels."""

    x: int
    y: int
    width: int
    height: int


def parse_mask(text: str) -> Mask:
    """Parse "x,y,w,h" (source pixels) into a Mask; raise BrandsError naming the value."""
    parts = text.replace(" ", "").split(",")
    try:
        x, y, width, height = (int(part) for part in parts)
    except ValueError:
        raise BrandsError(translate("brands.error_mask", None, value=text)) from None
    if width <= 0 or height <= 0 or x < 0 or y < 0:
        raise BrandsError(translate("brands.error_mask_values", None, value=text))
    return Mask(x=x, y=y, width=width, height=height)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Detection:
    """One copy of a logo found in one frame. Coordinates are source video pixels.

    Attributes:
        offset_seconds: time of the decoded frame from the start of the video.
        brand: brand name; `reference` names the reference image that matched.
        outline: the reference's corners projected into the frame (top left, top right,
            bottom right, bottom left); they may lie outside the frame.
        x, y, width, height: bounding box of the outline clipped to the frame.
        inliers: matches consistent with the homography; `matches` counts the good matches
            inside the outline, and `score` is `inliers / matches`.
        screen_share: visible outline area divided by the frame area.
        visible_share: share of the outline that is inside the frame and outside every mask.
        coverage: share of the reference's textured grid cells (4x4) that hold an inlier; low
            values hint at occlusion or a partial view.
        sharpness: variance of the Laplacian of the frame inside the bounding box, at the
            processing width (higher is sharper).
    """

    offset_seconds: float
    brand: str
    reference: str
    outline: tuple[tuple[float, float], ...]
    x: int
    y: int
    width: int
    height: int
    inliers: int
    matches: int
    score: float
    screen_share: float
    visible_share: float
    coverage: float
    sharpness: float
    frame_width: int
    frame_height: int

    def to_dict(self) -> dict[str, Any]:
        """Return the detection as plain JSON-compatible values."""
        record = dataclasses.asdict(self)
        record["outline"] = [[round(px, 2), round(py, 2)] for px, py in self.outline]
        return record


@dataclasses.dataclass(frozen=True)
class _Candidate:
    reference: ReferenceImage
    outline: Points
    inliers: int
    matches: int
    coverage: float


def _cross_products(outline: Points) -> list[float]:
    products = []
    for index in range(4):
        a, b, c = outline[index], outline[(index + 1) % 4], outline[(index + 2) % 4]
        products.append(float((b[0] - a[0]) * (c[1] - b[1]) - (b[1] - a[1]) * (c[0] - b[0])))
    return products


def _corner_angle(outline: Points, index: int) -> float:
    """Return the inner angle of the outline at corner `index`, in degrees."""
    corner = outline[index].astype(np.float64)
    before = outline[(index - 1) % 4] - corner
    after = outline[(index + 1) % 4] - corner
    cosine = float(np.dot(before, after) / (np.linalg.norm(before) * np.linalg.norm(after)))
    return math.degrees(math.acos(max(-1.0, min(1.0, cosine))))


def _polygon_area(outline: Points) -> float:
    x, y = outline[:, 0].astype(np.float64), outline[:, 1].astype(np.float64)
    return 0.5 * abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))


def _outline_is_plausible(
    outline: Points, reference: ReferenceImage, frame_shape: tuple[int, int], s: DetectorSettings
) -> str | None:
    """Return why a projected outline is rejected, or None when it passes every check."""
    if not np.all(np.isfinite(outline)):
        return "not finite"
    # Reference corners run clockwise on screen (y down). Every turn of a convex, unmirrored
    # projection therefore has a positive cross product, and a mirrored one has all negative.
    if min(_cross_products(outline)) <= 0:
        return "not convex or mirrored"

    sides = [float(np.linalg.norm(outline[(i + 1) % 4] - outline[i])) for i in range(4)]
    if min(sides) < s.min_side:
        return "too small"
    if max(sides[0], sides[2]) > s.max_side_ratio * min(sides[0], sides[2]):
        return "top and bottom sides too different"
    if max(sides[1], sides[3]) > s.max_side_ratio * min(sides[1], sides[3]):
        return "left and right sides too different"

    for index in range(4):
        angle = _corner_angle(outline, index)
        if not s.min_corner_angle <= angle <= 180.0 - s.min_corner_angle:
            return f"corner angle {angle:.0f} degrees"

    aspect = ((sides[0] + sides[2]) / 2) / ((sides[1] + sides[3]) / 2)
    reference_aspect = reference.width / reference.height
    change = max(aspect / reference_aspect, reference_aspect / aspect)
    if change > s.max_aspect_change:
        return "aspect ratio too different from the reference"

    height, width = frame_shape
    if _polygon_area(outline) > 2.0 * width * height:
        return "larger than twice the frame"
    xs, ys = outline[:, 0], outline[:, 1]
    if xs.max() < 0 or ys.max() < 0 or xs.min() > width or ys.min() > height:
        return "outside the frame"
    return None


def _coverage(reference: ReferenceImage, inlier_points: Points) -> float:
    cells = _COVERAGE_GRID

    def cell_ids(points: Points) -> set[int]:
        cx = np.clip((points[:, 0] / reference.width * cells).astype(int), 0, cells - 1)
        cy = np.clip((points[:, 1] / reference.height * cells).astype(int), 0, cells - 1)
        return set((cy * cells + cx).tolist())

    textured = cell_ids(reference.points)
    covered = cell_ids(inlier_points) & textured
    return len(covered) / len(textured) if textured else 0.0


def _inside(outline: Points, points: Points, margin: float) -> npt.NDArray[np.bool_]:
    contour = outline.reshape(-1, 1, 2).astype(np.float32)
    return np.array(
        [
            cv2.pointPolygonTest(contour, (float(p[0]), float(p[1])), True) >= -margin
            for p in points
        ],
        dtype=bool,
    )


class LogoDetector:
    """Find the logos of several brands in frames.

    The frame's SIFT features are computed once and matched against every reference image.
    Construction only builds OpenCV objects; it reads no file.
    """

    def __init__(self, brands: Sequence[Brand], *, settings: DetectorSettings | None = None):
        if not brands:
            raise BrandsError("no brand to detect: give at least one brand with its logo")
        self.brands = tuple(brands)
        self.settings = settings or DetectorSettings()
        self._sift = cv2.SIFT.create(nfeatures=self.settings.max_keypoints)
        self._matcher = cv2.BFMatcher(cv2.NORM_L2)
        self._orb: Any = None
        self._orb_references: list[Any] = []
        if self.settings.prefilter == "orb":
            self._orb = cv2.ORB.create(nfeatures=2000)
            for brand in self.brands:
                for reference in brand.references:
                    _, descriptors = self._orb.detectAndCompute(reference.image, None)
                    self._orb_references.append(descriptors)

    def detect(
        self,
        image: npt.NDArray[np.uint8],
        *,
        offset_seconds: float = 0.0,
        scale: float = 1.0,
        masks: Sequence[Mask] = (),
    ) -> list[Detection]:
        """Return the logos found in `image`, a BGR or grayscale frame at processing size.

        `scale` is processing pixels per source pixel: masks are given in source pixels and
        detections are reported in source pixels.
        """
        gray = np.asarray(
            image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), dtype=np.uint8
        )
        frame_shape = (int(gray.shape[0]), int(gray.shape[1]))
        allowed = self._allowed_pixels(frame_shape, scale, masks)

        if self._orb is not None and not self._prefilter_passes(gray, allowed):
            return []

        keypoints, descriptors = self._sift.detectAndCompute(gray, allowed)
        if descriptors is None or len(keypoints) < self.settings.min_matches:
            return []
        frame_points = np.array([kp.pt for kp in keypoints], dtype=np.float32)
        frame_geometry = np.array([(kp.size, kp.angle) for kp in keypoints], dtype=np.float32)
        frame_descriptors = np.asarray(descriptors, dtype=np.float32)

        detections: list[Detection] = []
        for brand in self.brands:
            candidates: list[_Candidate] = []
            for reference in brand.references:
                candidates.extend(
                    self._match_reference(
                        reference, frame_descriptors, frame_points, frame_geometry, frame_shape
                    )
                )
            for candidate in _remove_duplicates(candidates):
                detections.append(
                    self._describe(brand.name, candidate, gray, allowed, offset_seconds, scale)
                )
        return detections

    def _allowed_pixels(
        self, frame_shape: tuple[int, int], scale: float, masks: Sequence[Mask]
    ) -> npt.NDArray[np.uint8] | None:
        if not masks:
            return None
        allowed = np.full(frame_shape, 255, dtype=np.uint8)
        for mask in masks:
            x0, y0 = math.floor(mask.x * scale), math.floor(mask.y * scale)
            x1 = math.ceil((mask.x + mask.width) * scale)
            y1 = math.ceil((mask.y + mask.height) * scale)
            allowed[max(0, y0) : max(0, y1), max(0, x0) : max(0, x1)] = 0
        return allowed

    def _prefilter_passes(
        self, gray: npt.NDArray[np.uint8], allowed: npt.NDArray[np.uint8] | None
    ) -> bool:
        _, descriptors = self._orb.detectAndCompute(gray, allowed)
        if descriptors is None:
            return False
        matcher = cv2.BFMatcher(cv2.NORM_HAMMING)
        for reference_descriptors in self._orb_references:
            if reference_descriptors is None or len(reference_descriptors) < 2:
                continue
            pairs = matcher.knnMatch(descriptors, reference_descriptors, k=2)
            good = sum(1 for p in pairs if len(p) == 2 and p[0].distance < 0.8 * p[1].distance)
            if good >= self.settings.prefilter_min_matches:
                return True
        return False

    def _match_reference(
        self,
        reference: ReferenceImage,
        frame_descriptors: npt.NDArray[np.float32],
        frame_points: Points,
        frame_geometry: Points,
        frame_shape: tuple[int, int],
    ) -> list[_Candidate]:
        s = self.settings
        # Frame -> reference: each frame keypoint looks for its match among the reference's.
        # Matching this way keeps the ratio test working when a logo appears twice, where the
        # two nearest frame neighbours of a reference keypoint would be the two copies.
        pairs = self._matcher.knnMatch(frame_descriptors, reference.descriptors, k=2)
        good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < s.ratio * p[1].distance]
        if len(good) < s.min_matches:
            return []
        train = np.array([m.trainIdx for m in good], dtype=np.int64)
        query = np.array([m.queryIdx for m in good], dtype=np.int64)
        source = reference.points[train]
        target = frame_points[query]
        clusters = _pose_clusters(
            reference, train, frame_geometry[query], target, frame_shape, s.min_side
        )

        found: list[_Candidate] = []
        remaining = np.ones(len(good), dtype=bool)
        rejected = 0
        for cluster in clusters:
            if len(found) >= s.max_copies or rejected > s.max_rejected:
                break
            members = cluster[remaining[cluster]]
            if len(members) < _AFFINE_POINTS:
                continue
            fit = self._fit(source, target, members, remaining)
            if fit is None:
                continue
            fitted = self._check(reference, fit, source, target, remaining, frame_shape)
            if isinstance(fitted, str):
                # Background matches can agree with each other by chance: drop them and try
                # the next pose.
                logger.debug("outline of %s rejected: %s", reference.name, fitted)
                rejected += 1
                remaining[fit[1]] = False
                continue
            found.append(fitted[0])
            # Drop this copy's inliers and every match inside its outline, then look among
            # the rest for another copy.
            remaining[fitted[1]] = False
        return found

    def _fit(
        self, source: Points, target: Points, members: IndexArray, remaining: BoolArray
    ) -> tuple[Matrix, IndexArray] | None:
        """Fit one pose cluster; return the reference-to-frame transform and its inliers.

        An affine transform fitted to the cluster collects every remaining match it explains
        (with twice the tolerance, for perspective). With enough of them a homography is
        fitted. With few, an affine transform is fitted instead, because its extrapolation to
        the corners stays stable when the inliers crowd one part of the logo.
        """
        s = self.settings
        fitted = _ransac_affine(source[members], target[members], s.ransac_threshold)
        if fitted is None or int(fitted[1].sum()) < _AFFINE_POINTS:
            return None
        affine = fitted[0]
        candidates = np.flatnonzero(remaining)
        projected = source[candidates] @ affine[:2, :2].T + affine[:2, 2]
        error = np.linalg.norm(projected - target[candidates], axis=1)
        explained = candidates[error <= 2 * s.ransac_threshold]
        if len(explained) < s.min_inliers:
            return None
        if len(explained) >= _PERSPECTIVE_MIN_MATCHES:
            homography, mask = cv2.findHomography(
                source[explained],
                target[explained],
                cv2.RANSAC,
                s.ransac_threshold,
                maxIters=_RANSAC_ITERATIONS,
                confidence=_RANSAC_CONFIDENCE,
            )
            fitted = None if homography is None else (homography, mask)
        else:
            fitted = _ransac_affine(source[explained], target[explained], s.ransac_threshold)
        if fitted is None:
            return None
        inliers: IndexArray = explained[fitted[1].ravel().astype(bool)]
        return (fitted[0], inliers) if len(inliers) >= s.min_inliers else None

    def _check(
        self,
        reference: ReferenceImage,
        fitted: tuple[Matrix, IndexArray],
        source: Points,
        target: Points,
        remaining: BoolArray,
        frame_shape: tuple[int, int],
    ) -> tuple[_Candidate, IndexArray] | str:
        """Return the candidate and the matches it claims (inliers and matches inside its
        outline), or why its outline is rejected."""
        s = self.settings
        model, inliers = fitted
        outline = (
            cv2.perspectiveTransform(reference.corners.reshape(-1, 1, 2), model)
            .reshape(4, 2)
            .astype(np.float32)
        )
        reason = _outline_is_plausible(outline, reference, frame_shape, s)
        if reason is not None:
            return reason
        candidates = np.flatnonzero(remaining)
        inside = candidates[_inside(outline, target[candidates], margin=s.ransac_threshold)]
        claimed = np.union1d(inside, inliers)
        ratio = len(inliers) / len(claimed)
        if ratio < s.min_inlier_ratio:
            return f"inlier ratio {ratio:.2f}"
        candidate = _Candidate(
            reference=reference,
            outline=outline,
            inliers=len(inliers),
            matches=len(claimed),
            coverage=_coverage(reference, source[inliers]),
        )
        return candidate, claimed

    def _describe(
        self,
        brand: str,
        candidate: _Candidate,
        gray: npt.NDArray[np.uint8],
        allowed: npt.NDArray[np.uint8] | None,
        offset_seconds: float,
        scale: float,
    ) -> Detection:
        height, width = gray.shape
        outline = candidate.outline
        visible_pixels, outline_pixels = _visible_pixels(outline, (height, width), allowed)

        x0 = int(np.clip(np.floor(outline[:, 0].min()), 0, width))
        x1 = int(np.clip(np.ceil(outline[:, 0].max()), 0, width))
        y0 = int(np.clip(np.floor(outline[:, 1].min()), 0, height))
        y1 = int(np.clip(np.ceil(outline[:, 1].max()), 0, height))
        region = gray[y0:y1, x0:x1]
        sharpness = float(cv2.Laplacian(region, cv2.CV_64F).var()) if region.size else 0.0

        source_outline = tuple((float(px) / scale, float(py) / scale) for px, py in outline)
        return Detection(
            offset_seconds=float(offset_seconds),
            brand=brand,
            reference=candidate.reference.name,
            outline=source_outline,
            x=round(x0 / scale),
            y=round(y0 / scale),
            width=round((x1 - x0) / scale),
            height=round((y1 - y0) / scale),
            inliers=candidate.inliers,
            matches=candidate.matches,
            score=round(candidate.inliers / candidate.matches, 4),
            screen_share=round(visible_pixels / (width * height), 6),
            visible_share=round(visible_pixels / outline_pixels, 4) if outline_pixels else 0.0,
            coverage=round(candidate.coverage, 4),
            sharpness=round(sharpness, 2),
            frame_width=round(width / scale),
            frame_height=round(height / scale),
        )


def _visible_pixels(
    outline: Points, frame_shape: tuple[int, int], allowed: npt.NDArray[np.uint8] | None
) -> tuple[int, int]:
    """Count the outline's pixels, and those inside the frame and outside every mask."""
    left, top = np.floor(outline.min(axis=0)).astype(int)
    right, bottom = np.ceil(outline.max(axis=0)).astype(int)
    canvas = np.zeros((bottom - top + 1, right - left + 1), dtype=np.uint8)
    shifted = np.round(outline - np.array([left, top], dtype=np.float32)).astype(np.int32)
    cv2.fillPoly(canvas, [shifted], 1)
    total = int(canvas.sum())

    height, width = frame_shape
    fx0, fy0 = max(left, 0), max(top, 0)
    fx1, fy1 = min(right + 1, width), min(bottom + 1, height)
    if fx1 <= fx0 or fy1 <= fy0:
        return 0, total
    inside = canvas[fy0 - top : fy1 - top, fx0 - left : fx1 - left]
    if allowed is not None:
        inside = inside & (allowed[fy0:fy1, fx0:fx1] > 0)
    return int(inside.sum()), total


def _ransac_affine(
    source: Points, target: Points, threshold: float
) -> tuple[Matrix, npt.NDArray[np.uint8]] | None:
    """Fit an affine transform with RANSAC; return it as a 3x3 matrix with the inlier mask."""
    affine, mask = cv2.estimateAffine2D(
        source,
        target,
        method=cv2.RANSAC,
        ransacReprojThreshold=threshold,
        maxIters=_RANSAC_ITERATIONS,
        confidence=_RANSAC_CONFIDENCE,
    )
    if affine is None or not np.isfinite(affine).all():
        return None
    matrix: Matrix = np.vstack([affine, [0.0, 0.0, 1.0]])
    return matrix, np.asarray(mask, dtype=np.uint8)


def _pose_clusters(
    reference: ReferenceImage,
    train: IndexArray,
    frame_geometry: Points,
    target: Points,
    frame_shape: tuple[int, int],
    min_side: float,
) -> list[IndexArray]:
    """Group matches that agree on the logo's pose, strongest group first.

    Each match of a frame keypoint to a reference keypoint predicts where the reference's
    centre lies in the frame, at which scale and rotation: the ratio of the two keypoint
    sizes, the difference of their angles. Matches on one copy of the logo predict about
    the same pose, while chance matches on the background scatter. Each match votes for the
    two nearest bins in each of the four pose dimensions, so that a pose near a bin edge
    is not split. Fitting a transform inside a group finds a small logo whose few matches
    RANSAC would miss among hundreds of background matches.

    Matches whose scale would make the logo smaller than `min_side` or larger than twice the
    frame vote for nothing: such bins are wide and gather chance matches.
    """
    geometry = reference.geometry[train]
    scale = frame_geometry[:, 0].astype(np.float64) / geometry[:, 0]
    extent = max(reference.width, reference.height)
    plausible = (scale * extent >= min_side) & (scale * extent <= 2 * max(frame_shape))
    voters = np.flatnonzero(plausible)
    if len(voters) == 0:
        return []
    train, frame_geometry, target, geometry, scale = (
        train[voters],
        frame_geometry[voters],
        target[voters],
        geometry[voters],
        scale[voters],
    )
    turn = np.radians(frame_geometry[:, 1].astype(np.float64) - geometry[:, 1])
    offset = np.array([reference.width / 2, reference.height / 2]) - reference.points[train]
    cos, sin = np.cos(turn), np.sin(turn)
    centre_x = target[:, 0] + scale * (cos * offset[:, 0] - sin * offset[:, 1])
    centre_y = target[:, 1] + scale * (sin * offset[:, 0] + cos * offset[:, 1])

    log_scale = np.log2(scale) / _SCALE_BIN
    angle = np.mod(np.degrees(turn), 360.0) / _ANGLE_BIN
    angle_bins = round(360.0 / _ANGLE_BIN)
    keys: list[IndexArray] = []
    for scale_bin in _two_nearest(log_scale):
        cell = _LOCATION_BIN * extent * 2.0 ** ((scale_bin + 0.5) * _SCALE_BIN)
        for angle_bin in _two_nearest(angle):
            for x_bin in _two_nearest(centre_x / cell):
                for y_bin in _two_nearest(centre_y / cell):
                    keys.append(
                        np.stack([scale_bin, np.mod(angle_bin, angle_bins), x_bin, y_bin], axis=1)
                    )
    votes = np.concatenate(keys)
    voter = np.tile(np.arange(len(train), dtype=np.int64), len(keys))
    bins, bin_of_vote = np.unique(votes, axis=0, return_inverse=True)
    bin_of_vote = bin_of_vote.ravel()
    # A bin's strength is the number of distinct reference keypoints voting in it. On busy
    # backgrounds one reference blob can match dozens of frame blobs, which agree on nothing.
    stride = int(train.max()) + 1
    distinct_votes = np.unique(bin_of_vote * stride + train[voter])
    strength = np.bincount(distinct_votes // stride, minlength=len(bins))
    order = np.argsort(-strength, kind="stable")
    clusters = []
    for index in order:
        if strength[index] < _MIN_VOTES:
            break
        clusters.append(voters[voter[bin_of_vote == index]])
    return clusters


def _two_nearest(values: npt.NDArray[np.float64]) -> tuple[IndexArray, IndexArray]:
    """Return the bin of each value and the neighbouring bin nearer to it."""
    low = np.floor(values)
    nearer = np.where(values - low < 0.5, low - 1, low + 1)
    return low.astype(np.int64), nearer.astype(np.int64)


def _remove_duplicates(candidates: list[_Candidate]) -> list[_Candidate]:
    """Keep the strongest of overlapping candidates (several references of one brand)."""
    unique: list[_Candidate] = []
    for candidate in sorted(candidates, key=lambda c: c.inliers, reverse=True):
        if all(_overlap(candidate.outline, other.outline) < 0.3 for other in unique):
            unique.append(candidate)
    return unique


def _overlap(a: Points, b: Points) -> float:
    """Intersection over union of two outlines' bounding boxes."""
    ax0, ay0 = a.min(axis=0)
    ax1, ay1 = a.max(axis=0)
    bx0, by0 = b.min(axis=0)
    bx1, by1 = b.max(axis=0)
    iw = max(0.0, float(min(ax1, bx1) - max(ax0, bx0)))
    ih = max(0.0, float(min(ay1, by1) - max(ay0, by0)))
    intersection = iw * ih
    union = float((ax1 - ax0) * (ay1 - ay0) + (bx1 - bx0) * (by1 - by0)) - intersection
    return intersection / union if union > 0 else 0.0
