"""The vendored test photos: each has its source and licence written down, and the folder stays small."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

PHOTOS = Path(__file__).resolve().parent / "photos"
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".jp2", ".webp"}
MAX_BYTES = 5 * 1024 * 1024
LICENCES = {"fr_": "MIT License", "dlib_": "Boost Software License 1.0"}


def sources() -> dict[str, tuple[str, str]]:
    """file -> (sha256 prefix, licence heading of its section) from SOURCES.md's tables."""
    rows: dict[str, tuple[str, str]] = {}
    licence = ""
    for line in (PHOTOS / "SOURCES.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("## From "):
            licence = line.split(", ", 1)[1] if ", " in line else ""
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and Path(cells[0]).suffix.lower() in IMAGE_SUFFIXES:
            rows[cells[0]] = (cells[3], licence)
    return rows


def test_every_photo_names_its_source_and_licence() -> None:
    images = sorted(p for p in PHOTOS.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    listed = sources()
    assert {p.name for p in images} == set(listed)
    for image in images:
        prefix, licence = listed[image.name]
        # the listed file is this file: a replaced or recompressed photo must be written down again
        assert re.fullmatch(r"[0-9a-f]{16}", prefix) and hashlib.sha256(image.read_bytes()).hexdigest()[:16] == prefix
        assert licence == next(v for k, v in LICENCES.items() if image.name.startswith(k)), image.name
    labelled = {line.split("\t")[0] for line in (PHOTOS / "LABELS.tsv").read_text(encoding="utf-8").splitlines()[1:]}
    assert labelled == {p.name for p in images}


def test_the_folder_stays_small() -> None:
    assert sum(p.stat().st_size for p in PHOTOS.iterdir()) <= MAX_BYTES
