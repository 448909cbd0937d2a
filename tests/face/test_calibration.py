"""Calibration tool: the report agrees with the configured default; the DET plot; a small real run on faces-lfw."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.config import FaceConfig
from kiosk.devices.face.det_plot import COLOURS, Curve, render_det

REPO = Path(__file__).resolve().parents[2]
LFW = REPO.parent / "shared" / "faces-lfw"


def test_report_states_the_configured_default_and_links_its_det_curve():
    doc = (REPO / "docs" / "face-threshold.md").read_text(encoding="utf-8")
    config = FaceConfig()
    assert f"**Default: threshold {config.threshold:g}, retry band {config.retry_band:g}**" in doc
    det = re.search(r"!\[[^\]]*\]\(([^)]+\.png)\)", doc)
    assert det and (REPO / "docs" / det.group(1)).is_file()
    assert "held-out" in doc and "Clopper-Pearson" in doc


def test_det_plot_draws_each_curve_in_its_colour():
    from PIL import Image

    curves = [Curve("a", [(0.0001, 0.3), (0.001, 0.1), (0.01, 0.03), (0.1, 0.01)], (0.001, 0.1)),
              Curve("b", [(0.0002, 0.35), (0.002, 0.2), (0.05, 0.05)])]
    png = render_det(curves, "test", target=(0.001, 0.05))
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert image.size[0] == 900 and image.size[1] > 720
    colours = {c for _, c in image.getcolors(maxcolors=1 << 16)}
    for hex_colour in COLOURS[:2]:
        rgb = tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
        assert rgb in colours
    assert tuple(int(COLOURS[2][i:i + 2], 16) for i in (1, 3, 5)) not in colours  # no third curve


def test_report_and_plot_from_synthetic_descriptors(tmp_path: Path):
    """The whole report path (every variant, the default, the DET plot) on synthetic people, without dlib."""
    import argparse

    import numpy as np

    from kiosk.devices.face.calibrate import DEPLOYED_FRAMES, write_report
    from kiosk.devices.face.lfw_evaluation import VARIANTS, evaluate_all, split_photos
    from tests.face.test_lfw_evaluation import person_photos

    photos = person_photos(np.random.default_rng(9), people=240, photos_each=3)
    halves = split_photos(photos)
    results = evaluate_all(halves.choosing, halves.heldout, VARIANTS)
    out = tmp_path / "threshold.md"
    args = argparse.Namespace(lfw=tmp_path / "faces-lfw", out=out, det=None)
    assert write_report(args, halves, results, 0.0) == 0
    doc = out.read_text(encoding="utf-8")
    assert "**Default: threshold " in doc and f"`{DEPLOYED_FRAMES}`" in doc
    assert all(f"| {v.key}: " in doc for v in VARIANTS)
    assert (tmp_path / "face-det.png").read_bytes().startswith(b"\x89PNG")


@pytest.mark.skipif(not (LFW / "LABELS.tsv").is_file(), reason="../shared/faces-lfw absent (research data)")
def test_calibrate_command_runs_on_a_few_real_people(tmp_path: Path, capsys):
    out = tmp_path / "threshold.md"
    code = main(["face", "calibrate", "--lfw", str(LFW), "--people", "3", "--out", str(out), "--workers", "2"])
    printed = capsys.readouterr()
    # 3 people are far too few for a 0.1% FAR bound: the tool says so instead of writing a default it cannot back
    assert code == 1, printed.err
    assert "no threshold meets the FAR bound" in printed.err and not out.exists()


def test_calibrate_command_without_the_data_set_fails_cleanly(tmp_path: Path, capsys):
    code = main(["face", "calibrate", "--lfw", str(tmp_path / "nowhere"), "--out", str(tmp_path / "x.md")])
    assert code == 2 and "LABELS.tsv not found" in capsys.readouterr().err
    assert not (tmp_path / "x.md").exists()
