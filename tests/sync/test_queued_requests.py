"""Requests a kiosk queued while the district was down are submitted exactly once when the link returns, under
the citizen's tracking number, and staff list them without personal data."""

from __future__ import annotations

import json
import subprocess
import sys
import threading

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from contract.eventlog import NullEventLog
from district.citizen_requests import list_requests, submit_received
from district.models import CitizenRequestRow
from kiosk.store.models import OutboxRow
from sync.daemon import SyncDaemon
from tests.sync.district_process import REPO

CITIZEN = {"document_number": "330106197811230417", "holder_name": "陈国强", "phone": "13912345678",
           "bank_account": "6222021202000012345"}


def _queue(k, item: str = "pension-application"):
    """What kiosk.services.builtin.queueing records for an application form while the district is down."""
    request = {"path": "/api/v1/citizen/requests", "type": item, "module": "application_form",
               "accepted_at": "2026-11-29T10:00:00+08:00", "kiosk_id": k.config.terminal.kiosk_id,
               "document_number": CITIZEN["document_number"], "holder_name": CITIZEN["holder_name"],
               "application_type": item, "fields": {"phone": CITIZEN["phone"], "bank": CITIZEN["bank_account"]}}
    return k.store.record(item_id=item, module_id="application_form", status="queued", holder="d" * 64,
                          summary={"item": item, "document": "330***********0417"}, request=request)


def _requests(district) -> list[CitizenRequestRow]:
    with Session(district.engine) as s:
        return list(s.scalars(select(CitizenRequestRow)))


def test_queued_request_is_submitted_once_with_the_tracking_number(district, kiosk_factory, null_log):
    k = kiosk_factory("QREQ", district.url)
    stored = _queue(k)
    k.record(1)  # a completed transaction: not a request
    daemon = SyncDaemon(k.config, k.engine, null_log)
    assert daemon.drain().delivered == 2
    (row,) = _requests(district)
    assert row.id == stored.id and row.tracking_number == stored.tracking_number
    assert row.status == "submitted" and row.reference.startswith("SQ") and row.attempts == 1
    # The district's answer was lost: the kiosk sends the same transaction again. Nothing is submitted twice.
    with Session(k.engine) as s, s.begin():
        s.execute(update(OutboxRow).values(state="pending", delivered_at=None))
    assert daemon.drain().delivered == 2
    (again,) = _requests(district)
    assert (again.status, again.reference, again.attempts) == ("submitted", row.reference, 1)


def test_requests_list_names_no_one(district_sqlite, kiosk_factory, null_log):
    k = kiosk_factory("QLIST", district_sqlite.url)
    stored = _queue(k)
    assert SyncDaemon(k.config, k.engine, null_log).drain().delivered == 1
    done = subprocess.run([sys.executable, "-m", "district.cli", "requests", "list", "--db",
                           district_sqlite.settings.db_url, "--json"], cwd=REPO, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    (listed,) = json.loads(done.stdout)
    assert {"id", "item", "kiosk", "status", "received_at"} <= set(listed)
    assert (listed["id"], listed["item"], listed["kiosk"], listed["status"]) == \
        (stored.id, "pension-application", "QLIST", "submitted")
    assert listed["tracking_number"] == stored.tracking_number
    for value in CITIZEN.values():
        assert value not in done.stdout
    assert "330***" not in done.stdout  # not even masked: the listing has no holder at all


def test_a_failed_submission_is_retried_and_concurrent_submitters_submit_once(district_sqlite, kiosk_factory,
                                                                              null_log):
    k = kiosk_factory("QRETRY", district_sqlite.url)
    engine = district_sqlite.engine
    district_sqlite.app.state.request_submitter = None  # a department that is not connected yet
    ids = [_queue(k, f"item-{n}").id for n in range(6)]
    assert SyncDaemon(k.config, k.engine, null_log).drain().delivered == 6
    assert {r.status for r in _requests(district_sqlite)} == {"received"}  # registered with their transactions
    calls: list[str] = []
    lock = threading.Lock()

    def flaky(transaction_id: str, request: dict) -> dict:
        with lock:
            calls.append(transaction_id)
            first = calls.count(transaction_id) == 1
        if transaction_id == ids[0] and first:
            raise ConnectionError("department down")
        assert request["document_number"] == CITIZEN["document_number"]  # the full request reaches it
        return {"application_number": f"REF-{transaction_id[:8]}"}

    assert submit_received(engine, flaky, NullEventLog()) == 5
    failed = next(r for r in _requests(district_sqlite) if r.id == ids[0])
    assert failed.status == "received" and failed.attempts == 1 and "department down" in failed.last_error
    # Two submitters at once (two server processes' retry threads): each request reaches the department once.
    threads = [threading.Thread(target=submit_received, args=(engine, flaky, NullEventLog())) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(calls) == sorted(ids + [ids[0]])  # ids[0]: the failed try and the one that succeeded
    rows = list_requests(engine, kiosk="QRETRY")
    assert [r["status"] for r in rows] == ["submitted"] * 6
    assert {r["reference"] for r in rows} == {f"REF-{i[:8]}" for i in ids}
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(CitizenRequestRow)) == 6
