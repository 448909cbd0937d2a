"""Revocation understood, re-admission, `kiosk add` on an existing name, and stats that tell the truth (issue 14,
points 4 and 7) - on the real stack: a production (non-demo) district on loopback, a running daemon, a kiosk data
folder, and the operators' command lines as subprocesses."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from contract.eventlog import EventLog
from contract.refusal import KIOSK_REVOKED, RefusalAnswer
from contract.request_signing import RequestSigner
from district.kiosk_registry import add_kiosk, revoke_kiosk
from district.models import ReceivedTransactionRow
from district.settings import DistrictSettings
from kiosk.link.kiosk_key import load_or_create_key
from kiosk.store.models import OutboxRow
from kiosk.store.outbox import Outbox
from sync.daemon import SyncDaemon
from sync.link import DistrictLink, Refused
from tests.sync.district_process import REPO, ThreadedDistrict

ENV = {**os.environ, "PYTHONPATH": str(REPO)}
DISTRICT_CLI = [sys.executable, "-m", "district.cli"]


def wait_for(predicate, timeout_s: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def run(args: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(args, env=ENV, capture_output=True, text=True, timeout=90, **kw)


class CountingTransport(httpx.HTTPTransport):
    """A real HTTP transport that counts the requests the daemon makes (by path)."""

    def __init__(self) -> None:
        super().__init__()
        self.paths: list[str] = []
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.paths.append(request.url.path)
        return super().handle_request(request)

    @property
    def count(self) -> int:
        with self._lock:
            return len(self.paths)


def events(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def received(engine, kiosk: str) -> list[str]:
    with Session(engine) as s:
        return list(s.scalars(select(ReceivedTransactionRow.id).where(ReceivedTransactionRow.kiosk == kiosk)))


@pytest.fixture
def production(sqlite_db_url):
    """A production district: enrollment needs the operator's one-time token, even on loopback."""
    server = ThreadedDistrict(DistrictSettings(db_url=sqlite_db_url, demo=False)).start()
    yield server
    server.stop()


@pytest.fixture
def production_any_db(district_db_url):
    """The same on SQLite and on PostgreSQL."""
    server = ThreadedDistrict(DistrictSettings(db_url=district_db_url, demo=False)).start()
    yield server
    server.stop()


def kiosk_config_file(tmp_path: Path, name: str, url: str) -> Path:
    cfg = tmp_path / f"{name}.toml"
    cfg.write_text(f'[terminal]\nkiosk_id = "{name}"\ndistrict_url = "{url}"\n')
    return cfg


def test_the_district_says_revoked_in_a_machine_readable_answer(production, kiosk_factory, null_log):
    token = add_kiosk(production.engine, "ANS1")
    k = kiosk_factory("ANS1", production.url)
    daemon = SyncDaemon(k.config, k.engine, null_log, token=token)
    daemon.ensure_enrolled()
    revoke_kiosk(production.engine, "ANS1")
    signer = RequestSigner("ANS1", load_or_create_key(k.data))
    body = b'{"backlog":0}'
    answer = httpx.post(f"{production.url}/api/v1/heartbeat", content=body,
                        headers={"Content-Type": "application/json",
                                 **signer("POST", "/api/v1/heartbeat", body)})
    assert answer.status_code == 403
    assert answer.json() == {"detail": "kiosk 'ANS1' is revoked", "code": KIOSK_REVOKED}
    assert RefusalAnswer.model_validate(answer.json()).code == KIOSK_REVOKED
    enroll_again = httpx.post(f"{production.url}/api/v1/enroll",
                              json={"kiosk_id": "ANS1", "public_key": "ab" * 32, "token": token})
    assert enroll_again.status_code == 403 and enroll_again.json()["code"] == KIOSK_REVOKED
    link = DistrictLink(production.url, signer)
    try:
        with pytest.raises(Refused) as refused:
            link.post("/api/v1/heartbeat", {"backlog": 0})
        assert refused.value.revoked and refused.value.code == KIOSK_REVOKED
    finally:
        link.close()


def test_a_refused_heartbeat_is_logged_as_refused_and_puts_the_kiosk_out_of_service(production, kiosk_factory):
    token = add_kiosk(production.engine, "BEAT1")
    k = kiosk_factory("BEAT1", production.url)
    stream = io.StringIO()
    daemon = SyncDaemon(k.config, k.engine, EventLog(stream=stream, component="sync"), token=token)
    daemon.ensure_enrolled()
    assert daemon.heartbeat()
    revoke_kiosk(production.engine, "BEAT1")
    assert daemon.heartbeat() is False
    names = [e["event"] for e in events(stream)]
    assert names.count("heartbeat-sent") == 1  # only the acknowledged one
    refused = [e for e in events(stream) if e["event"] == "heartbeat-refused"]
    assert refused and refused[0]["status"] == 403 and refused[0]["code"] == KIOSK_REVOKED
    assert "sync-revoked" in names
    assert Outbox(k.engine).status()["link"] == "revoked"


def test_revoked_daemon_stops_sending_marks_and_exports_then_readmission_drains_exactly_once(
        production, kiosk_factory, tmp_path):
    db = str(production.engine.url)
    add = run([*DISTRICT_CLI, "kiosk", "add", "REV1", "--db", db])
    assert add.returncode == 0, add.stderr
    k = kiosk_factory("REV1", production.url, heartbeat_s=0.3)
    outbox = Outbox(k.engine)
    transport = CountingTransport()
    stream = io.StringIO()
    daemon = SyncDaemon(k.config, k.engine, EventLog(stream=stream, component="sync"), token=add.stdout.strip(),
                        transport=transport)
    stop = threading.Event()
    thread = threading.Thread(target=daemon.run, args=(stop,), kwargs={"max_sleep_s": 0.1}, daemon=True)
    thread.start()
    try:
        first = k.record(3)
        assert wait_for(lambda: outbox.status()["delivered"] == 3)
        assert run([*DISTRICT_CLI, "kiosk", "revoke", "REV1", "--db", db]).returncode == 0
        later = k.record(2)  # recorded before the kiosk learns of it: kept, never lost
        assert wait_for(lambda: outbox.status()["link"] == "revoked")
        status = outbox.status()
        assert status["undeliverable"] == 2 and status["pending"] == 2 and status["revoked_at"]

        def marked() -> list:
            with Session(k.engine) as s:
                return s.scalars(select(OutboxRow.last_error).where(OutboxRow.state == "pending")).all()

        assert wait_for(lambda: len(marked()) == 2 and all((e or "").startswith("undeliverable") for e in marked()),
                        timeout_s=10), marked()
        # no retries: not one request more while revoked (heartbeats every 0.3 s, drain every 0.2 s otherwise)
        sent = transport.count
        time.sleep(3.0)
        assert transport.count == sent, transport.paths[sent:]
        names = [e["event"] for e in events(stream)]
        assert "sync-revoked" in names and "sync-backoff" not in names[names.index("sync-revoked"):]
        assert "heartbeat-sent" not in names[names.index("sync-revoked"):]
        # the shell's status file says revoked
        status_file = k.data / "sync" / "status.json"
        assert wait_for(lambda: json.loads(status_file.read_text())["link"] == "revoked", timeout_s=10)

        cfg = kiosk_config_file(tmp_path, "REV1", production.url)
        shown = run([sys.executable, "-m", "kiosk.cli", "outbox", "status", "--config", str(cfg), "--data",
                     str(k.data)])
        assert shown.returncode == 0 and "REVOKED" in shown.stdout and "link          online" not in shown.stdout
        out = tmp_path / "export.json"
        export = run([sys.executable, "-m", "kiosk.cli", "outbox", "export", "--out", str(out), "--config",
                      str(cfg), "--data", str(k.data)])
        assert export.returncode == 0, export.stderr
        doc = json.loads(out.read_text())
        assert doc["kiosk_id"] == "REV1" and doc["link"] == "revoked"
        assert [x["transaction_id"] for x in doc["undelivered"]] == later
        assert {x["payload"]["holder"] for x in doc["undelivered"]} == {"h0000", "h0001"}
        assert out.stat().st_mode & 0o777 == 0o600
        again = run([sys.executable, "-m", "kiosk.cli", "outbox", "export", "--out", str(out), "--config",
                     str(cfg), "--data", str(k.data)])
        assert again.returncode != 0 and "exists" in again.stderr and json.loads(out.read_text()) == doc

        # re-admission: a new token; the revoked key is never bound again; a new key enrolls and the daemon drains
        readmit = run([*DISTRICT_CLI, "kiosk", "readmit", "REV1", "--db", db])
        assert readmit.returncode == 0, readmit.stderr
        token = readmit.stdout.strip()
        enroll_cli = [sys.executable, "-m", "kiosk.cli", "enroll", "--config", str(cfg), "--data", str(k.data),
                      "--token", token]
        old_key = run(enroll_cli)
        assert old_key.returncode == 4 and "new key" in old_key.stderr
        assert outbox.status()["link"] == "revoked" and transport.count == sent
        new_key = run([*enroll_cli, "--new-key"])
        assert new_key.returncode == 0, new_key.stderr
        assert wait_for(lambda: outbox.status()["pending"] == 0)
        assert outbox.status()["link"] == "online" and outbox.status()["undeliverable"] == 0
        ids = received(production.engine, "REV1")
        assert sorted(ids) == sorted(first + later) and len(ids) == len(set(ids)) == 5
        assert "sync-readmitted" in [e["event"] for e in events(stream)]
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()


def test_a_revoked_daemon_given_the_new_token_re_enrolls_with_a_new_key(production, kiosk_factory, null_log):
    token = add_kiosk(production.engine, "REV2")
    k = kiosk_factory("REV2", production.url)
    daemon = SyncDaemon(k.config, k.engine, null_log, token=token)
    k.record(1)
    assert daemon.drain().delivered == 1
    revoke_kiosk(production.engine, "REV2")
    k.record(2)
    assert daemon.drain().outcome == "revoked"
    old_key = load_or_create_key(k.data).public_key()
    # a restarted daemon stays quiet (no request at all) until re-admitted
    transport = CountingTransport()
    restarted = SyncDaemon(k.config, k.engine, null_log, transport=transport)
    assert restarted.drain().outcome == "revoked" and restarted.heartbeat() is False and transport.count == 0
    from district.kiosk_registry import readmit_kiosk

    fresh = SyncDaemon(k.config, k.engine, null_log, token=readmit_kiosk(production.engine, "REV2"))
    result = fresh.drain()
    assert result.outcome == "empty" and result.delivered == 2
    assert load_or_create_key(k.data).public_key() != old_key
    assert len(received(production.engine, "REV2")) == 3


def test_kiosk_add_on_an_existing_name_is_an_error_unless_replace(production, kiosk_factory, tmp_path):
    db = str(production.engine.url)
    first = run([*DISTRICT_CLI, "kiosk", "add", "DUP1", "--db", db])
    assert first.returncode == 0
    second = run([*DISTRICT_CLI, "kiosk", "add", "DUP1", "--db", db])
    assert second.returncode != 0 and "already exists" in second.stderr and second.stdout == ""
    # the first token was not voided by the refused second add
    k = kiosk_factory("DUP1", production.url)
    cfg = kiosk_config_file(tmp_path, "DUP1", production.url)
    enroll_cli = [sys.executable, "-m", "kiosk.cli", "enroll", "--config", str(cfg), "--data", str(k.data)]
    assert run([*enroll_cli, "--token", first.stdout.strip()]).returncode == 0
    assert run([*DISTRICT_CLI, "kiosk", "add", "DUP1", "--db", db]).returncode != 0  # enrolled: still an error
    replaced = run([*DISTRICT_CLI, "kiosk", "add", "DUP1", "--replace", "--db", db])
    assert replaced.returncode == 0 and replaced.stdout.strip() != first.stdout.strip()
    link = DistrictLink(production.url, RequestSigner("DUP1", load_or_create_key(k.data)))
    try:
        with pytest.raises(Refused) as refused:  # the replaced registration's key no longer authenticates
            link.post("/api/v1/heartbeat", {"backlog": 0})
        assert refused.value.status == 401
    finally:
        link.close()
    token = replaced.stdout.strip()
    assert run([*enroll_cli, "--token", token]).returncode == 4  # the old key is void
    assert run([*enroll_cli, "--token", token, "--new-key"]).returncode == 0
    # readmit is for revoked kiosks; a revoked one is re-admitted, not replaced
    assert "not revoked" in run([*DISTRICT_CLI, "kiosk", "readmit", "DUP1", "--db", db]).stderr
    assert run([*DISTRICT_CLI, "kiosk", "revoke", "DUP1", "--db", db]).returncode == 0
    refused_replace = run([*DISTRICT_CLI, "kiosk", "add", "DUP1", "--replace", "--db", db])
    assert refused_replace.returncode != 0 and "readmit" in refused_replace.stderr


def test_stats_and_kiosk_list_show_what_each_kiosk_reports(production_any_db, kiosk_factory, tmp_path):
    production = production_any_db
    db = str(production.engine.url)
    token = add_kiosk(production.engine, "STAT1")
    k = kiosk_factory("STAT1", production.url)
    (k.data / "devices.json").write_text(json.dumps({"printer": {"state": "paper-out"},
                                                     "reader": {"state": "ok"}}))
    daemon = SyncDaemon(k.config, k.engine, EventLog(stream=io.StringIO()), token=token)
    k.record(2)
    [bad] = k.record(1)
    with Session(k.engine) as s, s.begin():  # a row the district must reject (not this kiosk's): a dead letter
        row = s.scalar(select(OutboxRow).where(OutboxRow.transaction_id == bad))
        row.payload = {**row.payload, "kiosk_id": "SOMEONE-ELSE"}
    assert daemon.drain().dead_lettered == 1
    k.record(2)  # a backlog of 2, reported by the heartbeat
    # the catalog check's stored outcome, as sync.catalog_updater leaves it when it refuses a catalog
    Outbox(k.engine).put_state({"catalog": {"outcome": "refused", "reason": "item 'x': module 'nope' not installed",
                                            "active_version": 1,
                                            "refused": {"version": 2, "sha256": "ab" * 32, "at": "2026-11-29T03:00:00",
                                                        "reason": "item 'x': module 'nope' not installed"}}})
    assert daemon.heartbeat()
    daemon.link.post("/api/v1/help-requests", {"kind": "help", "item_id": "si-record"})
    add_kiosk(production.engine, "STAT2")  # pending, never heard from
    token3 = add_kiosk(production.engine, "STAT3")
    k3 = kiosk_factory("STAT3", production.url)
    SyncDaemon(k3.config, k3.engine, EventLog(stream=io.StringIO()), token=token3).ensure_enrolled()
    assert run([*DISTRICT_CLI, "kiosk", "revoke", "STAT3", "--db", db]).returncode == 0

    stats = run([*DISTRICT_CLI, "stats", "--json", "--db", db])
    listed = run([*DISTRICT_CLI, "kiosk", "list", "--json", "--db", db])
    assert stats.returncode == 0 and listed.returncode == 0, (stats.stderr, listed.stderr)
    for kiosks in (json.loads(stats.stdout)["kiosks"], json.loads(listed.stdout)):
        one = kiosks["STAT1"]
        assert one["state"] == "active"
        assert one["backlog"] == 2 and one["dead_letters"] == 1
        assert 0 <= one["last_heartbeat_age_s"] < 60
        assert one["software_version"] and one["software_version"] != "unknown"
        assert "catalog_version" in one and one["catalog_refusal"] == "item 'x': module 'nope' not installed"
        assert one["devices"]["printer"]["state"] == "paper-out"
        assert one["help_requests_open"] == 1 and one["transactions"] == 2
        assert kiosks["STAT2"]["state"] == "pending" and kiosks["STAT2"]["last_heartbeat_age_s"] is None
        assert kiosks["STAT3"]["state"] == "revoked"
    totals = json.loads(stats.stdout)
    assert totals["backlog_reported"] == 2 and totals["dead_letters_reported"] == 1
    text = run([*DISTRICT_CLI, "kiosk", "list", "--db", db]).stdout
    assert "backlog=2" in text and "dead=1" in text and "revoked" in text and "catalog REFUSED" in text


def test_a_voided_key_is_never_bound_again_not_even_by_a_demo_districts_free_loopback_enrollment(sqlite_db_url):
    from district.database import migrate, open_engine
    from district.kiosk_registry import EnrollmentRefused, enroll, readmit_kiosk

    engine = open_engine(sqlite_db_url)
    migrate(engine)
    old, new = "11" * 32, "22" * 32
    assert not enroll(engine, "DEMO1", old, None, demo_loopback=True).already
    revoke_kiosk(engine, "DEMO1")
    readmit_kiosk(engine, "DEMO1")
    with pytest.raises(EnrollmentRefused, match="voided"):
        enroll(engine, "DEMO1", old, None, demo_loopback=True)
    assert not enroll(engine, "DEMO1", new, None, demo_loopback=True).already
    engine.dispose()
