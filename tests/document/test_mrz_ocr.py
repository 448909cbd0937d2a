"""MRZ OCR from camera frames: synthetic frames printed in OCR-B, judged by the check digits."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from kiosk.devices.document.mrz import access_key_from_mrz
from kiosk.devices.document.mrz_ocr import MrzOcr
from kiosk.errors import MrzUnreadable

from .conftest import ID_CARD_MRZ, PASSPORT_MRZ
from .documents import td3_mrz
from .mrz_frames import FONTS, camera_frame
from .test_parsers import TD2

DOCS = {"td3": PASSPORT_MRZ, "td1": ID_CARD_MRZ, "td2": TD2,
        "td3-long-names": td3_mrz("E12345678", "010203", "291231", "OUYANG", "XIAOMING WEIWEI", "CHN", "M",
                                  "ZB1234567890")}
CONDITIONS = {
    "close": {},
    "small-in-frame": {"doc_width": 640},
    "vga": {"doc_width": 560, "frame": (640, 480)},
    "blurred-noisy": {"blur": 1.5, "noise": 10.0, "jpeg_quality": 60},
    "perspective": {"tilt": 0.08},
    "glare": {"glare": 100.0},
    "low-light": {"light": 0.22},
    "phone-jpeg": {"phone": True},
}


@pytest.fixture(scope="module")
def ocr() -> MrzOcr:
    return MrzOcr()


@pytest.mark.parametrize("font", sorted(FONTS))
@pytest.mark.parametrize("condition", sorted(CONDITIONS))
@pytest.mark.parametrize("doc", sorted(DOCS))
def test_reads_the_mrz(ocr: MrzOcr, doc: str, condition: str, font: str) -> None:
    # The reader's templates come from the "skala" font; "schwarz-mftrace" is another OCR-B it was not built from.
    for seed in range(2):
        frame = camera_frame(DOCS[doc], seed, font=FONTS[font], **CONDITIONS[condition])
        result = ocr.read(frame)
        assert result.access_key() == access_key_from_mrz(DOCS[doc]), (doc, condition, font, seed)


def test_accepts_numpy_bgr_frames(ocr: MrzOcr) -> None:
    frame = np.asarray(camera_frame(PASSPORT_MRZ, 7))[:, :, ::-1].copy()  # OpenCV's BGR
    assert ocr.read(frame).document_number == "L898902C3"


def test_a_misprinted_mrz_is_refused_not_guessed(ocr: MrzOcr) -> None:
    lines = PASSPORT_MRZ.split("\n")
    bad = lines[0] + "\n" + lines[1].replace("7408122", "7408132")  # birth date no longer matches its digit
    for seed in range(3):
        with pytest.raises(MrzUnreadable, match="check digit"):
            ocr.read(camera_frame(bad, seed))


def test_no_document_in_the_frame(ocr: MrzOcr) -> None:
    with pytest.raises(MrzUnreadable):
        ocr.read(Image.new("RGB", (1280, 720), (70, 70, 70)))
    with pytest.raises(MrzUnreadable):
        ocr.read(np.random.default_rng(1).integers(0, 255, (480, 640, 3), dtype=np.uint8))


def test_cli_ocr(tmp_path) -> None:
    import json
    import subprocess
    import sys
    from pathlib import Path

    frame = tmp_path / "frame.jpg"
    camera_frame(ID_CARD_MRZ, 3).save(frame)
    blank = tmp_path / "blank.png"
    Image.new("RGB", (640, 480), (90, 90, 90)).save(blank)
    repo = Path(__file__).resolve().parents[2]
    proc = subprocess.run([sys.executable, "-m", "kiosk.cli", "card", "ocr", str(frame), "--json"], cwd=repo,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert (out["format"], out["document_number"], out["date_of_birth"], out["date_of_expiry"]) == (
        "TD1", "D23145890", "820101", "330707")
    proc = subprocess.run([sys.executable, "-m", "kiosk.cli", "card", "ocr", str(blank)], cwd=repo,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 7 and proc.stderr.count("\n") == 1
