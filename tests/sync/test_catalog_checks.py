"""One catalog check everywhere, versions that only go up, a fallback nobody can miss (issue 14, points 1 and 2).

On the real stack: a district on loopback (its database, its TUF repository), `kiosk-district catalog publish` and
`rollback` as child processes, a kiosk data folder with its sync daemon, `kiosk catalog list` as a child process.
A district that does not check (the raw repository) stands in for a compromised or older district: the kiosk
must refuse on its own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from district.models import HeartbeatRow
from district.tuf_repository import OperatorKeys, TufRepository
from sync.daemon import STATUS_FILE, SyncDaemon
from tests.sync.district_process import REPO
from tests.sync.test_catalog import active_versions, catalog_bytes

ENV = {**os.environ, "PYTHONPATH": str(REPO)}
ENV.pop("KIOSK_DISTRICT_MODULES", None)


def with_module(version: int, module: str, title: str = "Department item") -> bytes:
    """A valid catalog whose first item names `module` (a department module the kiosk may not have)."""
    doc = json.loads(catalog_bytes(version, title))
    doc["items"][0]["module"] = module
    return json.dumps(doc, ensure_ascii=False).encode()


def district_cli(*args: str, db: str, keys: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "district.cli", "catalog", *args, "--db", db, "--keys", str(keys)],
                          env=ENV, cwd=REPO, capture_output=True, text=True, timeout=120)


def publish_file(tmp_path: Path, data: bytes, *options: str, db: str, keys: Path) -> subprocess.CompletedProcess:
    path = tmp_path / f"catalog-{len(list(tmp_path.glob('catalog-*.json')))}.json"
    path.write_bytes(data)
    return district_cli("publish", str(path), *options, db=db, keys=keys)


@pytest.fixture
def stack(district_sqlite, kiosk_factory, null_log, tmp_path):
    """(district, keys folder, repository, kiosk, daemon) with catalog version 1 published and applied."""
    keys = OperatorKeys(tmp_path / "keys")
    keys.create_missing()
    repository = TufRepository(district_sqlite.engine)
    repository.initialise(keys)
    repository.publish(keys, catalog_bytes(1), 1)
    k = kiosk_factory("CHK1", district_sqlite.url)
    daemon = SyncDaemon(k.config, k.engine, null_log)
    daemon.ensure_enrolled()
    assert daemon.check_catalog()["outcome"] == "applied"
    return district_sqlite, keys, repository, k, daemon


def db_of(district) -> str:
    return str(district.engine.url)


def heartbeat_body(district, name: str) -> dict:
    with Session(district.engine) as s:
        row = s.get(HeartbeatRow, name)
        assert row is not None, "no heartbeat recorded"
        return dict(row.body)


def test_publish_of_a_catalog_with_an_unknown_module_exits_non_zero_listing_every_problem(stack, tmp_path):
    district, keys, repository, k, daemon = stack
    alone = publish_file(tmp_path, with_module(2, "no-such-module"), db=db_of(district), keys=keys.folder)
    assert alone.returncode == 1, alone.stderr
    assert "unknown module 'no-such-module'" in alone.stderr
    doc = json.loads(with_module(2, "no-such-module"))
    doc["items"][1]["id"] = doc["items"][2]["id"]  # a second problem: one run must name both
    result = publish_file(tmp_path, json.dumps(doc, ensure_ascii=False).encode(), db=db_of(district),
                          keys=keys.folder)
    assert result.returncode == 1, result.stderr
    assert "unknown module 'no-such-module'" in result.stderr and "duplicate id" in result.stderr, result.stderr
    problem_lines = [line for line in result.stderr.splitlines() if ": line " in line]
    assert len(problem_lines) == 2, result.stderr
    assert "nothing published" in result.stderr
    assert repository.published()[0] == 1
    assert daemon.check_catalog()["outcome"] == "current"
    assert (k.data / "catalog" / "current.json").read_bytes() == catalog_bytes(1), "no kiosk changes catalog"
    assert active_versions(k.engine) == [(1, True)]


def test_a_department_module_the_district_declares_is_accepted_by_publish(stack, tmp_path):
    district, keys, repository, _k, _daemon = stack
    refused = publish_file(tmp_path, with_module(2, "housing-fund-extract"), db=db_of(district), keys=keys.folder)
    assert refused.returncode == 1
    done = publish_file(tmp_path, with_module(2, "housing-fund-extract"), "--module", "housing-fund-extract",
                        db=db_of(district), keys=keys.folder)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["catalog_version"] == 2 and repository.published()[0] == 2


def test_publishing_an_equal_or_lower_version_exits_non_zero_and_bump_raises_it(stack, tmp_path):
    district, keys, repository, _k, _daemon = stack
    db = db_of(district)
    assert publish_file(tmp_path, catalog_bytes(3, "three"), db=db, keys=keys.folder).returncode == 0
    equal = publish_file(tmp_path, catalog_bytes(3, "another three"), db=db, keys=keys.folder)
    assert equal.returncode == 1
    assert "has version 3 but version 3 is published" in equal.stderr and "--bump" in equal.stderr, equal.stderr
    lower = publish_file(tmp_path, catalog_bytes(2, "older"), db=db, keys=keys.folder)
    assert lower.returncode == 1 and "has version 2 but version 3 is published" in lower.stderr, lower.stderr
    assert repository.published()[0] == 3
    bumped = publish_file(tmp_path, catalog_bytes(2, "older"), "--bump", db=db, keys=keys.folder)
    assert bumped.returncode == 0, bumped.stderr
    answer = json.loads(bumped.stdout)
    assert answer["catalog_version"] == 4 and answer["rewritten_from"] == 2 and answer["previous_version"] == 3
    published = repository.target(answer["sha256"], "catalog.json")
    doc = json.loads(published)
    assert doc["version"] == 4 and doc["items"][0]["title_en"] == "older"


def test_rollback_is_a_new_higher_version_with_older_content_and_kiosks_apply_it(stack, tmp_path):
    district, keys, repository, k, daemon = stack
    db = db_of(district)
    assert publish_file(tmp_path, catalog_bytes(2, "second"), db=db, keys=keys.folder).returncode == 0
    assert daemon.check_catalog()["version"] == 2
    rolled = district_cli("rollback", "--to", "1", db=db, keys=keys.folder)
    assert rolled.returncode == 0, rolled.stderr
    assert json.loads(rolled.stdout)["catalog_version"] == 3
    state = daemon.check_catalog()
    assert state["outcome"] == "applied" and state["version"] == 3, state
    served = json.loads((k.data / "catalog" / "current.json").read_bytes())
    assert served["version"] == 3 and served["items"][0]["title_en"] == json.loads(catalog_bytes(1))["items"][0][
        "title_en"]
    missing = district_cli("rollback", "--to", "7", db=db, keys=keys.folder)
    assert missing.returncode == 1 and "version 7" in missing.stderr
    assert repository.published()[0] == 3


def test_daemon_refuses_an_equal_or_lower_version_keeps_the_last_good_and_reports_it(stack):
    district, keys, repository, k, daemon = stack
    repository.publish(keys, catalog_bytes(2, "two"), 2)
    assert daemon.check_catalog()["outcome"] == "applied"
    good = (k.data / "catalog" / "current.json").read_bytes()
    repository.publish(keys, catalog_bytes(2, "same number, other content"), 2)  # a district that does not check
    state = daemon.check_catalog()
    assert state["outcome"] == "refused" and "not higher than the active version 2" in state["reason"], state
    assert state["refused"]["version"] == 2
    assert (k.data / "catalog" / "current.json").read_bytes() == good
    assert daemon.check_catalog()["refused"]["version"] == 2, "a later check does not hide the refusal"
    status = json.loads((k.data / STATUS_FILE).read_text()) if daemon.write_status_file() else {}
    assert status["catalog"]["refused"]["version"] == 2 and status["catalog"]["active_version"] == 2
    assert daemon.heartbeat()
    beat = heartbeat_body(district, "CHK1")
    assert beat["catalog_version"] == 2 and beat["catalog_refused"]["version"] == 2
    assert "not higher" in beat["catalog_refused"]["reason"]
    repository.publish(keys, catalog_bytes(1, "older"), 1)
    state = daemon.check_catalog()
    assert state["outcome"] == "refused" and state["refused"]["version"] == 1
    assert (k.data / "catalog" / "current.json").read_bytes() == good
    assert active_versions(k.engine) == [(1, False), (2, True)]
    repository.publish(keys, catalog_bytes(5, "five"), 5)
    state = daemon.check_catalog()
    assert state["outcome"] == "applied" and state["refused"] is None, "a newer catalog clears the refusal"


def test_daemon_refuses_a_catalog_naming_a_module_this_kiosk_lacks_as_a_whole(stack):
    district, keys, repository, k, daemon = stack
    # The district was told its fleet runs a department module (publish --module, as in the test above);
    # this kiosk does not have it installed.
    repository.publish(keys, with_module(2, "housing-fund-extract"), 2)
    state = daemon.check_catalog()
    assert state["outcome"] == "refused" and "unknown module 'housing-fund-extract'" in state["reason"], state
    assert (k.data / "catalog" / "current.json").read_bytes() == catalog_bytes(1), "never partly applied"
    assert active_versions(k.engine) == [(1, True)]
    daemon.write_status_file()
    status = json.loads((k.data / STATUS_FILE).read_text())
    assert status["catalog"]["refused"]["version"] == 2
    assert "housing-fund-extract" in status["catalog"]["refused"]["reason"]
    assert daemon.heartbeat()
    beat = heartbeat_body(district, "CHK1")
    assert beat["catalog_version"] == 1 and "housing-fund-extract" in beat["catalog_refused"]["reason"]


def test_fallback_to_the_shipped_catalog_shows_in_catalog_list_and_the_heartbeat(stack):
    district, _keys, _repository, k, daemon = stack
    assert daemon.heartbeat()
    beat = heartbeat_body(district, "CHK1")
    assert beat["catalog_source"] == "district" and beat["catalog_fallback"] is None
    # The department package an applied catalog relies on was uninstalled: the terminal cannot serve it.
    (k.data / "catalog" / "current.json").write_bytes(with_module(1, "removed-department-module"))
    listed = subprocess.run([sys.executable, "-m", "kiosk.cli", "catalog", "list", "--data", str(k.data)],
                            env=ENV, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0, listed.stderr
    assert "FALLBACK" in listed.stderr and "shipped catalog" in listed.stderr, listed.stderr
    assert "unknown module 'removed-department-module'" in listed.stderr
    assert daemon.heartbeat()
    beat = heartbeat_body(district, "CHK1")
    assert beat["catalog_source"] == "shipped"
    assert "unknown module 'removed-department-module'" in beat["catalog_fallback"]


def test_a_published_catalog_is_applied_within_10_s_with_default_settings(district_sqlite, kiosk_factory, null_log,
                                                                          tmp_path):
    """Default heartbeat and catalog-poll intervals: the heartbeat answer names the new catalog and the daemon
    fetches it at once (issue 14, point 3). Published through the operator's CLI."""
    import threading
    import time

    from kiosk.config import SyncConfig

    defaults = SyncConfig()
    keys = OperatorKeys(tmp_path / "keys")
    keys.create_missing()
    TufRepository(district_sqlite.engine).initialise(keys)
    k = kiosk_factory("FAST1", district_sqlite.url, heartbeat_s=defaults.heartbeat_s,
                      catalog_poll_s=defaults.catalog_poll_s, interval_s=defaults.interval_s)
    daemon = SyncDaemon(k.config, k.engine, null_log)
    daemon.ensure_enrolled()
    stop = threading.Event()
    thread = threading.Thread(target=daemon.run, args=(stop,), daemon=True)
    thread.start()
    current = k.data / "catalog" / "current.json"
    try:
        time.sleep(1.0)  # past the daemon's first heartbeat and catalog check: only the defaults bring it now
        path = tmp_path / "new.json"
        path.write_bytes(catalog_bytes(2, "published now"))
        done = district_cli("publish", str(path), db=db_of(district_sqlite), keys=keys.folder)
        assert done.returncode == 0, done.stderr
        published_at = time.monotonic()
        while time.monotonic() - published_at < 12 and not (current.exists()
                                                             and current.read_bytes() == path.read_bytes()):
            time.sleep(0.05)
        took = time.monotonic() - published_at
        assert current.exists() and current.read_bytes() == path.read_bytes(), "not applied"
        assert took < 10.0, f"applied after {took:.1f} s"
    finally:
        stop.set()
        thread.join(timeout=10)


def test_the_heartbeat_answer_names_the_published_catalog(stack):
    from contract.heartbeat import HeartbeatAnswer

    _district, keys, repository, _k, daemon = stack
    answer = HeartbeatAnswer.model_validate(daemon.link.post("/api/v1/heartbeat", {}).body)
    assert answer.catalog is not None and answer.catalog.version == 1
    assert answer.catalog.sha256 == repository.published()[1]
    assert daemon.heartbeat() and not daemon.take_catalog_hint(), "the catalog it runs: no hint"
    repository.publish(keys, catalog_bytes(2), 2)
    assert daemon.heartbeat() and daemon.take_catalog_hint(), "a new catalog: check at once"
    assert not daemon.take_catalog_hint(), "a hint is taken once"
