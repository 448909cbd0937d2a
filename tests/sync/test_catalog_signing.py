"""The offline targets key never sits on the web server (issue 12 point 3): a district whose keys folder holds the
online keys only publishes through `catalog prepare` -> `catalog sign` (a separate process with no database, as
on the offline machine) -> `catalog upload`, or with `--targets-key FILE` for one command; whatever is not signed
by the targets key the root names, not what was prepared, or prepared before another publication, is refused
and nothing is published. The kiosk then verifies and applies the result through TUF as always."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from district.tuf_repository import OperatorKeys, TufRepository
from sync.daemon import SyncDaemon
from tests.sync.district_process import REPO
from tests.sync.test_catalog import catalog_bytes
from tests.sync.test_catalog_checks import with_module

ENV = {**os.environ, "PYTHONPATH": str(REPO)}
ENV.pop("KIOSK_DISTRICT_MODULES", None)


def run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "district.cli", *args], env=ENV, cwd=cwd, capture_output=True,
                          text=True, timeout=180)


@pytest.fixture
def server(district_sqlite, kiosk_factory, null_log, tmp_path):
    """A district whose keys folder holds the online keys only; the offline keys are on a "USB stick"."""
    keys = OperatorKeys(tmp_path / "server-keys")
    keys.create_missing()
    TufRepository(district_sqlite.engine).initialise(keys)
    stick = tmp_path / "usb-stick"
    stick.mkdir()
    for role in ("root", "targets"):
        (keys.folder / f"{role}.pem").rename(stick / f"{role}.pem")
    k = kiosk_factory("SIG1", district_sqlite.url)
    daemon = SyncDaemon(k.config, k.engine, null_log)
    daemon.ensure_enrolled()
    db = str(district_sqlite.engine.url)
    return db, keys.folder, stick, k, daemon


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_prepare_sign_offline_upload_and_the_kiosk_applies_it(server, tmp_path):
    db, keys, stick, k, daemon = server
    no_key = run("catalog", "publish", write(tmp_path, "c1.json", catalog_bytes(1)), "--db", db, "--keys", str(keys))
    assert no_key.returncode != 0 and "targets key" in no_key.stderr, "the server cannot sign on its own"
    request = tmp_path / "request.json"
    prepared = run("catalog", "prepare", write(tmp_path, "c1.json", catalog_bytes(1)), "--out", str(request),
                   "--db", db)
    assert prepared.returncode == 0, prepared.stderr
    offline = tmp_path / "offline-machine"
    offline.mkdir()
    signed = offline / "signed.json"
    done = run("catalog", "sign", str(request), "--targets-key", str(stick / "targets.pem"), "--out", str(signed),
               cwd=offline)
    assert done.returncode == 0, done.stderr
    assert "catalog version 1 for every kiosk" in done.stderr and "catalog-1.json" in done.stderr
    assert not list(offline.glob("*.db")), "the offline step touches no database"
    uploaded = run("catalog", "upload", str(signed), "--db", db, "--keys", str(keys))
    assert uploaded.returncode == 0, uploaded.stderr
    assert json.loads(uploaded.stdout)["state"] == "promoted"
    again = run("catalog", "upload", str(signed), "--db", db, "--keys", str(keys))
    assert again.returncode == 1 and "no pending signing request" in again.stderr
    assert daemon.heartbeat()
    assert daemon.check_catalog()["outcome"] == "applied"
    assert (k.data / "catalog" / "current.json").read_bytes() == catalog_bytes(1)


def test_a_signature_by_another_key_or_changed_metadata_is_refused_and_nothing_published(server, tmp_path):
    db, keys, stick, _k, _daemon = server
    request = tmp_path / "request.json"
    assert run("catalog", "prepare", write(tmp_path, "c1.json", catalog_bytes(1)), "--out", str(request),
               "--db", db).returncode == 0
    rogue = OperatorKeys(tmp_path / "rogue")
    rogue.create_missing()
    forged = tmp_path / "forged.json"
    assert run("catalog", "sign", str(request), "--targets-key", str(rogue.folder / "targets.pem"),
               "--out", str(forged)).returncode == 0
    refused = run("catalog", "upload", str(forged), "--db", db, "--keys", str(keys))
    assert refused.returncode == 1 and "not signed by the targets key the root names" in refused.stderr
    signed = tmp_path / "signed.json"
    assert run("catalog", "sign", str(request), "--targets-key", str(stick / "targets.pem"),
               "--out", str(signed)).returncode == 0
    doc = json.loads(signed.read_text())
    doc["targets"]["signed"]["expires"] = "2099-01-01T00:00:00Z"  # the signature no longer covers what is sent
    changed = write(tmp_path, "changed.json", json.dumps(doc).encode())
    refused = run("catalog", "upload", changed, "--db", db, "--keys", str(keys))
    assert refused.returncode == 1 and "not what was prepared" in refused.stderr
    status = json.loads(run("catalog", "status", "--json", "--db", db).stdout)
    assert status["fleet"] is None and status["versions"] == []


def test_a_request_overtaken_by_another_publication_is_refused(server, tmp_path):
    db, keys, stick, _k, _daemon = server
    request = tmp_path / "request.json"
    assert run("catalog", "prepare", write(tmp_path, "c1.json", catalog_bytes(1)), "--out", str(request),
               "--db", db).returncode == 0
    direct = run("catalog", "publish", write(tmp_path, "c2.json", catalog_bytes(2)), "--targets-key",
                 str(stick / "targets.pem"), "--db", db, "--keys", str(keys))
    assert direct.returncode == 0, direct.stderr
    signed = tmp_path / "signed.json"
    assert run("catalog", "sign", str(request), "--targets-key", str(stick / "targets.pem"),
               "--out", str(signed)).returncode == 0
    stale = run("catalog", "upload", str(signed), "--db", db, "--keys", str(keys))
    assert stale.returncode == 1 and "overtaken" in stale.stderr


def test_the_offline_signer_validates_the_catalog_and_its_hash_itself(server, tmp_path):
    db, _keys, stick, _k, _daemon = server
    request = tmp_path / "request.json"
    assert run("catalog", "prepare", write(tmp_path, "c1.json", with_module(1, "housing-fund-extract")),
               "--module", "housing-fund-extract", "--out", str(request), "--db", db).returncode == 0
    out = tmp_path / "signed.json"
    # The offline machine was not told about the department module: the catalog is invalid there.
    unknown = run("catalog", "sign", str(request), "--targets-key", str(stick / "targets.pem"), "--out", str(out))
    assert unknown.returncode == 1 and "unknown module 'housing-fund-extract'" in unknown.stderr
    assert not out.exists()
    doc = json.loads(request.read_text())
    import base64

    doc["catalog"] = base64.b64encode(with_module(1, "housing-fund-extract", "Swapped title")).decode()
    swapped = write(tmp_path, "swapped.json", json.dumps(doc).encode())
    mismatch = run("catalog", "sign", swapped, "--targets-key", str(stick / "targets.pem"), "--out", str(out),
                   "--module", "housing-fund-extract")
    assert mismatch.returncode == 1 and "other content than the catalog carried" in mismatch.stderr
    assert not out.exists()


def test_a_key_file_per_command_stages_and_a_wrong_one_is_refused(server, tmp_path):
    db, keys, stick, _k, _daemon = server
    assert run("catalog", "publish", write(tmp_path, "c1.json", catalog_bytes(1)), "--targets-key",
               str(stick / "targets.pem"), "--db", db, "--keys", str(keys)).returncode == 0
    assert run("kiosk", "group", "add", "canary", "SIG1", "--db", db).returncode == 0
    rogue = OperatorKeys(tmp_path / "rogue")
    rogue.create_missing()
    wrong = run("catalog", "stage", write(tmp_path, "c2.json", catalog_bytes(2)), "--group", "canary",
                "--targets-key", str(rogue.folder / "targets.pem"), "--db", db, "--keys", str(keys))
    assert wrong.returncode == 1 and "not signed by the targets key the root names" in wrong.stderr
    staged = run("catalog", "stage", write(tmp_path, "c2.json", catalog_bytes(2)), "--group", "canary",
                 "--targets-key", str(stick / "targets.pem"), "--db", db, "--keys", str(keys))
    assert staged.returncode == 0, staged.stderr
    assert sorted(p.name for p in keys.iterdir()) == ["snapshot.pem", "timestamp.pem"], "nothing was written"
