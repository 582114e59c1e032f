"""PNG encoding small enough for social networks."""

from __future__ import annotations

import io
import logging
import os
from pathlib import Path
from typing import Final

import oxipng
from PIL import Image

from mvbot._exceptions import RenderError

__all__ = ["MAX_IMAGE_BYTES", "TARGET_IMAGE_BYTES", "encode_png", "write_png"]

logger = logging.getLogger(__name__)

# X accepts images up to 5 MB, but large PNGs have been rejected after upload in practice, so the
# infographics aim far lower; Bluesky's limit is about 1 MB.
MAX_IMAGE_BYTES: Final = 5 * 1000 * 1000
TARGET_IMAGE_BYTES: Final = 1000 * 1000


def encode_png(image: Image.Image) -> bytes:
    """Encode `image` as a PNG optimised by oxipng; reduce it to 256 colours if still too big.

    Raises:
        RenderError: even the quantised image is larger than `MAX_IMAGE_BYTES`.
    """
    body = _optimise(image.convert("RGB"))
    if len(body) > TARGET_IMAGE_BYTES:
        # A 256-colour palette keeps text and flat panels exact and costs little on photos.
        logger.info("PNG is %d bytes; reducing it to 256 colours", len(body))
        body = _optimise(image.convert("RGB").quantize(256, dither=Image.Dither.FLOYDSTEINBERG))
    if len(body) > MAX_IMAGE_BYTES:
        raise RenderError(
            f"the infographic PNG is {len(body)} bytes, over the {MAX_IMAGE_BYTES}-byte limit "
            "of X: use fewer or smaller avatars"
        )
    return body


def _optimise(image: Image.Image) -> bytes:
    # Pillow only needs to be fast here because oxipng recompresses the file. On a ranking image,
    # oxipng level 2 with libdeflate gave a file about a quarter smaller than Pillow's
    # optimize=True, in about a second.
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)
    try:
        optimised = oxipng.optimize_from_memory(
            buffer.getvalue(),
            level=2,
            strip=oxipng.StripChunks.safe(),
            deflate=oxipng.Deflaters.libdeflater(8),
        )
        return bytes(optimised)
    except oxipng.PngError as exc:
        logger.warning("oxipng could not optimise the PNG (%s); keeping Pillow's output", exc)
        return buffer.getvalue()


def write_png(body: bytes, path: Path) -> None:
    """Write `body` to `path` through a temporary file, so readers never see half an image."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        partial.write_bytes(body)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
