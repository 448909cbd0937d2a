"""A chip-like rendition of a photo: what an identity document's chip would hold for the face in it.

ICAO 9303 portraits are cropped around the face at fixed proportions, stored small (here 240x320) and heavily
compressed (JPEG 2000 of about 15 KB): that loss is part of the kiosk's real comparison (chip photo vs camera
frame), so calibration and benchmarks compare renditions like this one, never only the original photos.
"""

from __future__ import annotations

import io

import numpy as np

CHIP_SIZE = (240, 320)
CHIP_BYTES = 15_000


def chip_rendition(rgb: np.ndarray, box: tuple[int, int, int, int]) -> bytes:
    """A chip-like photo of the face at `box`: ICAO-like crop, 240x320, JPEG 2000 of about CHIP_BYTES bytes."""
    from PIL import Image

    fw = box[2] - box[0]
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    crop_w = fw / 0.55
    crop_h = crop_w * CHIP_SIZE[1] / CHIP_SIZE[0]
    left, top = cx - crop_w / 2, cy - crop_h * 0.45
    pad = int(max(crop_w, crop_h))
    padded = np.pad(rgb, ((pad, pad), (pad, pad), (0, 0)), mode="edge")
    x0, y0 = int(left) + pad, int(top) + pad
    region = padded[y0:y0 + int(crop_h), x0:x0 + int(crop_w)]
    image = Image.fromarray(region).resize(CHIP_SIZE, Image.Resampling.LANCZOS)
    ratio = CHIP_SIZE[0] * CHIP_SIZE[1] * 3 / CHIP_BYTES
    out = io.BytesIO()
    image.save(out, format="JPEG2000", quality_mode="rates", quality_layers=[ratio], irreversible=True)
    return out.getvalue()
