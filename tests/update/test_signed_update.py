"""A software package published by the district through its TUF repository reaches the kiosk like the catalog:
verified by the daemon (as the kiosk user), handed to the root installer, gated on READY=1 and rolled back when
the build is broken; tampered bytes are never handed over. Real district on loopback, real python-tuf."""

from __future__ import annotations

import dataclasses
import io
import sys

from sqlalchemy import update
from sqlalchemy.orm import Session

from contract.eventlog import EventLog
from district.models import TufTargetRow
from district.software_publishing import publish_software
from district.tuf_repository import OperatorKeys, TufRepository
from kiosk.config import UpdatesConfig
from kiosk.update.incoming import READY_FILE, verified_package
from kiosk.update.installer import install
from kiosk.update.ready_gate import NotifySocketGate
from kiosk.update.releases import Releases
from sync.daemon import SyncDaemon
from tests.update.test_installer import GOOD, HANGS, package


def test_a_signed_broken_build_is_fetched_verified_installed_and_rolled_back(tmp_path, district_sqlite,
                                                                             kiosk_factory, null_log):
    keys = OperatorKeys(tmp_path / "keys")
    keys.create_missing()
    repository = TufRepository(district_sqlite.engine)
    repository.initialise(keys)
    releases = Releases(tmp_path / "releases", tmp_path / "opt-kiosk")
    incoming = tmp_path / "updates"
    k = kiosk_factory("UPD1", district_sqlite.url)
    config = dataclasses.replace(k.config, updates=UpdatesConfig(incoming=incoming, releases=releases.root))
    daemon = SyncDaemon(config, k.engine, null_log)
    daemon.ensure_enrolled()
    assert daemon.check_software()["outcome"] == "none-published"
    gates: list[NotifySocketGate] = []

    def gate_for(_release):
        for g in gates:
            g.stop()
        gates.append(NotifySocketGate([sys.executable, str(releases.live / "bin" / "kiosk-shell")]))
        return gates[-1]

    log = EventLog(stream=io.StringIO())
    try:
        install(releases, package(tmp_path, "1.0.0", GOOD), gate_for, 10.0, log)  # what the kiosk runs now
        broken = package(tmp_path, "99.1.0", HANGS).read_bytes()
        publish_software(repository, keys, broken, "99.1.0")
        repository.publish(keys, _catalog(), 1)  # a catalog published later keeps the software target
        state = daemon.check_software()
        assert state["outcome"] == "downloaded" and state["version"] == "99.1.0", state
        version, path = verified_package(incoming)
        assert version == "99.1.0" and path.read_bytes() == broken
        outcome = install(releases, path, gate_for, 3.0, log)
        assert outcome.outcome == "rolled-back" and releases.current().version == "1.0.0"
        (incoming / READY_FILE).unlink()
        state = daemon.check_software()  # still published, but it failed here: not fetched again
        assert state["outcome"] == "refused" and "health gate" in state["reason"]
        assert not (incoming / READY_FILE).exists()
    finally:
        for g in gates:
            g.stop()


def test_tampered_package_bytes_are_refused_and_never_handed_over(tmp_path, district_sqlite, kiosk_factory,
                                                                  null_log):
    keys = OperatorKeys(tmp_path / "keys")
    keys.create_missing()
    repository = TufRepository(district_sqlite.engine)
    repository.initialise(keys)
    incoming = tmp_path / "updates"
    k = kiosk_factory("UPD2", district_sqlite.url)
    daemon = SyncDaemon(dataclasses.replace(k.config, updates=UpdatesConfig(incoming=incoming)), k.engine, null_log)
    daemon.ensure_enrolled()
    published = publish_software(repository, keys, package(tmp_path, "99.2.0", GOOD).read_bytes(), "99.2.0")
    with Session(district_sqlite.engine) as s, s.begin():
        s.execute(update(TufTargetRow).where(TufTargetRow.sha256 == published.sha256)
                  .values(body=package(tmp_path, "99.2.0", HANGS).read_bytes()))
    state = daemon.check_software()
    assert state["outcome"] == "refused" and "Mismatch" in state["reason"], state
    assert verified_package(incoming) is None and not (incoming / READY_FILE).exists()
    # and a file changed after verification (by the kiosk user) is not installed by root
    repository2 = publish_software(repository, keys, package(tmp_path, "99.3.0", GOOD).read_bytes(), "99.3.0")
    assert repository2.sha256
    assert daemon.check_software()["outcome"] == "downloaded"
    version, path = verified_package(incoming)
    path.write_bytes(path.read_bytes() + b"\0")
    assert verified_package(incoming) is None


def _catalog() -> bytes:
    from tests.sync.test_catalog import catalog_bytes

    return catalog_bytes(1)


def test_the_district_cli_signs_only_well_formed_packages_with_rising_versions(tmp_path):
    import json
    import subprocess

    from tests.sync.district_process import REPO

    db, keys = f"sqlite:///{tmp_path / 'd.db'}", str(tmp_path / "keys")

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "district.cli", *args, "--db", db, "--keys", keys], cwd=REPO,
                              capture_output=True, text=True, timeout=120)

    assert cli("catalog", "init").returncode == 0
    good = package(tmp_path, "2.0.0", GOOD)
    done = cli("software", "publish", str(good), "--version", "2.0.0")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["software_version"] == "2.0.0"
    mislabelled = cli("software", "publish", str(good), "--version", "2.1.0")
    assert mislabelled.returncode == 2 and "names version '2.0.0'" in mislabelled.stderr
    older = cli("software", "publish", str(package(tmp_path, "1.9.9", GOOD)), "--version", "1.9.9")
    assert older.returncode == 1 and "not higher" in older.stderr
    evil = cli("software", "publish", str(package(tmp_path, "2.2.0", GOOD, {"../x": "y"})), "--version", "2.2.0")
    assert evil.returncode == 2 and "outside the version folder" in evil.stderr
