"""Kiosk identity and limits: unknown, revoked, replayed, tampered, stale, oversized, malformed requests are
refused with a reason and store nothing. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import uuid
import warnings

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from contract.request_signing import RequestSigner, public_key_hex
from district.kiosk_registry import add_kiosk, revoke_kiosk
from district.models import HeartbeatRow, ReceivedTransactionRow
from district.settings import DistrictSettings
from kiosk.link.kiosk_key import load_or_create_key

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def item(kiosk: str, seq: int, **kw) -> dict:
    return {"id": str(uuid.uuid4()), "seq": seq, "kiosk_id": kiosk, "item_id": "x", "module_id": "m",
            "status": "completed", "holder": "h", "summary": {}, "device_time": "2026-01-01T00:00:00+00:00", **kw}


class Client:
    """A signing test client for one kiosk against the app (not through the network)."""

    def __init__(self, app, name: str, tmp_path) -> None:
        self.http = TestClient(app)
        self.name = name
        self.key = load_or_create_key(tmp_path / name)
        self.signer = RequestSigner(name, self.key)

    def enroll(self, token: str | None):
        body = {"kiosk_id": self.name, "public_key": public_key_hex(self.key)}
        if token:
            body["token"] = token
        return self.http.post("/api/v1/enroll", json=body)

    def signed(self, path: str, body: bytes, headers: dict | None = None):
        h = headers or self.signer("POST", path, body)
        return self.http.post(path, content=body, headers={**h, "Content-Type": "application/json"}), h

    def batch(self, items: list[dict]):
        return self.signed("/api/v1/transactions/batch", json.dumps({"items": items}).encode())[0]


@pytest.fixture
def app(district_db_url):
    from district.app import create_app

    app = create_app(DistrictSettings(db_url=district_db_url, demo=True, max_body_bytes=64_000,
                                      max_batch_items=50, rate_per_s=5.0, rate_burst=8))
    yield app
    app.state.engine.dispose()


def stored(app) -> int:
    with Session(app.state.engine) as s:
        return s.scalar(select(func.count()).select_from(ReceivedTransactionRow))


def test_enrollment_needs_a_one_time_token(app, tmp_path):
    engine = app.state.engine
    token = add_kiosk(engine, "K1")
    k = Client(app, "K1", tmp_path)
    # TestClient's address is not loopback: even a demo server wants the token
    assert k.enroll(None).status_code == 401
    assert k.enroll("wrong").status_code == 401
    assert k.enroll(token).status_code == 200
    assert k.enroll(token).json()["already_enrolled"] is True  # same key again: idempotent
    thief = Client(app, "K1", tmp_path / "thief")
    r = thief.enroll(token)
    assert r.status_code == 409 and "already enrolled" in r.json()["detail"]


def test_enrollment_tokens_never_start_with_a_dash_so_a_command_line_takes_them():
    import argparse

    from district.kiosk_registry import enrollment_token

    tokens = [enrollment_token() for _ in range(5000)]  # the old draw started with '-' once in 64
    assert not [t for t in tokens if t.startswith("-")]
    assert len(set(tokens)) == len(tokens) and all(len(t) == 32 for t in tokens)
    parser = argparse.ArgumentParser()
    parser.add_argument("--token")
    with pytest.raises(SystemExit):  # why it matters: argparse takes "-x..." for an option
        parser.parse_args(["--token", "-qKUN8W-N_W_7X"])


def test_unknown_kiosk_is_refused_and_nothing_stored(app, tmp_path):
    k = Client(app, "ghost", tmp_path)
    r = k.batch([item("ghost", 1)])
    assert r.status_code == 401 and "not enrolled" in r.json()["detail"]
    unsigned = k.http.post("/api/v1/transactions/batch", json={"items": [item("ghost", 1)]})
    assert unsigned.status_code == 401
    assert stored(app) == 0


def test_revocation_takes_effect_at_the_next_request(app, tmp_path):
    k = Client(app, "K2", tmp_path)
    assert k.enroll(add_kiosk(app.state.engine, "K2")).status_code == 200
    assert k.batch([item("K2", 1)]).status_code == 200
    revoke_kiosk(app.state.engine, "K2")
    r = k.batch([item("K2", 2)])
    assert r.status_code == 403 and "revoked" in r.json()["detail"]
    assert stored(app) == 1
    assert k.enroll(None).status_code in (401, 403)


def test_replayed_tampered_and_stale_requests_are_refused(app, tmp_path):
    k = Client(app, "K3", tmp_path)
    assert k.enroll(add_kiosk(app.state.engine, "K3")).status_code == 200
    body = json.dumps({"items": [item("K3", 1)]}).encode()
    first, headers = k.signed("/api/v1/transactions/batch", body)
    assert first.status_code == 200
    replay, _ = k.signed("/api/v1/transactions/batch", body, headers)
    assert replay.status_code == 401 and "replayed" in replay.json()["detail"]
    tampered_body = json.dumps({"items": [item("K3", 2)]}).encode()
    tampered, _ = k.signed("/api/v1/transactions/batch", tampered_body,
                           k.signer("POST", "/api/v1/transactions/batch", body))
    assert tampered.status_code == 401 and "signature" in tampered.json()["detail"]
    old = RequestSigner("K3", k.key, clock=lambda: 1_000_000.0)
    stale, _ = k.signed("/api/v1/transactions/batch", tampered_body,
                        old("POST", "/api/v1/transactions/batch", tampered_body))
    assert stale.status_code == 401 and "timestamp" in stale.json()["detail"]
    assert stored(app) == 1


def test_limits_and_malformed_requests_store_nothing(app, tmp_path):
    k = Client(app, "K4", tmp_path)
    assert k.enroll(add_kiosk(app.state.engine, "K4")).status_code == 200
    big = k.batch([item("K4", 1, summary={"pad": "x" * 70_000})])
    assert big.status_code == 413
    too_many = k.batch([item("K4", n) for n in range(1, 52)])
    assert too_many.status_code == 422 and "limit" in too_many.json()["detail"]
    malformed, _ = k.signed("/api/v1/transactions/batch", b'{"items": [')
    assert malformed.status_code in (400, 422)
    schema, _ = k.signed("/api/v1/transactions/batch", b'{"things": []}')
    assert schema.status_code == 422 and schema.json()["detail"]
    hb, _ = k.signed("/api/v1/heartbeat", b'{"backlog": "many"}')
    assert hb.status_code == 422
    assert stored(app) == 0
    with Session(app.state.engine) as s:
        assert s.scalar(select(func.count()).select_from(HeartbeatRow)) == 0
    # per-item problems are per-item results, not a failed batch
    r = k.batch([item("K4", 1), item("K4", 2, status="bogus"), item("OTHER", 3)])
    results = r.json()["results"]
    assert [x["result"] for x in results] == ["accepted", "rejected", "rejected"]
    assert "status" in results[1]["reason"] and "authenticated kiosk" in results[2]["reason"]


def test_rate_limit_per_kiosk(app, tmp_path):
    # The buckets' clock stands still: on a loaded machine 20 requests can take longer than a refill, and then
    # no request would be refused however wrong the limiter were.
    app.state.rate_limiter._clock = lambda: 1_900_000_000.0
    k = Client(app, "K5", tmp_path)
    assert k.enroll(add_kiosk(app.state.engine, "K5")).status_code == 200
    codes = [k.signed("/api/v1/heartbeat", b"{}")[0] for _ in range(20)]
    limited = [r for r in codes if r.status_code == 429]
    assert limited and int(limited[0].headers["Retry-After"]) >= 1
    other = Client(app, "K6", tmp_path)
    assert other.enroll(add_kiosk(app.state.engine, "K6")).status_code == 200
    assert other.signed("/api/v1/heartbeat", b"{}")[0].status_code == 200  # buckets are per kiosk


def test_demo_server_enrolls_loopback_kiosks_without_token(district_sqlite, kiosk_factory, sqlite_db_url):
    from kiosk.link.enrollment import EnrollmentRefused, enroll
    from tests.sync.district_process import ThreadedDistrict

    k = kiosk_factory("LOOP", district_sqlite.url)
    assert enroll(k.data, district_sqlite.url, "LOOP").kiosk_id == "LOOP"
    production = ThreadedDistrict(DistrictSettings(db_url=sqlite_db_url.replace("district.db", "prod.db"))).start()
    try:
        with pytest.raises(EnrollmentRefused, match="token is required"):
            enroll(k.data, production.url, "LOOP")
    finally:
        production.stop()


def test_operator_cli_add_revoke_stats(district_sqlite, kiosk_factory, tmp_path):
    import os
    import subprocess
    import sys

    from tests.sync.district_process import REPO

    db = str(district_sqlite.engine.url)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cli = [sys.executable, "-m", "district.cli"]
    add = subprocess.run([*cli, "kiosk", "add", "OPS1", "--db", db], env=env, capture_output=True, text=True,
                         timeout=60)
    assert add.returncode == 0, add.stderr
    k = kiosk_factory("OPS1", district_sqlite.url)
    k.record(3)
    cfg = tmp_path / "k.toml"
    cfg.write_text(f'[terminal]\nkiosk_id = "OPS1"\ndistrict_url = "{district_sqlite.url}"\n')
    kiosk_cli = [sys.executable, "-m", "kiosk.cli", "enroll", "--config", str(cfg), "--data", str(k.data)]
    wrong = subprocess.run([*kiosk_cli, "--token", "guess"], env=env, capture_output=True, text=True, timeout=60)
    assert wrong.returncode == 4 and "token" in wrong.stderr
    enrolled = subprocess.run([*kiosk_cli, "--token", add.stdout.strip()], env=env, capture_output=True,
                              text=True, timeout=60)
    assert enrolled.returncode == 0, enrolled.stderr
    assert json.loads(enrolled.stdout)["kiosk_id"] == "OPS1"
    once = [sys.executable, "-m", "sync.daemon_cli", "--config", str(cfg), "--data", str(k.data), "--once"]
    assert subprocess.run(once, env=env, capture_output=True, text=True, timeout=60).returncode == 0
    stats = subprocess.run([*cli, "stats", "--db", db, "--json"], env=env, capture_output=True, text=True,
                           timeout=60)
    doc = json.loads(stats.stdout)
    assert doc["kiosks"]["OPS1"]["transactions"] == 3 and doc["kiosks"]["OPS1"]["last_heartbeat"]
    revoke = subprocess.run([*cli, "kiosk", "revoke", "OPS1", "--db", db], env=env, capture_output=True,
                            text=True, timeout=60)
    assert revoke.returncode == 0
    k.record(1)
    refused = subprocess.run(once, env=env, capture_output=True, text=True, timeout=60)
    assert refused.returncode == 4 and "revoked" in refused.stderr
    assert json.loads(subprocess.run([*cli, "stats", "--db", db, "--json"], env=env, capture_output=True,
                                     text=True, timeout=60).stdout)["kiosks"]["OPS1"]["transactions"] == 3


def test_http_district_client_signs_with_the_enrolled_key(district_sqlite, kiosk_factory):
    from kiosk.errors import ServiceError
    from kiosk.link.district_client import HttpDistrictClient
    from kiosk.link.enrollment import enroll, signer_for

    k = kiosk_factory("SHELL", district_sqlite.url)
    assert signer_for(k.data, "SHELL") is None  # not enrolled yet: requests go unsigned
    unsigned = HttpDistrictClient(district_sqlite.url)
    with pytest.raises(ServiceError, match="401"):
        unsigned.post_json("/api/v1/help-requests", {"kind": "help"})
    enroll(k.data, district_sqlite.url, "SHELL")
    client = HttpDistrictClient(district_sqlite.url, authenticator=signer_for(k.data, "SHELL"))
    try:
        assert client.post_json("/api/v1/help-requests", {"kind": "help", "message": "where is the toilet"})["id"]
        assert client.post_json("/api/v1/heartbeat", {"backlog": 0})["server_time"]
    finally:
        client.close()
        unsigned.close()
