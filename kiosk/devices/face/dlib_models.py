"""The dlib models the real face check uses, loaded lazily: HOG detector, 5-point landmarks, ResNet encoder.

Only these three are ever loaded. The 68-point landmark model that `face_recognition_models` also installs was
trained on iBUG 300-W, whose licence excludes commercial use, and the CNN detector is far too slow on this
hardware: neither is touched (see docs/face-models.md). The model files are found through the package's location
without importing it, because `face_recognition_models` imports `pkg_resources`, which recent setuptools no
longer ships; the calls below are the ones `face_recognition` itself makes.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kiosk.errors import FaceError

LANDMARKS_5 = "shape_predictor_5_face_landmarks.dat"
ENCODER = "dlib_face_recognition_resnet_model_v1.dat"
ALIGNED_SIZE, ALIGNED_PADDING = 150, 0.25  # the aligned chip the ResNet encoder was trained on (dlib's defaults)
# The terminal's descriptor: the mean of the aligned face's and its mirror image's (2 network passes). Measured on
# held-out people of faces-lfw it turns away fewer genuine holders at the same false-accept rate than the plain
# descriptor (docs/face-threshold.md); `[face] threshold` is calibrated for it, so every path uses it.
MIRROR = True


def model_dir() -> Path:
    """The folder holding the model files of the installed `face_recognition_models` package."""
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise FaceError("face_recognition_models is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "models"


@dataclass
class FaceModels:
    """Loaded dlib models. Every call holds the GIL and runs on one core (see encoder_pool for parallelism)."""

    detector: Any
    landmarks5: Any
    encoder: Any | None
    dlib: Any

    def detect(self, image: np.ndarray, upsample: int = 0) -> list[tuple[int, int, int, int]]:
        """HOG face boxes (left, top, right, bottom) in `image` (gray or RGB uint8). Never the CNN detector."""
        return [(r.left(), r.top(), r.right(), r.bottom()) for r in self.detector(image, upsample)]

    def landmarks(self, image: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
        """The 5 landmarks (2 corners per eye, then the base of the nose) as a (5, 2) float array."""
        rect = self.dlib.rectangle(int(box[0]), int(box[1]), int(box[2]), int(box[3]))
        shape = self.landmarks5(image, rect)
        return np.array([[shape.part(i).x, shape.part(i).y] for i in range(5)], dtype=np.float64)

    def encode(self, rgb: np.ndarray, box: tuple[int, int, int, int], points: np.ndarray,
               jitters: int = 1, mirror: bool = MIRROR) -> np.ndarray:
        """The 128-d ResNet descriptor of the face at `box` whose 5 landmarks are `points` (in `rgb` pixels)."""
        if self.encoder is None:
            raise FaceError("encoder model not loaded")
        return encode_with(self.dlib, self.encoder, rgb, box, points, jitters, mirror)


def _shape(dlib: Any, box: tuple[int, int, int, int], points: np.ndarray) -> Any:
    rect = dlib.rectangle(int(box[0]), int(box[1]), int(box[2]), int(box[3]))
    return dlib.full_object_detection(rect, [dlib.point(round(x), round(y)) for x, y in points])


def encode_with(dlib: Any, encoder: Any, rgb: np.ndarray, box: tuple[int, int, int, int], points: np.ndarray,
                jitters: int = 1, mirror: bool = MIRROR) -> np.ndarray:
    """Shared by the in-process path and the encoder workers so both produce identical descriptors.

    `mirror`: the mean of the descriptors of the aligned face and of its mirror image (see encode_views).
    """
    if mirror:
        return encode_views(dlib, encoder, rgb, box, points, jitters)[1]
    rgb = np.ascontiguousarray(rgb)
    return np.array(encoder.compute_face_descriptor(rgb, _shape(dlib, box, points), jitters), dtype=np.float64)


def encode_views(dlib: Any, encoder: Any, rgb: np.ndarray, box: tuple[int, int, int, int], points: np.ndarray,
                 jitters: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """(plain descriptor, mean of the plain and the mirror-image descriptors), in two network passes.

    dlib's aligned 150x150 chip is exactly what `compute_face_descriptor(rgb, shape)` encodes, so the first value
    equals the plain descriptor; the mirror image of the aligned chip is the same face seen with its sides
    swapped, and averaging the two cancels part of the pose and lighting asymmetry.
    """
    chip = dlib.get_face_chip(np.ascontiguousarray(rgb), _shape(dlib, box, points), ALIGNED_SIZE, ALIGNED_PADDING)
    plain, flipped = (np.array(d, dtype=np.float64) for d in
                      encoder.compute_face_descriptor([chip, np.ascontiguousarray(chip[:, ::-1])], jitters))
    return plain, (plain + flipped) / 2


def load_models(with_encoder: bool = True) -> FaceModels:
    """Import dlib and load the detector, the 5-point model and (optionally) the encoder (~0.4 s)."""
    import dlib

    folder = model_dir()
    encoder = dlib.face_recognition_model_v1(str(folder / ENCODER)) if with_encoder else None
    return FaceModels(detector=dlib.get_frontal_face_detector(),
                      landmarks5=dlib.shape_predictor(str(folder / LANDMARKS_5)), encoder=encoder, dlib=dlib)


def load_encoder() -> tuple[Any, Any]:
    """Only dlib and the ResNet encoder (for encoder worker processes)."""
    import dlib

    return dlib, dlib.face_recognition_model_v1(str(model_dir() / ENCODER))
