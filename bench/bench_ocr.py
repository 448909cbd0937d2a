"""MRZ OCR accuracy and reading time per condition, ours beside PassportEye over tesseract (issue 15, point 6).

The test set: `FRAMES` random MRZs (TD1, TD2 and TD3 with random names, numbers and dates), each printed in two
OCR-B implementations (the reader's own template font and an independent trace of Schwarz's METAFONT OCR-B, see
tests/document/fonts) and photographed under each condition of tests/document/mrz_frames.py. A reading counts
as correct only when its access key (document number, birth and expiry dates) equals the printed one; "wrong"
counts readings that passed the check digits with a different key (the dangerous kind); the rest were refused.

PassportEye runs on the first `LIBRARY_FRAMES` frames of each set in its own virtualenv (bench/ocr_passporteye.py);
its rows are skipped, with the reason, where tesseract or the package index is not available.
"""

from __future__ import annotations

import json
import random
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FRAMES = int(__import__("os").environ.get("BENCH_OCR_FRAMES", "60"))
LIBRARY_FRAMES = min(20, FRAMES)
PASSPORTEYE = "passporteye==2.2.2"
# Conditions: keyword arguments of tests.document.mrz_frames.camera_frame.
CONDITIONS = {
    "plain": {},
    "small in frame": {"doc_width": 640},
    "perspective": {"tilt": 0.08},
    "blurred, noisy": {"blur": 1.5, "noise": 10.0, "jpeg_quality": 60},
    "glare": {"glare": 100.0},
    "low light": {"light": 0.22},
    "phone JPEG round trip": {"phone": True},
}
STRESS = {"strong glare (ink washed out)": {"glare": 180.0}}  # reported, no target: beyond what we promise


def _random_mrz(rng: random.Random) -> str:
    from tests.document.documents import td1_mrz, td2_mrz, td3_mrz

    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    number = "".join(rng.choice(letters + "0123456789") for _ in range(rng.choice((8, 9))))
    dob = f"{rng.randint(30, 99):02d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    expiry = f"{rng.randint(27, 36):02d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    surname = "".join(rng.choice(letters) for _ in range(rng.randint(2, 14)))
    given = " ".join("".join(rng.choice(letters) for _ in range(rng.randint(2, 8))) for _ in range(rng.randint(1, 2)))
    maker = rng.choice((td1_mrz, td3_mrz, td2_mrz))
    return maker(number, dob, expiry, surname, given, sex=rng.choice("MF"))


def _ours(frames: list, keys: list) -> tuple[dict, list[float]]:
    from kiosk.devices.document.mrz_ocr import MrzOcr
    from kiosk.errors import MrzUnreadable

    ocr = MrzOcr()
    outcomes = {"correct": 0, "refused": 0, "wrong": 0}
    seconds = []
    for frame, key in zip(frames, keys, strict=True):
        start = time.perf_counter()
        try:
            got = ocr.read(frame).access_key()
            outcome = "correct" if (got.document_number, got.date_of_birth, got.date_of_expiry) == key else "wrong"
        except MrzUnreadable:
            outcome = "refused"
        seconds.append(time.perf_counter() - start)
        outcomes[outcome] += 1
    return outcomes, seconds


def _library_python() -> tuple[Path | None, str]:
    if shutil.which("tesseract") is None:
        return None, "tesseract-ocr is not installed"
    venv = ROOT / ".bench" / "passporteye-venv"
    python = venv / "bin" / "python"
    if not python.exists():
        uv = ROOT / ".venv" / "bin" / "uv"
        made = subprocess.run([str(uv), "venv", "-q", "-p", str(ROOT / ".venv" / "bin" / "python"), str(venv)],
                              capture_output=True, text=True)
        if made.returncode == 0:
            made = subprocess.run([str(uv), "pip", "install", "-q", "-p", str(python), PASSPORTEYE],
                                  capture_output=True, text=True)
        if made.returncode != 0:
            shutil.rmtree(venv, ignore_errors=True)
            return None, f"could not install {PASSPORTEYE}: {made.stderr.strip()[-200:]}"
    return python, ""


def _library(python: Path, frames: list, keys: list) -> tuple[dict, list[float]]:
    with tempfile.TemporaryDirectory() as tmp:
        index = []
        for i, (frame, key) in enumerate(zip(frames, keys, strict=True)):
            frame.save(Path(tmp) / f"{i}.png")  # lossless: the frame's own JPEG artefacts are already in it
            index.append({"file": f"{i}.png", "key": [key[0].replace("<", ""), key[1], key[2]]})
        (Path(tmp) / "index.json").write_text(json.dumps(index))
        done = subprocess.run([str(python), str(ROOT / "bench" / "ocr_passporteye.py"), tmp], capture_output=True,
                              text=True, check=True)
    results = json.loads(done.stdout)
    outcomes = {"correct": 0, "refused": 0, "wrong": 0}
    for r in results:
        outcomes[r["outcome"]] += 1
    return outcomes, [r["s"] for r in results]


def _rows(reader: str, condition: str, font: str, outcomes: dict, seconds: list[float], target: float | None,
          note: str = "") -> list[dict]:
    total = sum(outcomes.values())
    label = f"MRZ OCR {reader}: {condition}, {font} ({total} frames{note})"
    return [
        {"name": f"{label}: read correctly", "value": round(100 * outcomes["correct"] / total, 1), "unit": "%",
         "target": target, "better": "higher"},
        {"name": f"{label}: wrong key passed the check digits", "value": outcomes["wrong"], "unit": "frames",
         "target": 0, "better": "lower"},
        {"name": f"{label}: reading time per frame (median)", "value": round(1000 * statistics.median(seconds), 1),
         "unit": "ms", "target": None, "better": "lower"},
    ]


def run() -> list[dict]:
    from kiosk.devices.document.mrz import access_key_from_mrz
    from tests.document.mrz_frames import FONTS, camera_frame

    rng = random.Random(9303)
    mrzs = [_random_mrz(rng) for _ in range(FRAMES)]
    keys = []
    for mrz in mrzs:
        key = access_key_from_mrz(mrz)
        keys.append((key.document_number, key.date_of_birth, key.date_of_expiry))
    library, why_not = _library_python()
    rows: list[dict] = []
    totals = {"correct": 0, "refused": 0, "wrong": 0}
    for condition, kwargs in {**CONDITIONS, **STRESS}.items():
        target = None if condition in STRESS else 99.0
        for font_name, font in FONTS.items():
            frames = [camera_frame(mrz, seed, font=font, **kwargs) for seed, mrz in enumerate(mrzs)]
            outcomes, seconds = _ours(frames, keys)
            if condition not in STRESS:
                for k in totals:
                    totals[k] += outcomes[k]
            rows += _rows("(ours)", condition, font_name, outcomes, seconds, target)
            if library is not None:
                outcomes, seconds = _library(library, frames[:LIBRARY_FRAMES], keys[:LIBRARY_FRAMES])
                rows += _rows("(PassportEye 2.2.2 + tesseract)", condition, font_name, outcomes, seconds, None)
            else:
                rows.append({"name": f"MRZ OCR (PassportEye): {condition}, {font_name}: {why_not}", "value": None,
                             "unit": "", "target": None, "skipped": True})
    total = sum(totals.values())
    rows.insert(0, {"name": f"MRZ OCR (ours): all promised conditions, both fonts ({total} frames): read correctly",
                    "value": round(100 * totals["correct"] / total, 2), "unit": "%", "target": 99.0,
                    "better": "higher"})
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
