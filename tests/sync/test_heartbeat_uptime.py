"""The heartbeat's uptimes: the host's from /proc/uptime (proc(5)), the shell's from its health file; a kiosk
older than these fields is still accepted (contract.heartbeat: both optional). And the software versions the
installer rolled back, which the district latches."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from contract.heartbeat import Heartbeat
from district import latched_alerts
from district.models import HeartbeatRow
from kiosk.terminal.device_health import SHELL_UPTIME_KEY as SHELL_WRITES
from kiosk.update.installer import UpdateState
from sync.daemon import SyncDaemon
from sync.uptime import SHELL_UPTIME_KEY, host_uptime_s, split_shell_uptime


def test_host_uptime_is_the_first_number_of_proc_uptime(tmp_path):
    sample = tmp_path / "uptime"
    sample.write_text("350735.47 234388.90\n")  # proc(5)'s example: uptime, then idle time
    assert host_uptime_s(sample) == 350735.5
    for damaged in ("", "abc 1.0\n", "-5.0 1.0\n", "nan 1.0\n"):
        sample.write_text(damaged)
        assert host_uptime_s(sample) is None, damaged
    assert host_uptime_s(tmp_path / "absent") is None


def test_the_shell_uptime_leaves_the_device_states_for_its_own_field():
    assert SHELL_UPTIME_KEY == SHELL_WRITES and SHELL_UPTIME_KEY in Heartbeat.model_fields
    devices, uptime = split_shell_uptime({"reader": "IDLE", SHELL_UPTIME_KEY: 3725.46})
    assert devices == {"reader": "IDLE"} and uptime == 3725.5
    assert split_shell_uptime({"reader": "IDLE"}) == ({"reader": "IDLE"}, None), "a shell older than the field"
    assert split_shell_uptime({SHELL_UPTIME_KEY: "soon"})[1] is None
    assert split_shell_uptime({SHELL_UPTIME_KEY: True})[1] is None


def test_the_daemon_sends_both_uptimes_and_rolled_back_versions_to_the_district(district_sqlite, kiosk_factory,
                                                                                 null_log, tmp_path):
    k = kiosk_factory("UP", district_sqlite.url)
    (k.data / "devices.json").write_text(json.dumps({"reader": "IDLE", "printer": "IDLE",
                                                     SHELL_UPTIME_KEY: 3725.0}))
    releases = tmp_path / "releases"
    releases.mkdir()
    UpdateState(releases).write(phase="rolled-back", refused=["1.4.0"])  # as the installer leaves a failed gate
    config = dataclasses.replace(k.config, updates=dataclasses.replace(k.config.updates, releases=releases))
    daemon = SyncDaemon(config, k.engine, null_log)
    daemon.ensure_enrolled()
    assert daemon.heartbeat() and daemon.heartbeat()
    with Session(district_sqlite.engine) as s:
        body = s.scalar(select(HeartbeatRow.body).where(HeartbeatRow.kiosk == "UP"))
    assert body["shell_uptime_s"] == 3725.0 and SHELL_UPTIME_KEY not in body["devices"]
    assert body["software_refused"] == ["1.4.0"]
    assert [(a["kind"], a["params"]) for a in latched_alerts.open_by_kiosk(district_sqlite.engine)["UP"]] == [
        ("software-rolled-back", {"version": "1.4.0"})]
    proc = Path("/proc/uptime")
    if proc.exists():  # Linux: the same figure `uptime` prints, give or take the seconds this test took
        assert abs(body["host_uptime_s"] - float(proc.read_text().split()[0])) < 60
