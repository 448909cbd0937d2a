"""The kiosk's own resources: a full and a nearly full data disk (real tmpfs mounts), the clock skew the sync
daemon measured, and the district down or answering."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.diagnostics.cli import diagnostics, write_config
from tests.sync.conftest import make_settings
from tests.sync.district_process import ThreadedDistrict, free_port


def run(tmp_path: Path, device: str, data: Path | None = None, **sections):
    config = write_config(tmp_path / "kiosk.toml", data or tmp_path / "data", **sections)
    result = diagnostics("run", "--device", device, "--config", str(config), "--json")
    return result.code, result.device(device), result.stderr


@pytest.fixture()
def tmpfs(tmp_path: Path):
    """Mount a tmpfs of the given size (MiB) at a fresh folder; unmounted at teardown."""
    if os.geteuid() != 0:
        pytest.fail("mounting a tmpfs needs root (the suite runs as root in CI)")
    mounts: list[Path] = []

    def mount(size_mib: int) -> Path:
        point = tmp_path / f"tmpfs{len(mounts)}"
        point.mkdir()
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mib}m", "tmpfs", str(point)], check=True)
        mounts.append(point)
        return point

    yield mount
    for point in mounts:
        subprocess.run(["umount", str(point)], check=False)


def test_full_data_disk_fails_and_the_run_is_still_reported(tmp_path: Path, tmpfs):
    data = tmpfs(8)
    (data / "kiosk").mkdir()
    subprocess.run(["dd", "if=/dev/zero", f"of={data / 'filler'}", "bs=1M", "count=16"], capture_output=True)
    code, line, stderr = run(tmp_path, "disk", data / "kiosk")
    assert code == 2
    assert (line["status_id"], line["health"]) == ("DISK-FULL", "fail")
    assert "No space left on device" in line["text"] and line["facts"]["free_bytes"] < 64 * 1024 * 1024
    assert "maintenance centre" in line["fix_en"]
    # The database cannot be written on a full disk: the technician is told, the check still printed.
    assert "not recorded" in stderr or "database unavailable" in stderr


def test_small_data_disk_warns(tmp_path: Path, tmpfs):
    data = tmpfs(200)
    code, line, _ = run(tmp_path, "disk", data)
    assert code == 1 and line["status_id"] == "DISK-LOW" and "MiB free" in line["text"]


@pytest.mark.parametrize(("skew", "status_id", "code"), [(1.2, "CLK-OK", 0), (-45.0, "CLK-SKEW", 1),
                                                          (400.0, "CLK-SKEW-SEVERE", 2)])
def test_clock_skew_from_the_sync_daemons_status_file(tmp_path: Path, skew: float, status_id: str, code: int):
    data = tmp_path / "data"
    (data / "sync").mkdir(parents=True)
    (data / "sync" / "status.json").write_text(json.dumps({"clock_skew_s": skew, "written_at": "2026-01-01"}))
    got, line, _ = run(tmp_path, "clock", data)
    assert (got, line["status_id"], line["facts"]["clock_skew_s"]) == (code, status_id, skew)
    assert ("behind" if skew < 0 else "ahead of") in line["text"]


def test_clock_not_measured_yet_is_not_a_fault(tmp_path: Path):
    code, line, _ = run(tmp_path, "clock")
    assert code == 0 and line["status_id"] == "CLK-NOT-MEASURED" and line["power"] == "UNKNOWN"


def test_district_down_warns_and_clears_itself(tmp_path: Path):
    port = free_port()
    code, line, _ = run(tmp_path, "district", terminal={"district_url": f"http://127.0.0.1:{port}"})
    assert code == 1
    assert (line["status_id"], line["recovery"], line["power"]) == ("NET-DISTRICT-DOWN", "self", "OFFLINE")
    assert f"127.0.0.1:{port}" in line["text"]


def test_district_up(tmp_path: Path):
    server = ThreadedDistrict(make_settings(f"sqlite:///{tmp_path / 'district.db'}", demo=True)).start()
    try:
        code, line, _ = run(tmp_path, "district", terminal={"district_url": server.url})
    finally:
        server.stop()
    assert code == 0 and line["status_id"] == "NET-DISTRICT-OK" and line["facts"]["http_status"] == 200
