"""The camera's health with OpenCV on a folder of frames (the kiosk's file camera): a working source, a dark
one, one that disappears, and the external capture running the face detector."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
from PIL import Image

from tests.diagnostics.cli import diagnostics, write_config


def frames(folder: Path, level: int, noise: int = 60, count: int = 5) -> Path:
    folder.mkdir(parents=True)
    rng = np.random.default_rng(7)
    for i in range(count):
        pixels = np.clip(rng.normal(level, noise, (240, 320, 3)), 0, 255).astype(np.uint8)
        Image.fromarray(pixels).save(folder / f"frame{i:02d}.png")
    return folder


def camera(tmp_path: Path, source: Path, level: str = "internal"):
    config = write_config(tmp_path / "kiosk.toml", tmp_path / "data", devices={"camera": "opencv"},
                          face={"camera_source": str(source)})
    result = diagnostics("run", "--device", "camera", "--level", level, "--config", str(config), "--json")
    return result.code, result.device("camera")


def test_working_camera_reports_frame_rate_and_brightness(tmp_path: Path):
    code, line = camera(tmp_path, frames(tmp_path / "cam", 128))
    assert code == 0 and line["status_id"] == "CAM-OK"
    assert line["facts"]["fps"] >= 8 and 100 < line["facts"]["brightness"] < 156
    assert (line["facts"]["width"], line["facts"]["height"]) == (320, 240)


def test_dark_camera_warns(tmp_path: Path):
    code, line = camera(tmp_path, frames(tmp_path / "cam", 10, noise=3))
    assert code == 1 and line["status_id"] == "CAM-DARK" and line["facts"]["brightness"] < 40


def test_camera_source_that_disappears(tmp_path: Path):
    source = frames(tmp_path / "cam", 128)
    assert camera(tmp_path, source)[1]["status_id"] == "CAM-OK"
    shutil.rmtree(source)
    code, line = camera(tmp_path, source)
    assert code == 2
    assert (line["status_id"], line["power"]) == ("CAM-UNAVAILABLE", "OFF_OFFLINE")
    assert str(source) in line["text"] and "USB" in line["fix_en"]


def test_external_capture_says_when_no_face_is_found(tmp_path: Path):
    code, line = camera(tmp_path, frames(tmp_path / "cam", 128), "external")
    assert code == 1 and line["status_id"] == "CAM-NO-FACE" and line["facts"]["faces"] == 0
