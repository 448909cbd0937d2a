"""Threshold calibration: pair rules, the default threshold on the vendored photos, and (when ../shared/faces is
beside the repository) that the default is the threshold fitted on that set."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from kiosk.config import FaceConfig
from kiosk.devices.face.calibrate import (
    DESIGN_FRR,
    TARGET_FRR,
    Sample,
    build_pairs,
    choose_threshold,
    collect_samples,
    rates,
)

REPO = Path(__file__).resolve().parents[2]
SHARED_FACES = REPO.parent / "shared" / "faces"


def sample(person: str, source: str, near: bool = False, chip: bool = False, x: float = 0.0) -> Sample:
    enc = np.zeros(128)
    enc[0] = x
    return Sample(person, source, near, chip, enc)


def test_pair_rules():
    samples = [sample("a", "a1.jpg"), sample("a", "a2.jpg"), sample("a", "a1-720p.jpg", near=True),
               sample("b", "b1.jpg"), sample("", "group.jpg"), sample("", "group.jpg"),
               sample("a", "a1.jpg", chip=True)]
    pairs = build_pairs(samples)
    genuine = {(p.kind, p.a, p.b) for p in pairs if p.genuine}
    # near-duplicates never form genuine pairs; a chip is never compared with its own source photo
    assert genuine == {("photo", "a1.jpg", "a2.jpg"), ("chip", "a1.jpg", "a2.jpg")}
    impostors = [(p.a, p.b) for p in pairs if not p.genuine]
    assert ("group.jpg", "group.jpg") not in impostors  # unlabelled faces only against labelled ones
    assert ("a1-720p.jpg", "b1.jpg") in impostors and ("a1.jpg", "group.jpg") in impostors


def test_default_threshold_separates_the_vendored_photos(models, faces_dir):
    """The calibration tool's own pipeline (labels, chip-like JPEG 2000 renditions, pair rules) on the photos in
    tests/face/photos: at the default threshold no impostor is accepted and at most TARGET_FRR of the genuine
    pairs are rejected. Not a calibration (31 genuine pairs); a check that the default still separates them."""
    pairs = build_pairs(collect_samples(models, faces_dir))
    # every labelled face found, every chip rendition encoded (12 + 19 genuine, 65 + 113 impostor pairs)
    assert Counter((p.kind, p.genuine) for p in pairs) == {("photo", True): 12, ("chip", True): 19,
                                                          ("photo", False): 65, ("chip", False): 113}
    far, frr, _, _ = rates(pairs, FaceConfig().threshold)
    assert far == 0.0 and frr <= TARGET_FRR


@pytest.fixture(scope="module")
def shared_pairs(models):
    if not (SHARED_FACES / "LABELS.tsv").is_file():
        pytest.skip(f"{SHARED_FACES} is absent (a clone has none): the default threshold was fitted on that set "
                    "by `python -m kiosk.devices.face.calibrate`; the vendored photos are checked above")
    return build_pairs(collect_samples(models, SHARED_FACES))


def test_default_threshold_meets_the_target_on_the_shared_faces(shared_pairs):
    config = FaceConfig()
    far, frr, _, _ = rates(shared_pairs, config.threshold)
    assert far == 0.0 and frr <= TARGET_FRR
    assert sum(p.genuine for p in shared_pairs) > 300 and sum(not p.genuine for p in shared_pairs) > 3000
    assert any(p.kind == "chip" for p in shared_pairs)
    assert choose_threshold(shared_pairs, DESIGN_FRR) == pytest.approx(config.threshold, abs=0.011)
    doc = (REPO / "docs" / "face-threshold.md").read_text(encoding="utf-8")
    assert f"threshold {config.threshold:.2f}, retry band {config.retry_band:.2f}" in doc
