"""`kiosk config check --probe`: a configuration whose devices or district do not answer is refused, one line per
problem naming the key to fix; the static check alone passes the same file (it only reads it)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.diagnostics.cli import REPO, write_config
from tests.sync.conftest import make_settings
from tests.sync.district_process import ThreadedDistrict, free_port


def check(config: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk", "config", "check", str(config), *extra], cwd=REPO,
                          capture_output=True, text=True, timeout=180)


def test_probe_names_the_key_of_every_device_that_does_not_answer(tmp_path: Path):
    port = free_port()  # nothing listens there
    config = write_config(tmp_path / "kiosk.toml", tmp_path / "data",
                          terminal={"district_url": f"http://127.0.0.1:{port}", "demo": True},
                          devices={"printer": "cups", "receipt_printer": "escpos"},
                          printer={"cups_queue": "no-such-queue", "cups_server": str(tmp_path / "no-cupsd.sock"),
                                   "escpos_host": "127.0.0.1", "escpos_port": free_port()})
    static = check(config)
    assert static.returncode == 0, static.stderr  # the file itself is fine
    probed = check(config, "--probe")
    assert probed.returncode == 2
    lines = probed.stderr.strip().splitlines()
    assert any("[terminal] district_url" in line and "NET-DISTRICT" in line for line in lines), lines
    assert any("[printer] cups_queue" in line for line in lines), lines
    assert any("[printer] escpos_host" in line for line in lines), lines
    assert not any("document_reader" in line for line in lines), lines  # the simulated reader answers


def test_probe_passes_when_everything_answers(tmp_path: Path):
    server = ThreadedDistrict(make_settings(f"sqlite:///{tmp_path / 'district.db'}", demo=True)).start()
    try:
        config = write_config(tmp_path / "kiosk.toml", tmp_path / "data",
                              terminal={"district_url": server.url, "demo": True}, ui={"voice": False})
        probed = check(config, "--probe")
    finally:
        server.stop()
    assert probed.returncode == 0, probed.stderr
    assert "devices and district answered" in probed.stdout
