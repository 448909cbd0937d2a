"""Faces in still photos: the chip photo (DG2) and the images of `kiosk face verify`.

Same detector, landmarks and encoder as the live path. Photos are small (a chip photo is ~240x320 to ~480x640),
so detection runs on the photo itself, shrunk only when it is large, and upsampled once when nothing is found.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np

from kiosk.devices.face.dlib_models import MIRROR, FaceModels
from kiosk.errors import FaceError

Box = tuple[int, int, int, int]
PHOTO_MAX_SIDE = 1600  # larger photos are detected on a shrunk copy (never the CNN detector)
# A chip photo is well under 1 MP and a phone photo for `kiosk face verify` under 50 MP; anything larger is refused
# before its pixels are decoded (Pillow itself only warns up to 179 MP, and 179 MP of RGB is half a gigabyte).
PHOTO_MAX_PIXELS = 64_000_000


class UnreadableImage(FaceError):
    """The bytes are not an image Pillow can decode (JPEG, JPEG 2000, PNG, ...)."""

    message_key = "error.face.unreadable"


class PhotoTooLarge(UnreadableImage):
    """The image declares more pixels than any photo we accept (a decompression bomb, or a corrupt header)."""


@dataclass(frozen=True)
class PhotoFace:
    box: Box
    encoding: np.ndarray


def decode_image(data: bytes) -> np.ndarray:
    """An RGB uint8 array from image bytes (JPEG 2000 from chips included; EXIF rotation applied)."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as im:
            width, height = im.size
            if width * height > PHOTO_MAX_PIXELS:
                raise PhotoTooLarge(f"image of {width}x{height} pixels refused (limit {PHOTO_MAX_PIXELS})")
            im = ImageOps.exif_transpose(im)
            return np.asarray(im.convert("RGB")).copy()
    except Image.DecompressionBombError as exc:  # raised by Image.open itself, above 2x Image.MAX_IMAGE_PIXELS
        raise PhotoTooLarge(f"image refused: {exc}") from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise UnreadableImage(f"cannot decode image: {exc}") from exc


def find_faces(models: FaceModels, rgb: np.ndarray) -> list[Box]:
    """HOG face boxes in a photo, largest first."""
    import cv2

    h, w = rgb.shape[:2]
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    scale = min(1.0, PHOTO_MAX_SIDE / max(h, w))
    small = gray if scale >= 1.0 else cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    boxes = models.detect(small, 0)
    if not boxes and max(small.shape) <= 1000:
        boxes = models.detect(small, 1)  # small faces in small photos: one upsampling step
    full = [(int(b[0] / scale), int(b[1] / scale), int(b[2] / scale), int(b[3] / scale)) for b in boxes]
    return sorted(full, key=lambda b: (b[2] - b[0]) * (b[3] - b[1]), reverse=True)


def encode_photo(models: FaceModels, rgb: np.ndarray, jitters: int = 1, mirror: bool = MIRROR,
                 largest_only: bool = False) -> list[PhotoFace]:
    """Every face of a photo (or only the largest) with its descriptor, largest face first."""
    import cv2

    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    out = []
    boxes = find_faces(models, rgb)
    for box in boxes[:1] if largest_only else boxes:
        points = models.landmarks(gray, box)
        out.append(PhotoFace(box=box, encoding=models.encode(rgb, box, points, jitters, mirror)))
    return out


def face_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Euclidean distance between two descriptors (what face_recognition.face_distance computes)."""
    return float(np.linalg.norm(np.asarray(a) - np.asarray(b)))
