"""Latched alerts (kept until someone acknowledges them), uptimes and satisfaction ratings on the console.

The derivation is checked on heartbeat bodies as the kiosk's own writers produce them (the technicians' event
list, the service journal's changes); the flow goes through the real signed heartbeat and batch endpoints, the
console's forms and its JSON API; the migration is run up and down on a fresh database.
"""

from __future__ import annotations

import json
import uuid

import pytest
from alembic import command
from alembic.config import Config
from fastapi.testclient import TestClient
from sqlalchemy import inspect, text

from contract.heartbeat import Heartbeat
from district import latched_alerts
from district.app import create_app
from district.console import accounts, audit
from district.console.durations import human_duration
from district.console.i18n import translator
from district.console.ratings import kiosk_ratings
from district.database import MIGRATIONS, open_engine
from district.kiosk_registry import add_kiosk
from district.latched_alerts import (
    CATALOG_HALTED,
    DEAD_LETTERS,
    PIN_LOCKOUT,
    SERVICE_CONDITION,
    SOFTWARE_ROLLED_BACK,
    occurrences,
)
from district.settings import DistrictSettings
from tests.console.conftest import PASSWORD, ROLES, log_in
from tests.sync.test_security import Client

EN, ZH = translator("en"), translator("zh")


@pytest.fixture(scope="module")
def shared_console(tmp_path_factory):
    """tests.console.conftest's `console` once for this module (its accounts cost seconds to hash): the tests
    use kiosks of their own."""
    tmp_path = tmp_path_factory.mktemp("latched-console")
    settings = DistrictSettings(db_url=f"sqlite:///{tmp_path / 'district.db'}", demo=True,
                                keys_dir=tmp_path / "keys", console_lockout_failures=3, console_lockout_s=600)
    app = create_app(settings)
    for role in ROLES:
        accounts.add_operator(app.state.engine, role, role, PASSWORD)
    clients: list[TestClient] = []

    def client() -> TestClient:
        c = TestClient(app, base_url="https://testserver", follow_redirects=False)
        clients.append(c)
        return c

    yield app, client
    for c in clients:
        c.close()
    app.state.engine.dispose()


def _technician(*events: dict) -> dict:
    # kiosk.terminal.technician_mode: devices.json carries {"technician": {"mode", "events"}}
    return {"reader": "IDLE", "technician": {"mode": "off", "events": list(events)}}


def _raised(condition: str, seq: int, change: str = "raised") -> dict:
    return {"seq": seq, "condition": condition, "change": change, "detail": "integrity_check: 3 errors",
            "at": "2026-11-29T10:00:00+08:00"}


def test_a_heartbeat_of_a_healthy_kiosk_latches_nothing():
    old_kiosk = Heartbeat.model_validate({"backlog": 0, "dead_letters": 0, "devices": {"reader": "IDLE"}})
    assert occurrences(old_kiosk) == []
    assert old_kiosk.host_uptime_s is None and old_kiosk.shell_uptime_s is None and old_kiosk.software_refused == []
    # self-clearing conditions and a refused PIN below the lockout are not latched
    beat = Heartbeat.model_validate({
        "devices": _technician({"event": "pin-rejected", "at": "2026-11-29T10:00:00+08:00", "failures": 1,
                                "retry_after_s": 0.0}),
        "service_events": [_raised("disk-full", 1), _raised("clock-wrong", 2), _raised("database-corrupt", 3,
                                                                                        "cleared")]})
    assert occurrences(beat) == []


def test_each_latched_occurrence_is_derived_once_with_its_own_key():
    beat = Heartbeat.model_validate({
        "dead_letters": 2,
        "devices": _technician({"event": "pin-rejected", "at": "2026-11-29T10:00:00+08:00", "failures": 5,
                                "retry_after_s": 30.0},
                               {"event": "pin-locked-out", "at": "2026-11-29T10:00:05+08:00", "failures": 5,
                                "retry_after_s": 25.0}),
        "service_events": [_raised("database-corrupt", 7), _raised("config-unsafe", 8)],
        "catalog_refused": {"version": 9, "reason": "module x not installed"},
        "software_refused": ["1.4.0"]})
    found = {(o.kind, o.key) for o in occurrences(beat, halted_version=9)}
    assert found == {(PIN_LOCKOUT, "pin-lockout:2026-11-29T10:00:00+08:00"),
                     (SERVICE_CONDITION, "service:database-corrupt:7:2026-11-29T10:00:00+08:00"),
                     (SERVICE_CONDITION, "service:config-unsafe:8:2026-11-29T10:00:00+08:00"),
                     (DEAD_LETTERS, "dead-letters:2"), (CATALOG_HALTED, "catalog-halted:9"),
                     (SOFTWARE_ROLLED_BACK, "software-rolled-back:1.4.0")}
    # a refused catalog that halted nothing (not a canary's stage) is the self-clearing "refused catalog" alert
    assert CATALOG_HALTED not in {o.kind for o in occurrences(beat)}


def test_the_migration_creates_and_drops_the_table(tmp_path):
    url = f"sqlite:///{tmp_path / 'd.db'}"
    engine = open_engine(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0009")
    columns = {c["name"] for c in inspect(engine).get_columns("latched_alerts")}
    assert columns == {"id", "kiosk", "key", "kind", "params", "raised_at", "acknowledged_at", "acknowledged_by"}
    uniques = [u["column_names"] for u in inspect(engine).get_unique_constraints("latched_alerts")]
    assert ["kiosk", "key"] in uniques
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO latched_alerts (kiosk, key, kind, params, raised_at) "
                          "VALUES ('K1', 'dead-letters:1', 'dead-letters', '{}', 1.0)"))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0008")
    assert "latched_alerts" not in inspect(engine).get_table_names()
    assert "rate_buckets" in inspect(engine).get_table_names(), "0008's table stays"
    engine.dispose()


def test_uptimes_read_as_days_and_hours_in_both_languages():
    assert human_duration(EN, 3 * 86400 + 4 * 3600 + 59 * 60) == "3 d 4 h"
    assert human_duration(ZH, 3 * 86400 + 4 * 3600) == "3 天 4 小时"
    assert human_duration(EN, 2 * 3600 + 5 * 60 + 7) == "2 h 5 min"
    assert human_duration(EN, 59 * 60 + 59) == "59 min"
    assert human_duration(EN, 42.9) == "42 s"
    assert human_duration(EN, None) == "–"


def _enrolled(app, tmp_path, name: str = "K1") -> Client:
    kiosk = Client(app, name, tmp_path)
    assert kiosk.enroll(add_kiosk(app.state.engine, name)).status_code == 200
    return kiosk


def _beat(kiosk: Client, **body) -> None:
    answer, _ = kiosk.signed("/api/v1/heartbeat", json.dumps(body).encode())
    assert answer.status_code == 200, answer.text


def test_an_operator_acknowledges_a_latched_alert_and_it_stays_acknowledged(shared_console, tmp_path):
    app, client = shared_console
    kiosk = _enrolled(app, tmp_path)
    # an old kiosk's heartbeat (no uptimes) is accepted; then one whose database failed its integrity check
    _beat(kiosk, backlog=0)
    _beat(kiosk, backlog=0, host_uptime_s=3 * 86400 + 4 * 3600 + 10, shell_uptime_s=600.0,
          out_of_service=["database-corrupt"], service_events=[_raised("database-corrupt", 1)])
    _beat(kiosk, backlog=0, host_uptime_s=3 * 86400 + 4 * 3600 + 40, shell_uptime_s=630.0,
          out_of_service=["database-corrupt"], service_events=[_raised("database-corrupt", 1)])  # a re-send
    alerts = latched_alerts.listing(app.state.engine)
    assert [(a["kiosk"], a["kind"], a["params"]["condition"]) for a in alerts] == [
        ("K1", SERVICE_CONDITION, "database-corrupt")], "raised once however often it is reported"
    alert_id = alerts[0]["id"]

    viewer, staff = client(), client()
    for c, name in ((viewer, "viewer"), (staff, "staff")):
        token = log_in(c, name)
        page = c.get("/console/kiosks/K1").text
        assert "database integrity failure" in page and f'action="/console/alerts/{alert_id}/acknowledge"' not in page
        assert c.post(f"/console/alerts/{alert_id}/acknowledge", data={"csrf_token": token}).status_code == 403
        assert c.post(f"/console/api/alerts/{alert_id}/acknowledge",
                      headers={"X-CSRF-Token": token}).status_code == 403

    operator = client()
    token = log_in(operator, "operator")
    fleet = operator.get("/console/fleet").text
    assert "3 d 4 h" in fleet and "10 min" in fleet, "host and shell uptime in the fleet table"
    assert "stopped serving: database integrity failure" in fleet and "out of service: database integrity" in fleet
    assert operator.post(f"/console/alerts/{alert_id}/acknowledge", data={}).status_code == 403, "no CSRF token"
    assert operator.post("/console/alerts/999/acknowledge", data={"csrf_token": token}).status_code == 404
    done = operator.post(f"/console/alerts/{alert_id}/acknowledge", data={"csrf_token": token})
    assert done.status_code == 303 and done.headers["location"] == f"/console/kiosks/K1?acked={alert_id}"
    assert operator.post(f"/console/api/alerts/{alert_id}/acknowledge",
                         headers={"X-CSRF-Token": token}).status_code == 409, "the first acknowledgement stands"

    # the condition clears; the alert stays acknowledged (by whom, when), no longer open in the fleet
    _beat(kiosk, backlog=0, host_uptime_s=3 * 86400 + 4 * 3600 + 70, shell_uptime_s=660.0,
          service_events=[_raised("database-corrupt", 2, "cleared")])
    detail = operator.get("/console/api/kiosks/K1").json()
    assert detail["kiosk"]["latched"] == [] and detail["kiosk"]["host_uptime_s"] == 3 * 86400 + 4 * 3600 + 70
    [acked] = detail["latched_alerts"]
    assert acked["acknowledged_by"] == "operator" and acked["acknowledged_at"] is not None
    assert "acknowledged by operator" in operator.get("/console/kiosks/K1").text
    entries = audit.entries(app.state.engine, action="alert.acknowledge")
    assert [(e["actor"], e["target"], e["outcome"]) for e in entries] == [
        ("operator", "alert/1", "refused"), ("operator", f"K1/alert/{alert_id}", "ok")]
    zh = operator.get("/console/kiosks/K1", headers={"Accept-Language": "zh-CN"}).text
    assert "待确认告警" in zh and "已由 operator" in zh


def _item(kiosk: str, seq: int, item_id: str, rating: str | None) -> dict:
    body = {"id": str(uuid.uuid4()), "seq": seq, "kiosk_id": kiosk, "item_id": item_id, "module_id": "m",
            "status": "completed", "holder": "h", "summary": {}, "device_time": "2026-11-29T10:00:00+08:00"}
    return {**body, "rating": rating} if rating else body


def test_ratings_per_day_and_item_count_what_the_kiosks_sent(shared_console, tmp_path):
    app, client = shared_console
    kiosk = _enrolled(app, tmp_path, "K2")
    items = [_item("K2", 1, "si-record", "good"), _item("K2", 2, "si-record", "good"),
             _item("K2", 3, "si-record", "bad"), _item("K2", 4, "hukou", None), _item("K2", 5, "hukou", None)]
    assert kiosk.batch(items).status_code == 200
    late = {**items[3], "rating": "bad"}  # a rating given after delivery rides on a re-send (kiosk.store)
    assert [r["result"] for r in kiosk.batch([late]).json()["results"]] == ["duplicate"]
    ratings = kiosk_ratings(app.state.engine, "K2")
    assert [(r.label, r.good, r.bad) for r in ratings.per_item] == [("si-record", 2, 1), ("hukou", 0, 1)]
    assert [(r.good, r.bad) for r in ratings.per_day] == [(2, 2)] and ratings.total.good_share == 0.5
    assert kiosk_ratings(app.state.engine, "K2", now=ratings_later()).total.rated == 0, "30 days only"
    c = client()
    log_in(c, "viewer")
    page = c.get("/console/kiosks/K2").text
    assert "All items: 2 good, 2 bad (50 %)" in page and "67 %" in page
    api = c.get("/console/api/kiosks/K2").json()["ratings"]
    assert api["per_item"]["si-record"] == {"good": 2, "bad": 1, "good_share": 0.6667}
    assert "holder" not in json.dumps(api)


def ratings_later() -> float:
    import time

    return time.time() + 31 * 86400


def test_the_fleet_sorts_by_host_and_shell_uptime_unknown_first():
    from district.console.fleet import select_rows

    rows = [{"name": n, "status": "green", "last_heartbeat_age_s": 1.0, "host_uptime_s": host, "shell_uptime_s": shell,
             "alerts": [], "latched": [], "software_version": "1", "catalog_version": 1, "backlog": 0, "dead_letters": 0}
            for n, host, shell in (("a", 90_000.0, 80_000.0), ("b", 100.0, 60.0), ("c", None, None),
                                   ("d", 95_000.0, 30.0))]
    assert [r["name"] for r in select_rows(rows, sort="shell")] == ["c", "d", "b", "a"], "a restarting shell on top"
    assert [r["name"] for r in select_rows(rows, sort="uptime", descending=True)] == ["d", "a", "b", "c"]
