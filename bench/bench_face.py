"""Face benchmarks: model load, chip-photo encoding, quality gate per frame, decision time after the liveness
challenge ends (median and p95 of 20 runs, 640x480 and 1280x720), RSS with the models loaded, camera frame rate,
batch verification throughput, and each decision variant's FAR/FRR on the held-out people of faces-lfw.

Runs in child processes (`python -m bench.bench_face --child`, `--lfw-child`) so the RSS figures are the face
check's own and not those of whatever other benchmarks loaded before. Uses the test photos vendored
in tests/face/photos (any clone has them) and, when present, the calibration set ../shared/faces-lfw (rows marked skipped otherwise;
encoding it takes 10-25 minutes on 2 cores).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FACES = REPO / "tests" / "face" / "photos"
LFW = REPO.parent / "shared" / "faces-lfw"
BATCH_PHOTOS = 40  # batch verification: pairs among this many photos of tests/face/photos ...
BATCH_PAIRS = 200  # ... this many (each photo in about 10 pairs)
LIVE = "fr_knn_train_biden_biden2.jpg"
CHIP = "fr_ex_biden.jpg"
RUNS = 20


def _row(name: str, value: float | None, unit: str, target: float | None = None, better: str = "lower",
         digits: int = 1) -> dict:
    return {"name": name, "value": None if value is None else round(value, digits), "unit": unit, "target": target,
            "better": better}


def _batch_rows() -> list[dict]:
    """Batch verification on 2 workers: photos encoded per second, pairs per second end to end, and pairs per
    second once the photos are encoded (comparison and JSON output only)."""
    import io
    import itertools
    from contextlib import redirect_stdout

    from kiosk.commands.common import print_json
    from kiosk.devices.face.batch import parse_pairs, verify_pairs
    from kiosk.devices.face.photo_pool import PhotoPool

    photos = sorted(str(p) for p in FACES.glob("*.jpg"))[:BATCH_PHOTOS]
    chosen = list(itertools.combinations(photos, 2))[::3][:BATCH_PAIRS]
    pairs = parse_pairs("".join(f"{a}\t{b}\n" for a, b in chosen), None)
    used = {p.reference_path for p in pairs} | {p.probe_path for p in pairs}
    rows = []
    with PhotoPool(2) as pool:
        list(pool.encode(photos[:2]))  # workers up and models loaded (~1-2 s, once per command)
        t = time.perf_counter()
        encoded = {e.path: e for e in pool.encode(sorted(used))}
        encode_s = time.perf_counter() - t
        t = time.perf_counter()
        with redirect_stdout(io.StringIO()):
            results = [print_json(r.as_json()) for r in verify_pairs(pairs, pool.encode, 0.5)]
        end_to_end_s = time.perf_counter() - t
    t = time.perf_counter()
    with redirect_stdout(io.StringIO()):
        for _ in range(20):
            for r in verify_pairs(pairs, lambda paths: (encoded[p] for p in paths), 0.5):
                print_json(r.as_json())
    compare_s = (time.perf_counter() - t) / 20
    n = len(results)
    rows.append(_row(f"face batch: photos decoded + encoded per second (2 workers, {len(used)} photos)",
                     len(used) / encode_s, "1/s", None, "higher"))
    rows.append(_row(f"face batch: pairs per second end to end ({n} pairs over {len(used)} photos, 2 workers)",
                     n / end_to_end_s, "1/s", 15, "higher"))
    rows.append(_row("face batch: pairs per second once photos are encoded (compare + JSON)", n / compare_s, "1/s",
                     15, "higher"))
    return rows


def _lfw_rows() -> list[dict]:
    """FAR and FRR of each decision variant on the held-out people of faces-lfw (threshold chosen on the others)."""
    from kiosk.devices.face.calibrate import collect
    from kiosk.devices.face.lfw_evaluation import (
        TARGET_FAR,
        TARGET_FRR,
        VARIANTS,
        evaluate_all,
    )

    halves = collect(LFW, 2)
    rows = []
    for r in evaluate_all(halves.choosing, halves.heldout, VARIANTS):
        d = r.decision
        th = "none" if r.threshold is None else f"{r.threshold:.4f}"
        label = f"face LFW held-out ({halves.heldout_people} people), {r.variant.key}, {d.name}, t={th}"
        rows.append(_row(f"{label}: FAR", d.far.value * 100, "%", TARGET_FAR * 100, digits=3))
        rows.append(_row(f"{label}: FRR", d.frr.value * 100, "%", TARGET_FRR * 100, digits=2))
    return rows


def _skipped(name: str, why: str) -> dict:
    return {"name": f"{name} (skipped: {why})", "value": None, "unit": "", "target": None, "better": "lower",
            "skipped": True}


def _rss_mb(pid: int | str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _measure() -> list[dict]:
    import random

    import cv2

    from kiosk.config import FaceConfig
    from kiosk.devices.camera.opencv import OpenCvCamera
    from kiosk.devices.camera.sequence import SequenceCamera
    from kiosk.devices.face.calibrate import chip_rendition
    from kiosk.devices.face.dlib_models import load_models
    from kiosk.devices.face.dlib_verifier import FULL_SCAN_EVERY, DlibFaceVerifier
    from kiosk.devices.face.encoder_pool import EncoderPool
    from kiosk.devices.face.liveness import random_challenge
    from kiosk.devices.face.photo import decode_image, encode_photo, find_faces
    from kiosk.devices.face.quality_gate import GateThresholds, QualityGate
    from kiosk.devices.face.synthetic_turns import turn_sequence

    rows: list[dict] = []
    rss_idle = _rss_mb()
    t = time.perf_counter()
    models = load_models()
    rows.append(_row("face: model load (dlib, HOG, 5-point, ResNet)", (time.perf_counter() - t) * 1000, "ms"))
    pool = EncoderPool(workers=2)
    t = time.perf_counter()
    pool.start()
    rows.append(_row("face: encoder workers start (2 processes)", (time.perf_counter() - t) * 1000, "ms"))

    rgb = decode_image((FACES / CHIP).read_bytes())
    chip = chip_rendition(rgb, find_faces(models, rgb)[0])  # 240x320 JPEG 2000, ~15 KB
    times = []
    for _ in range(5):
        t = time.perf_counter()
        assert encode_photo(models, decode_image(chip))
        times.append((time.perf_counter() - t) * 1000)
    rows.append(_row("face: chip photo decode + encode (240x320 JP2)", statistics.median(times), "ms"))
    rss_models = _rss_mb() + sum(_rss_mb(pid) for pid in pool.worker_pids())

    gate = QualityGate(models, GateThresholds(min_face_px=FaceConfig().min_face_px))
    live = cv2.imread(str(FACES / LIVE))
    config = FaceConfig()
    for size in ((640, 480), (1280, 720)):
        label = f"{size[0]}x{size[1]}"
        order = random_challenge(random.Random(1))
        frames = turn_sequence(models, live, order, size, hold=4, ramp=3)
        full, per_frame, box = [], [], None
        for i, frame in enumerate(frames * 3):
            t = time.perf_counter()
            r = gate.check(frame, near=box, full_scan=box is None or (i + 1) % FULL_SCAN_EVERY == 0)
            per_frame.append((time.perf_counter() - t) * 1000)
            box = r.face.box if r.face else None
            t = time.perf_counter()
            gate.check(frame)
            full.append((time.perf_counter() - t) * 1000)
        rows.append(_row(f"face: quality gate per frame, tracking ({label})", statistics.mean(per_frame), "ms", 40))
        rows.append(_row(f"face: quality gate, full-frame scan ({label})", statistics.median(full), "ms", 40))
        decisions = []
        for _ in range(RUNS):
            # the same seed as the sequence: the verifier asks for the turns the sequence performs
            verifier = DlibFaceVerifier(SequenceCamera(frames, fps=20, realtime=True), config, models=models,
                                        pool=pool, rng=random.Random(1))
            verifier.prepare(chip)
            decision = verifier.verify(threading.Event(), lambda _p: None)
            assert decision.outcome.value == "match", decision
            decisions.append(verifier.last_decision_ms or 0.0)
            verifier.wipe()
        rows.append(_row(f"face: decision after challenge, median ({label})", statistics.median(decisions), "ms",
                         300))
        rows.append(_row(f"face: decision after challenge, p95 ({label})", _p95(decisions), "ms", 300))
    workers = sum(_rss_mb(pid) for pid in pool.worker_pids())
    rows.append(_row("face: RSS before models (this process)", rss_idle, "MB"))
    rows.append(_row("face: RSS with models loaded, main + 2 encoder workers", rss_models, "MB", 450))
    # after 40 verifications; includes the benchmark's own synthetic frame sequences (~15-50 MB of frames)
    rows.append(_row("face: RSS after the runs, main + 2 encoder workers", _rss_mb() + workers, "MB"))
    pool.close()

    cam = OpenCvCamera(str(FACES / LIVE), fps=20)
    cam.open()
    n, t = 0, time.perf_counter()
    while time.perf_counter() - t < 2.0:
        n += cam.read() is not None
    cam.close()
    rows.append(_row("camera: frames per second (image source, 20 fps nominal)", n / (time.perf_counter() - t),
                     "fps", 15, "higher"))
    rows += _batch_rows()
    return rows


def _child(flag: str, timeout: float) -> list[dict]:
    proc = subprocess.run([sys.executable, "-m", "bench.bench_face", flag], check=False, cwd=REPO, capture_output=True,
                          text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "child failed")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run() -> list[dict]:
    """Rows for bench/run.py, measured in child processes."""
    rows = _child("--child", 900)
    if (LFW / "LABELS.tsv").is_file():
        rows += _child("--lfw-child", 3600)
    else:
        rows.append(_skipped("face LFW held-out FAR/FRR per variant", f"{LFW} absent"))
    return rows


if __name__ == "__main__":
    if "--child" in sys.argv:
        print(json.dumps(_measure()))
    elif "--lfw-child" in sys.argv:
        print(json.dumps(_lfw_rows()))
    else:
        for r in run():
            print(f"{r['name']:<62} {r['value']!s:>8} {r['unit']:<4} target {r['target']}")
