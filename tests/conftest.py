"""Suite-wide test setup. Qt must never look for a display: set the offscreen platform before Qt is imported."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")

REPO = Path(__file__).resolve().parent.parent
FACE_PHOTOS = REPO / "tests" / "face" / "photos"


@pytest.fixture(scope="session")
def faces_dir() -> Path:
    """The openly licensed test photos vendored in tests/face/photos (sources and licences in its SOURCES.md).

    The suite needs nothing outside the repository: ../shared/faces-lfw (research data) is for the calibration
    tool and optional benchmarks only, and never copied here.
    """
    return FACE_PHOTOS
