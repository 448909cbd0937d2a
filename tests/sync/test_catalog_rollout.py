"""Catalog publishing in stages on the real stack (issue 12 point 3): a district on loopback with its database and
TUF repository, `kiosk-district` commands as child processes, and two kiosks whose sync daemons run their loops
(heartbeats, TUF refresh, apply). The canary applies a staged version while the other kiosk stays on its own;
promote; rollback republishes older content as a higher version (TUF clients refuse lower ones); a canary that
refuses a staged catalog halts the rollout by itself; a halted version stays on the kiosks that applied it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from contract.catalog.modules import fleet_modules
from district import latched_alerts
from district.tuf_repository import OperatorKeys, TufRepository
from sync.daemon import SyncDaemon
from tests.sync.district_process import REPO
from tests.sync.test_catalog import catalog_bytes, kiosk, repo  # noqa: F401 - fixtures
from tests.sync.test_catalog_checks import with_module

ENV = {**os.environ, "PYTHONPATH": str(REPO)}
ENV.pop("KIOSK_DISTRICT_MODULES", None)
WAIT_S = 60.0  # generous: the machine is shared; a kiosk normally applies within a heartbeat or two


class Fleet:
    """The district's database and keys, and running daemons by kiosk name."""

    def __init__(self, district, keys: Path, tmp_path: Path) -> None:
        self.district = district
        self.db = str(district.engine.url)
        self.keys = keys
        self.tmp = tmp_path
        self.daemons: dict[str, tuple[object, SyncDaemon, threading.Event, threading.Thread]] = {}

    def cli(self, *args: str, keys: bool = False, check: bool = True) -> subprocess.CompletedProcess:
        cmd = [sys.executable, "-m", "district.cli", *args, "--db", self.db, *(["--keys", str(self.keys)] if keys
                                                                               else [])]
        done = subprocess.run(cmd, env=ENV, cwd=REPO, capture_output=True, text=True, timeout=180)
        if check:
            assert done.returncode == 0, f"{args}: {done.stderr}"
        return done

    def file(self, data: bytes) -> str:
        path = self.tmp / f"catalog-upload-{len(list(self.tmp.glob('catalog-upload-*.json')))}.json"
        path.write_bytes(data)
        return str(path)

    def running(self, name: str) -> bytes | None:
        current = self.daemons[name][0].data / "catalog" / "current.json"
        return current.read_bytes() if current.exists() else None

    def version(self, name: str) -> int | None:
        data = self.running(name)
        return json.loads(data)["version"] if data else None

    def wait_version(self, name: str, version: int) -> None:
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline and self.version(name) != version:
            time.sleep(0.1)
        assert self.version(name) == version, f"{name} runs {self.version(name)}, not {version}"

    def status(self) -> dict:
        return json.loads(self.cli("catalog", "status", "--json").stdout)

    def wait_status(self, check, what: str) -> dict:
        deadline = time.monotonic() + WAIT_S
        state = self.status()
        while time.monotonic() < deadline and not check(state):
            time.sleep(0.5)
            state = self.status()
        assert check(state), f"{what}: {json.dumps(state)[:2000]}"
        return state

    def heartbeats_after(self, name: str, moment: float, count: int = 3) -> None:
        """Wait until `name` sent `count` heartbeats after `moment` (so it heard every offer there is)."""
        from sqlalchemy.orm import Session

        from district.models import HeartbeatRow

        interval = 0.3
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            with Session(self.district.engine) as s:
                row = s.get(HeartbeatRow, name)
                if row is not None and row.received_at > moment + count * interval:
                    return
            time.sleep(0.1)
        raise AssertionError(f"{name} sent no heartbeat after {moment}")


@pytest.fixture
def fleet(district_sqlite, kiosk_factory, null_log, tmp_path):
    keys = OperatorKeys(tmp_path / "keys")
    keys.create_missing()
    TufRepository(district_sqlite.engine).initialise(keys)
    made = Fleet(district_sqlite, keys.folder, tmp_path)
    for name in ("K-CANARY", "K-OTHER"):
        k = kiosk_factory(name, district_sqlite.url, heartbeat_s=0.3, catalog_poll_s=2.0)
        # The kiosks run the built-in modules only: a catalog naming a department module is refused here.
        daemon = SyncDaemon(k.config, k.engine, null_log, known_modules=fleet_modules())
        daemon.ensure_enrolled()
        stop = threading.Event()
        thread = threading.Thread(target=daemon.run, args=(stop,), daemon=True)
        made.daemons[name] = (k, daemon, stop, thread)
    for _k, _daemon, _stop, thread in made.daemons.values():
        thread.start()
    yield made
    for _k, _daemon, stop, _thread in made.daemons.values():
        stop.set()
    for _k, _daemon, _stop, thread in made.daemons.values():
        thread.join(timeout=15)


def test_canary_first_then_everyone_rollback_and_automatic_halt(fleet):
    fleet.cli("catalog", "publish", fleet.file(catalog_bytes(1, "Version one")), keys=True)
    fleet.wait_version("K-CANARY", 1)
    fleet.wait_version("K-OTHER", 1)
    assert json.loads(fleet.cli("kiosk", "group", "add", "canary", "K-CANARY").stdout)["added"] == ["K-CANARY"]
    refused = fleet.cli("kiosk", "group", "add", "canary", "NO-SUCH-KIOSK", check=False)
    assert refused.returncode == 1 and "NO-SUCH-KIOSK" in refused.stderr

    # Stage version 2 for the canary group: the canary applies it, the other kiosk stays on 1.
    staged_at = time.time()
    stage = fleet.cli("catalog", "stage", fleet.file(catalog_bytes(2, "Version two")), "--group", "canary",
                      keys=True)
    assert json.loads(stage.stdout)["state"] == "staged"
    fleet.wait_version("K-CANARY", 2)
    assert fleet.running("K-CANARY") == catalog_bytes(2, "Version two")
    fleet.heartbeats_after("K-OTHER", staged_at)
    assert fleet.version("K-OTHER") == 1
    state = fleet.wait_status(lambda st: st["versions"][0]["applied_by"] == ["K-CANARY"], "canary applied v2")
    assert state["versions"][0]["version"] == 2 and state["versions"][0]["audience"] == 1
    assert state["kiosks"]["K-OTHER"] == {"running": 1, "offered": 1}

    # Promote: everyone is offered 2 (no key needed: the targets key approved it when staging).
    fleet.cli("catalog", "promote", "2")
    fleet.wait_version("K-OTHER", 2)
    fleet.wait_status(lambda st: st["versions"][0]["applied"] == 2 and st["versions"][0]["state"] == "promoted",
                      "both report v2")

    # Rollback to 1: version 3 with 1's content, applied by both.
    rollback = fleet.cli("catalog", "rollback", "--to", "1", keys=True)
    assert json.loads(rollback.stdout)["catalog_version"] == 3
    for name in ("K-CANARY", "K-OTHER"):
        fleet.wait_version(name, 3)
        running = json.loads(fleet.running(name))
        one = json.loads(catalog_bytes(1, "Version one"))
        assert running["items"] == one["items"] and running["categories"] == one["categories"]

    # A staged catalog the canary refuses (it names a department module the canary lacks; the district was
    # told the fleet has it) halts the rollout by itself; the other kiosk was never offered it.
    staged_at = time.time()
    fleet.cli("catalog", "stage", fleet.file(with_module(4, "housing-fund-extract")), "--group", "canary",
              "--module", "housing-fund-extract", keys=True)
    state = fleet.wait_status(lambda st: st["versions"][0]["state"] == "halted", "automatic halt")
    halted = state["versions"][0]
    assert halted["version"] == 4 and "K-CANARY" in halted["note"] and "housing-fund-extract" in halted["note"]
    assert state["stage"] is None
    # ... and leaves an alert on the refusing kiosk that stays until an operator acknowledges it
    latched = latched_alerts.open_by_kiosk(fleet.district.engine)
    assert [(a["kind"], a["params"]["version"]) for a in latched["K-CANARY"]] == [("catalog-halted", 4)]
    assert "K-OTHER" not in latched
    fleet.heartbeats_after("K-OTHER", staged_at)
    assert fleet.version("K-CANARY") == 3 and fleet.version("K-OTHER") == 3
    assert state["kiosks"]["K-CANARY"]["offered"] == 3


def test_a_halted_version_stays_where_applied_until_a_rollback_reaches_it(fleet):
    fleet.cli("catalog", "publish", fleet.file(catalog_bytes(1, "Version one")), keys=True)
    fleet.cli("kiosk", "group", "add", "canary", "K-CANARY")
    fleet.wait_version("K-OTHER", 1)
    fleet.cli("catalog", "stage", fleet.file(catalog_bytes(2, "Version two")), "--group", "canary", keys=True)
    fleet.wait_version("K-CANARY", 2)
    halted_at = time.time()
    fleet.cli("catalog", "halt", "2", "--reason", "typo in a title")
    fleet.heartbeats_after("K-CANARY", halted_at)
    fleet.heartbeats_after("K-OTHER", halted_at)
    state = fleet.status()
    assert state["versions"][0]["state"] == "halted" and "typo in a title" in state["versions"][0]["note"]
    # The canary keeps 2 and is told so (not offered 1, which it would have to refuse), without a refusal.
    assert state["kiosks"] == {"K-CANARY": {"running": 2, "offered": 2}, "K-OTHER": {"running": 1, "offered": 1}}
    assert fleet.daemons["K-CANARY"][1].check_catalog()["refused"] is None
    text = fleet.cli("catalog", "status").stdout
    assert "v2" in text and "halted" in text and "group canary" in text and "applied 1/1" in text, text
    again = fleet.cli("catalog", "promote", "2", check=False)
    assert again.returncode == 1 and "halted" in again.stderr
    # Versions only go up: a new version must be above the halted 2 as well.
    low = fleet.cli("catalog", "publish", fleet.file(catalog_bytes(2, "Another two")), keys=True, check=False)
    assert low.returncode == 1 and "version 2" in low.stderr
    fleet.cli("catalog", "rollback", "--to", "1", keys=True)
    for name in ("K-CANARY", "K-OTHER"):
        fleet.wait_version(name, 3)
    assert json.loads(fleet.running("K-CANARY"))["items"] == json.loads(catalog_bytes(1, "Version one"))["items"]


def test_offers_follow_the_group_and_an_unsigned_offer_is_refused(district, repo, kiosk):
    """SQLite and PostgreSQL: the heartbeat answer offers the group's stage; an offer naming a target the signed
    targets metadata does not list (a compromised or confused server) is refused and nothing changes."""
    from contract.heartbeat import PublishedCatalog
    from district.catalog_rollout import publish_version
    from district.kiosk_groups import add_to_group
    from sync.catalog_updater import CatalogUpdater

    keys, repository = repo
    k, daemon = kiosk
    publish_version(repository, keys, catalog_bytes(1), fleet_modules())
    assert daemon.heartbeat() and daemon.check_catalog()["outcome"] == "applied"
    add_to_group(district.engine, "canary", ["CAT1"])
    publish_version(repository, keys, catalog_bytes(2, "Two"), fleet_modules(), group="canary")
    assert daemon.heartbeat()
    assert daemon.catalog_offer().target == "catalog-2.json"
    assert daemon.check_catalog()["outcome"] == "applied"
    assert k.data.joinpath("catalog", "current.json").read_bytes() == catalog_bytes(2, "Two")
    forged = PublishedCatalog(version=7, sha256="ab" * 32, target="catalog-7.json")
    check = CatalogUpdater(k.data, daemon.link, k.engine, fleet_modules()).check(forged)
    assert check.outcome == "refused" and "does not list" in check.reason
    assert k.data.joinpath("catalog", "current.json").read_bytes() == catalog_bytes(2, "Two")
