"""Fleet status from heartbeat age, and the alerts that follow from a kiosk's last heartbeat (pure functions)."""

from __future__ import annotations

from district.console.fleet import (
    AMBER,
    GREEN,
    PENDING,
    RED,
    REVOKED,
    Thresholds,
    alerts_for,
    heartbeat_status,
    select_rows,
)

LIMITS = Thresholds(threshold_s=30.0, grace_s=90.0)


def test_green_up_to_the_threshold_amber_through_the_grace_then_red():
    assert heartbeat_status("active", 0.0, LIMITS) == GREEN
    assert heartbeat_status("active", 30.0, LIMITS) == GREEN
    assert heartbeat_status("active", 30.1, LIMITS) == AMBER
    assert heartbeat_status("active", 120.0, LIMITS) == AMBER
    assert heartbeat_status("active", 120.1, LIMITS) == RED
    assert heartbeat_status("active", None, LIMITS) == RED, "an enrolled kiosk that never sent a heartbeat"
    assert heartbeat_status("pending", None, LIMITS) == PENDING
    assert heartbeat_status("revoked", 1.0, LIMITS) == REVOKED


def _kiosk(**kw):
    base = {"last_heartbeat_age_s": 5.0, "devices": None, "backlog": 0, "dead_letters": 0, "catalog_refusal": None,
            "catalog_expired": False, "catalog_version": 3, "help_requests_open": 0}
    return {**base, **kw}


def test_alerts_follow_the_last_heartbeat():
    assert alerts_for(_kiosk(), GREEN, 3) == []
    devices = {"reader": "IDLE", "printer": "ERROR", "camera": "none", "at": "2026-11-29T10:00:00",
               "checks": {"printer": {"status": {"health": "fault", "status_id": "PRN-PAPER-OUT"}},
                          "reader": {"status": {"health": "ok", "status_id": "RDR-OK"}}}}
    keys = [(a.key, a.params) for a in alerts_for(_kiosk(devices=devices, backlog=250, dead_letters=2,
                                                         catalog_version=2, help_requests_open=1,
                                                         last_heartbeat_age_s=50.0), AMBER, 3)]
    assert keys == [("alert.heartbeat", {"age": 50.0}), ("alert.device", {"device": "printer", "state": "ERROR"}),
                    ("alert.device", {"device": "printer", "state": "PRN-PAPER-OUT"}),
                    ("alert.backlog", {"n": 250}), ("alert.dead", {"n": 2}),
                    ("alert.catalog_behind", {"applied": 2, "published": 3}), ("alert.help", {"n": 1})]


def test_filter_and_sort():
    rows = [{"name": n, "status": s, "last_heartbeat_age_s": a, "software_version": None, "catalog_version": None,
             "backlog": b, "dead_letters": 0, "alerts": []}
            for n, s, a, b in (("hall-2", GREEN, 3.0, 7), ("hall-1", RED, 400.0, 0), ("lib-1", AMBER, 60.0, 2),
                               ("lib-2", RED, None, 0))]
    assert [r["name"] for r in select_rows(rows)] == ["lib-2", "hall-1", "lib-1", "hall-2"], "worst first"
    assert [r["name"] for r in select_rows(rows, text="LIB")] == ["lib-2", "lib-1"]
    assert [r["name"] for r in select_rows(rows, status=RED, sort="name")] == ["hall-1", "lib-2"]
    assert [r["name"] for r in select_rows(rows, sort="backlog", descending=True)][0] == "hall-2"
