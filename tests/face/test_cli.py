"""`kiosk face verify`: JSON shape, exit codes, and the acceptance pairs at the default threshold."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.config import FaceConfig

REPO = Path(__file__).resolve().parents[2]

GENUINE = [
    ("fr_knn_train_biden_biden2.jpg", "fr_ex_biden.jpg"),
    ("fr_ex_obama.jpg", "fr_knn_test_obama1.jpg"),
    ("dlib_johns_John_Simm_000297_00470170.jpg", "dlib_johns_John_Simm_000300_00470148.jpg"),
]
IMPOSTOR = [
    ("fr_knn_train_biden_biden2.jpg", "fr_ex_obama.jpg"),
    ("dlib_johns_John_Savage_000264_01099001.jpg", "dlib_johns_John_Schneider_000288_00925786.jpg"),
    ("dlib_johns_John_Simm_000297_00470170.jpg", "dlib_johns_John_Savage_000274_01099061.jpg"),
]


def verify(capsys, faces_dir: Path, ref: str, *probes: str) -> tuple[int, dict | None, str]:
    argv = ["face", "verify", "--reference", str(faces_dir / ref), "--json"]
    for p in probes:
        argv += ["--probe", str(faces_dir / p)]
    code = main(argv)
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out.strip() else None), err


@pytest.mark.parametrize("ref,probe", GENUINE)
def test_genuine_pairs_match(capsys, faces_dir, ref, probe):
    code, result, _ = verify(capsys, faces_dir, ref, probe)
    assert code == 0 and result["match"] is True
    assert result["threshold"] == FaceConfig().threshold and result["distance"] <= result["threshold"]


@pytest.mark.parametrize("ref,probe", IMPOSTOR)
def test_impostor_pairs_do_not_match(capsys, faces_dir, ref, probe):
    code, result, _ = verify(capsys, faces_dir, ref, probe)
    assert code == 0 and result["match"] is False and result["distance"] > result["threshold"]


def test_best_probe_and_face_counts(capsys, faces_dir):
    code, result, _ = verify(capsys, faces_dir, "fr_knn_train_biden_biden2.jpg", "fr_ex_obama.jpg",
                             "fr_ex_two_people.jpg")
    assert code == 0 and result["match"] is True  # Biden is the right-hand face of two_people
    assert result["faces_in_reference"] == 1 and result["faces_in_probe"] == 2
    assert set(result) == {"match", "distance", "threshold", "faces_in_reference", "faces_in_probe", "ms"}
    assert isinstance(result["ms"], int)


def test_no_face_and_unreadable_exit_2(capsys, faces_dir, tmp_path):
    code, result, err = verify(capsys, faces_dir, "fr_ex_obama.jpg", "dlib_faces_dogs.jpg")
    assert code == 2 and result is None and "no face" in err and err.count("\n") == 1
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"not an image")
    code = main(["face", "verify", "--reference", str(bad), "--probe", str(faces_dir / "fr_ex_obama.jpg")])
    _out, err = capsys.readouterr()
    assert code == 2 and "not a readable image" in err and err.count("\n") == 1
    code = main(["face", "verify", "--reference", str(tmp_path / "missing.jpg"), "--probe", str(bad)])
    assert code == 2 and capsys.readouterr().err.count("\n") == 1


def test_threshold_comes_from_the_config_file(capsys, faces_dir, tmp_path):
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text("[face]\nthreshold = 0.2\n")
    code = main(["face", "verify", "--reference", str(faces_dir / GENUINE[0][0]), "--probe",
                 str(faces_dir / GENUINE[0][1]), "--json", "--config", str(cfg)])
    result = json.loads(capsys.readouterr().out)
    assert code == 0 and result["threshold"] == 0.2 and result["match"] is False


def test_console_entry_point_and_lazy_imports(faces_dir):
    """The real `kiosk` process; and importing the face code does not load dlib or OpenCV (idle RSS)."""
    proc = subprocess.run([sys.executable, "-m", "kiosk", "face", "verify", "--reference",
                           str(faces_dir / GENUINE[0][0]), "--probe", str(faces_dir / GENUINE[0][1]), "--json"],
                          capture_output=True, text=True, cwd=REPO, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["match"] is True
    probe = ("import sys, kiosk.cli, kiosk.devices.face.dlib_verifier, kiosk.devices.camera.opencv, "
             "kiosk.devices.face.calibrate; kiosk.cli.build_parser(); "
             "print(sorted(m for m in ('dlib', 'cv2', 'face_recognition') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert out.stdout.strip() == "[]", out.stderr
