"""Updates without bricking: real version folders unpacked from packages, a real symlink switch, real processes
started through a real notify socket. A deliberately broken build (never sends READY=1, or dies at start) is
rolled back to the previous version by itself; a good one is kept with the previous one beside it."""

from __future__ import annotations

import io
import json
import os
import sys
import tarfile
from pathlib import Path

import pytest

from contract.eventlog import EventLog
from kiosk.update.installer import UpdateState, install, recover
from kiosk.update.ready_gate import NotifySocketGate, parse_unit_state
from kiosk.update.releases import MANIFEST, Releases

GOOD = """import os, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
time.sleep(0.2)  # start-up work before the attract screen
s.sendto(b"STATUS=attract screen shown\\nREADY=1\\n", os.environ["NOTIFY_SOCKET"])
open(os.path.join(os.path.dirname(__file__), "..", "started"), "a").write(f"{os.getpid()}\\n")
time.sleep(3600)
"""
HANGS = """import os, socket, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b"STATUS=starting\\n", os.environ["NOTIFY_SOCKET"])  # talks to the manager, never says READY=1
time.sleep(3600)
"""
CRASHES = "import sys\nsys.exit('ImportError: the new build misses a module')\n"


def package(folder: Path, version: str, entry: str, extra: dict[str, str] | None = None) -> Path:
    """A release package as the build makes one: the version folder's files and its manifest, gzip'd tar."""
    path = folder / f"kiosk-{version}.tar.gz"
    files = {MANIFEST: json.dumps({"version": version, "built_at": "2026-11-29T20:00:00+00:00"}),
             "bin/kiosk-shell": entry, **(extra or {})}
    with tarfile.open(path, "w:gz") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o755
            tar.addfile(info, io.BytesIO(data))
    return path


@pytest.fixture()
def world(tmp_path: Path):
    releases = Releases(tmp_path / "kiosk-releases", tmp_path / "opt-kiosk")
    gates: list[NotifySocketGate] = []
    stream = io.StringIO()

    def gate_for(_release):
        # Started through the live symlink, exactly as the unit's ExecStart names /opt/kiosk/...
        gate = NotifySocketGate([sys.executable, str(releases.live / "bin" / "kiosk-shell")])
        for running in gates:  # the manager stops the old process before starting the new one
            running.stop()
        gates.append(gate)
        return gate

    yield releases, gate_for, gates, EventLog(stream=stream), stream
    for gate in gates:
        gate.stop()


def _events(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.mark.parametrize("broken", [HANGS, CRASHES], ids=["never-ready", "crashes-at-start"])
def test_a_broken_build_is_rolled_back_to_the_previous_version_by_itself(tmp_path, world, broken):
    releases, gate_for, gates, log, stream = world
    first = install(releases, package(tmp_path, "1.4.0", GOOD), gate_for, 10.0, log)
    assert first.outcome == "confirmed" and releases.current().version == "1.4.0"
    bad = install(releases, package(tmp_path, "1.5.0", broken), gate_for, 3.0, log)
    assert bad.outcome == "rolled-back" and bad.live == "1.4.0"
    assert releases.current().version == "1.4.0"  # the live symlink points at the old version again
    assert os.readlink(releases.live) == str(releases.versions / "1.4.0")
    assert (releases.versions / "1.5.0").is_dir()  # kept for the technician to look at
    broken_gate = gates[1]
    assert broken_gate.process.poll() is not None, "the broken build's process is stopped"
    assert gates[2].process.poll() is None, "the previous version runs again"
    state = UpdateState(releases.root).read()
    assert state["phase"] == "rolled-back" and state["refused"] == ["1.5.0"]
    events = [e["event"] for e in _events(stream)]
    assert events == ["update-installed", "update-confirmed", "update-installed", "update-rolled-back"]
    again = install(releases, package(tmp_path, "1.5.0", broken), gate_for, 3.0, log)
    assert again.outcome == "refused" and releases.current().version == "1.4.0"  # not offered twice


def test_a_good_build_is_kept_with_the_previous_version_beside_it(tmp_path, world):
    releases, gate_for, gates, log, stream = world
    install(releases, package(tmp_path, "1.4.0", GOOD), gate_for, 10.0, log)
    ok = install(releases, package(tmp_path, "1.5.0", GOOD), gate_for, 10.0, log)
    assert ok.outcome == "confirmed" and ok.gate["ready"] and ok.gate["waited_s"] >= 0.2
    assert releases.current().version == "1.5.0" and releases.previous().version == "1.4.0"
    assert gates[0].process.poll() is not None and gates[1].process.poll() is None
    assert install(releases, package(tmp_path, "1.5.0", GOOD), gate_for, 10.0, log).outcome == "current"
    install(releases, package(tmp_path, "1.6.0", GOOD), gate_for, 10.0, log)
    assert releases.prune(set()) == ["1.4.0"]  # live 1.6.0 and previous 1.5.0 stay


def test_a_power_cut_during_the_trial_restores_the_previous_version_at_boot(tmp_path, world):
    releases, gate_for, _gates, log, stream = world
    install(releases, package(tmp_path, "1.4.0", GOOD), gate_for, 10.0, log)
    new = releases.unpack(package(tmp_path, "1.5.0", GOOD))
    UpdateState(releases.root).write(phase="trial", version="1.5.0", previous="1.4.0")
    releases.switch_to(new)  # ... and the power goes before READY=1
    assert recover(releases, log) == "1.4.0"
    assert releases.current().version == "1.4.0"
    assert recover(releases, log) is None  # nothing left to recover


@pytest.mark.parametrize("member", ["../escape", "/etc/evil"])
def test_a_package_writing_outside_its_folder_is_refused_and_nothing_changes(tmp_path, world, member):
    releases, gate_for, _gates, log, stream = world
    install(releases, package(tmp_path, "1.4.0", GOOD), gate_for, 10.0, log)
    evil = package(tmp_path, "1.5.0", GOOD, {member: "x"})
    outcome = install(releases, evil, gate_for, 10.0, log)
    assert outcome.outcome == "refused" and "outside the version folder" in outcome.detail
    assert releases.current().version == "1.4.0" and not (releases.versions / "1.5.0").exists()
    assert not (tmp_path / "escape").exists()


def test_a_package_without_manifest_or_not_a_package_is_refused(tmp_path, world):
    releases, gate_for, _gates, log, _stream = world
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not a tar")
    assert install(releases, junk, gate_for, 1.0, log).outcome == "refused"
    path = tmp_path / "nomanifest.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        info = tarfile.TarInfo("bin/kiosk-shell")
        tar.addfile(info, io.BytesIO(b""))
    outcome = install(releases, path, gate_for, 1.0, log)
    assert outcome.outcome == "refused" and MANIFEST in outcome.detail
    assert not releases.versions.exists() or not [p for p in releases.versions.iterdir()]


def test_systemd_unit_state_parsing():
    state = parse_unit_state("ActiveState=activating\nSubState=auto-restart\nResult=exit-code\n")
    assert state == {"ActiveState": "activating", "SubState": "auto-restart", "Result": "exit-code"}


def test_a_package_tarred_as_the_build_script_does_unpacks_and_passes_the_districts_check(tmp_path, world):
    import subprocess

    from district.software_cli import check_package

    releases, gate_for, _gates, log, _stream = world
    stage = tmp_path / "stage"
    (stage / "bin").mkdir(parents=True)
    (stage / "bin" / "kiosk-shell").write_text(GOOD)
    (stage / ".venv" / "bin").mkdir(parents=True)
    (stage / ".venv" / "bin" / "python").symlink_to("/usr/bin/python3")  # as venv makes it
    (stage / ".venv" / "lib64").symlink_to("lib")
    (stage / MANIFEST).write_text(json.dumps({"version": "3.0.0", "built_at": "2026-11-29T20:00:00+00:00"}))
    out = tmp_path / "kiosk-3.0.0.tar.gz"
    subprocess.run(["tar", "-C", str(stage), "-czf", str(out), "--owner=0", "--group=0", "."], check=True)
    assert check_package(str(out), "3.0.0") == ""
    assert install(releases, out, gate_for, 10.0, log).outcome == "confirmed"
    assert (releases.live / ".venv" / "bin" / "python").resolve() == Path("/usr/bin/python3").resolve()
