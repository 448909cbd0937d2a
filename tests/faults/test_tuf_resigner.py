"""The district's re-signer survives errors: it logs them, retries, and re-signs once the fault is gone."""

from __future__ import annotations

import datetime as dt
import io
import json
import threading
import time

from contract.eventlog import EventLog
from district.database import migrate, open_engine
from district.online_resigner import run_online_resigner
from district.tuf_repository import OperatorKeys, TufRepository


def _events(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_resigner_keeps_retrying_after_an_error_and_then_resigns(tmp_path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'district.db'}")
    migrate(engine)
    keys = OperatorKeys(tmp_path / "keys")
    keys.create_missing()
    repository = TufRepository(engine)
    repository.initialise(keys)
    repository.publish(keys, b'{"version": 1}', 1, expires_in={"timestamp": dt.timedelta(seconds=-60)})
    assert repository.expiring(dt.timedelta(hours=12))
    # The fault: the online snapshot key is not mounted (RepositoryError, not an IntegrityError).
    snapshot_key = keys.folder / "snapshot.pem"
    unmounted = keys.folder / "snapshot.pem.away"
    snapshot_key.rename(unmounted)
    stream = io.StringIO()
    stop = threading.Event()
    thread = threading.Thread(target=run_online_resigner,
                              args=(repository, keys, stop, EventLog(stream=stream, component="district")),
                              kwargs={"interval_s": 0.5, "first_retry_s": 0.05}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and \
                sum(e["event"] == "tuf-resign-failed" for e in _events(stream)) < 3:
            time.sleep(0.02)
        failures = [e for e in _events(stream) if e["event"] == "tuf-resign-failed"]
        assert len(failures) >= 3, "the re-signer must retry after the first error"
        assert "RepositoryError" in failures[0]["error"] and failures[0]["retry_in_s"] > 0
        assert thread.is_alive()
        unmounted.rename(snapshot_key)  # the operator mounts the key again
        while time.monotonic() < deadline and repository.expiring(dt.timedelta(hours=12)):
            time.sleep(0.02)
        assert not repository.expiring(dt.timedelta(hours=12))
        assert any(e["event"] == "tuf-resigned" for e in _events(stream))
    finally:
        stop.set()
        thread.join(timeout=5)
    assert not thread.is_alive()
