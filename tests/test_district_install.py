"""A district installs and runs its server from `.[district]` alone: no Qt, no OpenCV, no dlib, no PC/SC, no CUPS.

Builds a fresh virtual environment from this repository with the district extra only (uv, from its cache or the
package registry), starts `kiosk-district serve` in it and asks for its health.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TERMINAL_ONLY = ("PySide6", "dlib", "cv2", "smartcard", "face_recognition", "cups", "escpos", "numpy")


def _uv() -> str:
    found = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if found is None:
        pytest.fail("uv is not installed (scripts/bootstrap.sh installs it into .venv)")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def district_venv(tmp_path_factory) -> Path:
    venv = tmp_path_factory.mktemp("district-venv") / "venv"
    uv = _uv()
    env = {**os.environ, "UV_NO_PROGRESS": "1"}
    subprocess.run([uv, "venv", "-q", "--python", sys.executable, str(venv)], check=True, env=env)
    # A copy of the source: the build must not write into the working tree (egg-info, build/).
    src = tmp_path_factory.mktemp("src")
    shutil.copytree(REPO, src / "repo", ignore=shutil.ignore_patterns(".venv", ".git", ".demo", "*.egg-info",
                                                                      "__pycache__", "build", "data"))
    subprocess.run([uv, "pip", "install", "-q", "--python", str(venv / "bin" / "python"),
                    f"{src / 'repo'}[district]"], check=True, env=env, timeout=600)
    return venv


def test_the_district_extra_installs_none_of_the_terminal_stack(district_venv):
    probe = ("import importlib.util, json\n"
             f"print(json.dumps({{m: importlib.util.find_spec(m) is not None for m in {TERMINAL_ONLY!r}}}))")
    out = subprocess.run([str(district_venv / "bin" / "python"), "-c", probe], capture_output=True, text=True,
                         check=True, cwd="/")
    import json

    present = json.loads(out.stdout)
    assert not any(present.values()), present
    for module in ("PySide6", "dlib", "cv2", "smartcard"):
        failed = subprocess.run([str(district_venv / "bin" / "python"), "-c", f"import {module}"], cwd="/",
                                capture_output=True)
        assert failed.returncode != 0, f"import {module} worked in the district's venv"


def test_the_district_serves_from_its_own_venv(district_venv, tmp_path):
    cli = district_venv / "bin" / "kiosk-district"
    help_text = subprocess.run([str(cli), "serve", "--help"], capture_output=True, text=True, cwd="/")
    assert help_text.returncode == 0, help_text.stderr
    assert "--db" in help_text.stdout
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["XDG_DATA_HOME"] = str(tmp_path / "xdg")
    proc = subprocess.Popen([str(cli), "serve", "--port", str(port), "--db", f"sqlite:///{tmp_path / 'd.db'}",
                             "--keys", str(tmp_path / "keys")], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=1) as answer:
                    assert answer.status == 200
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
                    pytest.fail(f"kiosk-district serve did not come up (rc {proc.poll()}):\n{out[-3000:]}")
                time.sleep(0.2)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
