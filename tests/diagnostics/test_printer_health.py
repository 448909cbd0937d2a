"""The A4 printer's health through a private cupsd: missing queue, paused, held job, media-empty, a backend that
fails, and a test page followed to completion. States come from CUPS's own IPP attributes (RFC 8011 reasons)."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from kiosk.devices.printer.cups import configure_queue
from tests.diagnostics.cli import REPO, diagnostics, write_config
from tests.printing.cupsd import PrivateCupsd, SocketListener, free_port

pytestmark = pytest.mark.cups

FAILING_BACKEND = """#!/bin/sh
# Test backend: a printer whose interface breaks on every job (CUPS_BACKEND_FAILED = 1).
[ $# -eq 0 ] && exit 0
cat > /dev/null
echo "ERROR: printer interface failure" >&2
exit 1
"""


def printer(config: Path, level: str = "internal", *extra: str):
    result = diagnostics("run", "--device", "printer", "--level", level, "--config", str(config), "--json", *extra)
    return result.code, result.device("printer")


def cups_config(tmp_path: Path, queue: str) -> Path:
    return write_config(tmp_path / "kiosk.toml", tmp_path / "data", devices={"printer": "cups"},
                        printer={"cups_queue": queue, "job_timeout_s": 30.0})


@pytest.fixture()
def socket_queue(cupsd: PrivateCupsd):
    listener = SocketListener()
    queue = f"diag-raw-{listener.port}"
    configure_queue(queue, f"socket://127.0.0.1:{listener.port}/?contimeout=3", env=cupsd.env)
    yield queue, listener
    listener.close()
    cupsd.lp("lpadmin", "-x", queue)


def test_demo_configuration_pointed_at_a_missing_queue_fails_naming_it(cupsd: PrivateCupsd, tmp_path: Path):
    demo = (REPO / "assets" / "config" / "demo.toml").read_text(encoding="utf-8")
    assert 'printer = "pdf-folder"' in demo
    config = tmp_path / "demo-cups.toml"
    config.write_text(demo.replace('printer = "pdf-folder"', 'printer = "cups"')
                      + '\n[printer]\ncups_queue = "kiosk-a4-gone"\n', encoding="utf-8")
    result = diagnostics("run", "--config", str(config), "--data", str(tmp_path / "data"), "--json")
    assert result.code == 2
    line = result.device("printer")
    assert (line["health"], line["status_id"]) == ("fail", "PRN-A4-QUEUE-MISSING")
    assert "kiosk-a4-gone" in line["text"] and "cups_queue" in line["fix_en"]


def test_paused_queue(cupsd: PrivateCupsd, socket_queue, tmp_path: Path):
    queue, _ = socket_queue
    cupsd.lp("cupsdisable", queue)
    code, line = printer(cups_config(tmp_path, queue))
    assert code == 2
    assert (line["status_id"], line["health"]) == ("PRN-A4-PAUSED", "fail")
    assert "paused" in line["facts"]["reasons"] and queue in line["text"]
    assert "cupsenable" in line["fix_en"]


def test_held_job_warns(cupsd: PrivateCupsd, socket_queue, tmp_path: Path):
    queue, _ = socket_queue
    sample = tmp_path / "job.txt"
    sample.write_text("held job\n")
    cupsd.lp("lp", "-d", queue, "-H", "hold", str(sample))
    code, line = printer(cups_config(tmp_path, queue))
    assert code == 1
    assert (line["status_id"], line["health"], line["facts"]["held_jobs"]) == ("PRN-A4-JOBS-HELD", "warn", 1)
    cupsd.lp("cancel", "-a", queue)


def test_media_empty_reported_by_the_backend(cupsd: PrivateCupsd, tmp_path: Path):
    queue = f"diag-paperout-{free_port()}"
    configure_queue(queue, "kiosk-paperout:/tray1", env=cupsd.env)
    try:
        sample = tmp_path / "job.txt"
        sample.write_text("no paper for this\n")
        cupsd.lp("lp", "-d", queue, str(sample))
        config = cups_config(tmp_path, queue)
        deadline = time.monotonic() + 20
        while True:
            code, line = printer(config)
            if line["status_id"] == "PRN-A4-MEDIA-EMPTY" or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert code == 2
        assert (line["status_id"], line["media"]["paper"]) == ("PRN-A4-MEDIA-EMPTY", "out")
        assert "media-empty-error" in line["facts"]["reasons"]
        assert "A4" in line["fix_en"] and "纸" in line["fix_zh"]
    finally:
        subprocess.run(["cancel", "-a", queue], env=cupsd.env, capture_output=True)
        cupsd.lp("lpadmin", "-x", queue)


def test_a_backend_that_fails_fails_the_external_check(cupsd: PrivateCupsd, tmp_path: Path):
    backend = cupsd.root / "serverbin" / "backend" / "kiosk-broken"
    backend.write_text(FAILING_BACKEND)
    os.chmod(backend, 0o755)
    queue = f"diag-broken-{free_port()}"
    configure_queue(queue, "kiosk-broken:/x", env=cupsd.env)
    try:
        config = cups_config(tmp_path, queue)
        code, line = printer(config)
        assert code == 0 and line["status_id"] == "PRN-A4-OK"  # nothing wrong until a job tries
        code, line = printer(config, "external")
        assert code == 2
        assert line["status_id"] == "PRN-A4-TEST-FAILED" and "aborted" in line["text"]
    finally:
        cupsd.lp("lpadmin", "-x", queue)


def test_external_check_prints_a_test_page_to_completion(cupsd: PrivateCupsd, socket_queue, tmp_path: Path):
    queue, listener = socket_queue
    code, line = printer(cups_config(tmp_path, queue), "external")
    assert code == 0 and line["status_id"] == "PRN-A4-TEST-PRINTED"
    (received,) = listener.wait_jobs(1)
    page = tmp_path / "page.pdf"
    page.write_bytes(received)
    text = subprocess.run(["pdftotext", str(page), "-"], capture_output=True, text=True, check=True).stdout
    assert "sc-test-07" in text and queue in text and "A4 测试页" in text
