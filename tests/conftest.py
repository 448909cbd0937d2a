"""Suite-wide test setup. Qt must never look for a display: set the offscreen platform before Qt is imported."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def faces_dir() -> Path:
    """The third-party test faces (../shared/faces): read them from there, never copy them into the repo."""
    path = SHARED / "faces"
    if not path.is_dir():
        pytest.fail(f"{path} is missing: the shared test faces must sit beside the repository")
    return path
