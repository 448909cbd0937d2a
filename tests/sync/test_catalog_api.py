"""The catalog publishing JSON API (/console/api/catalog) on a real district on loopback with a kiosk's sync
daemon running: bearer tokens of console accounts, the web server holding the online keys only. Validation
problems by path and line, the item-level diff, a publication with the key sent for one request, a stage signed
offline (202 signing request -> `catalog sign` -> POST signed) applied by the canary, promote; a viewer and an
anonymous caller change nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time

import httpx
import pytest

from contract.catalog.modules import fleet_modules
from district.console import accounts
from district.tuf_repository import OperatorKeys, TufRepository
from sync.daemon import SyncDaemon
from tests.sync.conftest import make_settings
from tests.sync.district_process import REPO, ThreadedDistrict
from tests.sync.test_catalog import catalog_bytes

ENV = {**os.environ, "PYTHONPATH": str(REPO)}
ENV.pop("KIOSK_DISTRICT_MODULES", None)
API = "/console/api/catalog"


@pytest.fixture
def stack(sqlite_db_url, kiosk_factory, null_log, tmp_path):
    keys = OperatorKeys(tmp_path / "server-keys")
    keys.create_missing()
    stick = tmp_path / "usb-stick"
    stick.mkdir()
    district = ThreadedDistrict(make_settings(sqlite_db_url, demo=True, keys_dir=keys.folder)).start()
    TufRepository(district.engine).initialise(keys)
    for role in ("root", "targets"):
        (keys.folder / f"{role}.pem").rename(stick / f"{role}.pem")
    accounts.add_operator(district.engine, "olga", "operator", "correct horse battery staple")
    accounts.add_operator(district.engine, "vera", "viewer", "correct horse battery staple")
    tokens = {name: accounts.issue_api_token(district.engine, name) for name in ("olga", "vera")}
    k = kiosk_factory("API1", district.url, heartbeat_s=0.3, catalog_poll_s=2.0)
    daemon = SyncDaemon(k.config, k.engine, null_log, known_modules=fleet_modules())
    daemon.ensure_enrolled()
    stop = threading.Event()
    thread = threading.Thread(target=daemon.run, args=(stop,), daemon=True)
    thread.start()
    yield district, stick, tokens, k, tmp_path
    stop.set()
    thread.join(timeout=15)
    district.stop()


def client(district, token: str | None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=district.url, headers=headers, timeout=60)


def wait_running(k, version: int) -> None:
    current = k.data / "catalog" / "current.json"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if current.exists() and json.loads(current.read_bytes())["version"] == version:
            return
        time.sleep(0.1)
    raise AssertionError(f"the kiosk did not apply version {version}")


def test_the_catalog_api_publishes_in_stages_and_refuses_who_may_not(stack):
    district, stick, tokens, k, tmp_path = stack
    olga, vera, anonymous = client(district, tokens["olga"]), client(district, tokens["vera"]), client(district, None)
    key = (stick / "targets.pem").read_text()
    assert anonymous.get(f"{API}/status").status_code == 401

    # Validation by the kiosks' validator, problems placed by path and line of the uploaded text.
    doc = json.loads(catalog_bytes(1))
    doc["items"][0]["title_en"] = 12
    text = json.dumps(doc, ensure_ascii=False, indent=1)
    line = next(n for n, row in enumerate(text.splitlines(), 1) if '"title_en": 12' in row)
    checked = vera.post(f"{API}/validate", json={"catalog": text}).json()
    assert checked["valid"] is False
    assert {"path": "items[0].title_en", "line": line, "column": None,
            "message": "12 is not of type 'string'"} in checked["problems"]
    refused = olga.post(f"{API}/publish", json={"catalog": text, "targets_key_pem": key})
    assert refused.status_code == 422 and refused.json()["problems"]

    # Version 1 to everyone, signed with the key sent for this request only.
    first = olga.post(f"{API}/publish", json={"catalog": catalog_bytes(1).decode(), "targets_key_pem": key})
    assert first.status_code == 200, first.text
    assert first.json()["state"] == "promoted"
    wait_running(k, 1)
    assert olga.post(f"{API}/groups/canary/add", json={"kiosks": ["API1"]}).json()["added"] == ["API1"]

    # The diff of version 2 against the published one, item by item.
    two = catalog_bytes(2, "Record, new wording").decode()
    diff = vera.post(f"{API}/diff", json={"catalog": two}).json()
    first_item = json.loads(catalog_bytes(1))["items"][0]["id"]
    assert diff["old_version"] == 1 and diff["new_version"] == 2 and not diff["items"]["added"]
    assert diff["items"]["changed"] == [{"id": first_item, "fields": [
        {"field": "title_en", "old": "Record", "new": "Record, new wording"}]}]

    # Stage version 2 for the canary without a key: a signing request, signed offline, posted back.
    assert vera.post(f"{API}/publish", json={"catalog": two, "group": "canary"}).status_code == 403
    pending = olga.post(f"{API}/publish", json={"catalog": two, "group": "canary"})
    assert pending.status_code == 202 and pending.json()["catalog_version"] == 2
    request_file, signed_file = tmp_path / "request.json", tmp_path / "signed.json"
    request_file.write_bytes(pending.content)
    signed = subprocess.run([sys.executable, "-m", "district.cli", "catalog", "sign", str(request_file),
                             "--targets-key", str(stick / "targets.pem"), "--out", str(signed_file)],
                            env=ENV, cwd=tmp_path, capture_output=True, text=True, timeout=180)
    assert signed.returncode == 0, signed.stderr
    assert vera.post(f"{API}/signed", content=signed_file.read_bytes()).status_code == 403
    staged = olga.post(f"{API}/signed", content=signed_file.read_bytes())
    assert staged.status_code == 200, staged.text
    assert staged.json()["state"] == "staged" and staged.json()["group"] == "canary"
    wait_running(k, 2)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status = vera.get(f"{API}/status").json()
        if status["versions"][0]["applied_by"] == ["API1"]:
            break
        time.sleep(0.3)
    assert status["versions"][0]["applied_by"] == ["API1"] and status["stage"]["version"] == 2

    # Promote: a viewer may not, an operator may; then nothing is left to promote.
    assert vera.post(f"{API}/versions/2/promote").status_code == 403
    assert anonymous.post(f"{API}/versions/2/promote").status_code == 401
    promoted = olga.post(f"{API}/versions/2/promote")
    assert promoted.status_code == 200 and promoted.json()["state"] == "promoted"
    assert olga.post(f"{API}/versions/2/promote").status_code == 409
    assert vera.get(f"{API}/status").json()["fleet"]["version"] == 2
    audit = olga.get("/console/api/audit").json()
    actions = [e["action"] for e in (audit["entries"] if isinstance(audit, dict) else audit)]
    assert {"catalog.publish", "catalog.prepare", "catalog.promote", "catalog.group.add"} <= set(actions)
