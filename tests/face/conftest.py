"""Face test fixtures: dlib models and encoder workers loaded once per session; encodings cached in memory only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from kiosk.devices.face.dlib_models import FaceModels, load_models
from kiosk.devices.face.encoder_pool import EncoderPool


@pytest.fixture(scope="session")
def models() -> FaceModels:
    return load_models()


@pytest.fixture(scope="session")
def encoder_pool() -> Iterator[EncoderPool]:
    pool = EncoderPool(workers=2)
    pool.start()
    yield pool
    pool.close()


@pytest.fixture(scope="session")
def load_bgr(faces_dir: Path):
    """Read a vendored test photo as a BGR array (cached in memory for the session)."""
    import cv2

    cache: dict[str, np.ndarray] = {}

    def load(name: str) -> np.ndarray:
        if name not in cache:
            image = cv2.imread(str(faces_dir / name))
            assert image is not None, name
            cache[name] = image
        return cache[name]

    return load
