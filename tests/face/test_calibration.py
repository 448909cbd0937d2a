"""Threshold calibration: pair rules, and the default threshold against the shared faces."""

from __future__ import annotations

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


@pytest.fixture(scope="module")
def shared_pairs(models, faces_dir):
    return build_pairs(collect_samples(models, faces_dir))


def test_default_threshold_meets_the_target_on_the_shared_faces(shared_pairs):
    config = FaceConfig()
    far, frr, _, _ = rates(shared_pairs, config.threshold)
    assert far == 0.0 and frr <= TARGET_FRR
    assert sum(p.genuine for p in shared_pairs) > 300 and sum(not p.genuine for p in shared_pairs) > 3000
    assert any(p.kind == "chip" for p in shared_pairs)
    assert choose_threshold(shared_pairs, DESIGN_FRR) == pytest.approx(config.threshold, abs=0.011)
    doc = (REPO / "docs" / "face-threshold.md").read_text(encoding="utf-8")
    assert f"threshold {config.threshold:.2f}, retry band {config.retry_band:.2f}" in doc
