"""The out-of-service conditions judged on measured values, their journal, and the heartbeat that carries them."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from contract.eventlog import EventLog, NullEventLog
from contract.heartbeat import Heartbeat
from kiosk.store.service_journal import ServiceJournal
from kiosk.terminal.out_of_service import (
    CLOCK_FLOOR,
    MIB,
    Condition,
    Finding,
    catalog_finding,
    clock_finding,
    device_findings,
    disk_finding,
    headline,
    revoked_finding,
)
from kiosk.terminal.service_guard import ConditionTracker, ServiceGuard

NOW = dt.datetime(2027, 3, 1, 12, 0, tzinfo=dt.UTC)


def test_clock_before_the_build_date_is_wrong_whatever_the_district_says():
    assert clock_finding(dt.datetime(2000, 1, 1, tzinfo=dt.UTC), None, 300).condition is Condition.CLOCK_WRONG
    assert clock_finding(dt.datetime(1970, 1, 1, tzinfo=dt.UTC), 0.0, 300) is not None
    assert clock_finding(CLOCK_FLOOR, None, 300) is None  # the floor itself is possible


@pytest.mark.parametrize(("skew", "wrong"), [(0.0, False), (299.9, False), (-300.0, False), (300.1, True),
                                             (-3600.0, True), (None, False)])
def test_clock_against_the_districts_time(skew, wrong):
    finding = clock_finding(NOW, skew, 300.0)
    assert (finding is not None) is wrong
    if finding is not None:
        assert ("behind" in finding.detail) is (skew < 0)


def test_disk_below_the_reserve_refuses_and_at_the_reserve_serves():
    assert disk_finding(64 * MIB - 1, 64 * MIB).condition is Condition.DISK_FULL
    assert disk_finding(64 * MIB, 64 * MIB) is None


def test_devices_catalog_and_revocation():
    assert [f.detail for f in device_findings("no_reader", "ready")] == ["no card reader connected"]
    assert device_findings("no_card", "paper_out") == []  # out of paper: the print step says so, not a stop
    assert len(device_findings("no_reader", "offline")) == 2
    assert device_findings(None, None) == []  # not required here
    assert catalog_finding(None, "absent").condition is Condition.CATALOG_UNUSABLE
    assert catalog_finding(0).condition is Condition.CATALOG_UNUSABLE
    assert catalog_finding(3) is None
    assert revoked_finding({"link": "revoked"}).message_key == "out_of_service.revoked"
    assert revoked_finding({"link": "offline"}) is None


def test_the_screen_leads_with_what_a_citizen_understands():
    found = [Finding(Condition.CLOCK_WRONG, "x"), Finding(Condition.DEVICE_MISSING, "y")]
    assert headline(found).condition is Condition.DEVICE_MISSING
    assert headline([]) is None


def _guard(tmp_path: Path, log: EventLog, state: dict) -> ServiceGuard:
    return ServiceGuard(tmp_path, log, 10 * MIB, 300.0, reader_state=lambda: state["reader"],
                        printer_state=lambda: "ready", catalog_items=lambda: 5, wall_clock=lambda: NOW,
                        free=lambda _p: state["free"])


def test_each_change_is_logged_once_and_journalled_with_a_sequence(tmp_path: Path):
    import io

    stream = io.StringIO()
    state = {"reader": "no_card", "free": 100 * MIB}
    guard = _guard(tmp_path, EventLog(stream=stream), state)
    assert guard.evaluate({}) == []
    state["reader"] = "no_reader"
    guard.evaluate({})
    guard.evaluate({})  # still missing: no second event
    state["free"] = 1 * MIB
    assert guard.refuse_start().condition is Condition.DEVICE_MISSING  # disk measured afresh at Start too
    assert {f.condition for f in guard.findings} == {Condition.DEVICE_MISSING, Condition.DISK_FULL}
    state["reader"], state["free"] = "no_card", 100 * MIB
    assert guard.evaluate({"link": "online"}) == []
    events = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [(e["event"], e["condition"]) for e in events] == [
        ("service-condition-raised", "device-missing"), ("service-condition-raised", "disk-full"),
        ("service-condition-cleared", "device-missing"), ("service-condition-cleared", "disk-full")]
    body = ServiceJournal(tmp_path).read()
    assert body["conditions"] == [] and body["seq"] == 4
    assert [(e["seq"], e["condition"], e["change"]) for e in body["events"]] == [
        (1, "device-missing", "raised"), (2, "disk-full", "raised"), (3, "device-missing", "cleared"),
        (4, "disk-full", "cleared")]
    for event in body["events"]:  # what the heartbeat will carry validates against the contract
        Heartbeat(service_events=[event])


def test_a_condition_holding_at_the_last_run_is_cleared_after_a_restart(tmp_path: Path):
    state = {"reader": "no_reader", "free": 100 * MIB}
    _guard(tmp_path, NullEventLog(), state).evaluate({})
    state["reader"] = "no_card"  # fixed while the terminal was down
    again = _guard(tmp_path, NullEventLog(), state)
    assert [f.condition for f in again.findings] == [Condition.DEVICE_MISSING]  # as the journal left it
    again.evaluate({})
    body = ServiceJournal(tmp_path).read()
    assert body["conditions"] == [] and body["events"][-1]["change"] == "cleared" and body["seq"] == 2


def test_start_up_and_live_trackers_clear_only_their_own(tmp_path: Path):
    journal = ServiceJournal(tmp_path)
    startup = ConditionTracker(journal, NullEventLog(), {Condition.DATABASE_CORRUPT})
    startup.update([Finding(Condition.DATABASE_CORRUPT, "bad page")])
    live = ConditionTracker(journal, NullEventLog(), {Condition.DISK_FULL})
    assert live.findings == []  # a start-up condition is never taken over by the live guard
    assert live.update([]) == []
    startup.update([])
    assert [e["change"] for e in journal.read()["events"]] == ["raised", "cleared"]


def test_a_damaged_journal_reads_as_empty(tmp_path: Path):
    path = tmp_path / "service" / "conditions.json"
    path.parent.mkdir()
    path.write_text("{not json", encoding="utf-8")
    assert ServiceJournal(tmp_path).read()["events"] == []
    ConditionTracker(ServiceJournal(tmp_path), NullEventLog(), {Condition.DISK_FULL}).update(
        [Finding(Condition.DISK_FULL, "1 MiB")])
    assert ServiceJournal(tmp_path).read()["seq"] == 1


def test_the_clock_floor_rises_with_the_installed_releases_build_date(tmp_path: Path):
    from kiosk.terminal.out_of_service import release_floor

    assert release_floor(tmp_path) == CLOCK_FLOOR  # a checkout without a release manifest
    (tmp_path / "kiosk-release.json").write_text(json.dumps({"version": "2.0.0",
                                                             "built_at": "2027-06-01T00:00:00+00:00"}))
    floor = release_floor(tmp_path)
    assert floor == dt.datetime(2027, 6, 1, tzinfo=dt.UTC)
    assert clock_finding(dt.datetime(2027, 5, 31, tzinfo=dt.UTC), 0.0, 300, floor).condition is Condition.CLOCK_WRONG
    (tmp_path / "kiosk-release.json").write_text("{broken")
    assert release_floor(tmp_path) == CLOCK_FLOOR


def test_the_shell_and_the_sync_daemon_record_the_database_condition_once_whoever_notices_first(tmp_path: Path):
    # The shell's start-up tracker and the daemon (sync.database_guard, which writes the condition by its value)
    # share the journal: a change the other one recorded already is not recorded again.
    shell = ConditionTracker(ServiceJournal(tmp_path), NullEventLog(), {Condition.DATABASE_CORRUPT})
    shell.update([Finding(Condition.DATABASE_CORRUPT, "bad page")])
    daemon = ServiceJournal(tmp_path)
    assert not daemon.set_condition(Condition.DATABASE_CORRUPT.value, "bad page", holding=True)
    assert daemon.set_condition(Condition.DATABASE_CORRUPT.value, "passes again", holding=False)  # daemon first
    shell.update([])  # the shell's retry finds it repaired too
    live = ConditionTracker(ServiceJournal(tmp_path), NullEventLog(), {Condition.DISK_FULL})
    live.update([Finding(Condition.DISK_FULL, "1 MiB")])
    assert daemon.set_condition(Condition.DATABASE_CORRUPT.value, "bad again", holding=True)
    live.update([])  # the live guard's write keeps the daemon's condition listed
    body = ServiceJournal(tmp_path).read()
    assert [c["condition"] for c in body["conditions"]] == ["database-corrupt"]
    assert [(e["seq"], e["condition"], e["change"]) for e in body["events"]] == [
        (1, "database-corrupt", "raised"), (2, "database-corrupt", "cleared"), (3, "disk-full", "raised"),
        (4, "database-corrupt", "raised"), (5, "disk-full", "cleared")]
