"""Exactly-once ingest at city scale (issue 16, point 6), on SQLite and PostgreSQL: re-sent, overlapping and
replayed batches store every transaction once and lose none; a batch sent twice at the same moment to two server
processes sharing PostgreSQL is stored once, each item accepted by exactly one of them.

What each item must come back as follows the upload protocol (docs/sync.md, contract.transactions): a new id is
`accepted`, an id the district holds with the same kiosk and sequence is a `duplicate`, an id or a sequence held
by another transaction is `rejected`.
"""

from __future__ import annotations

import json
import threading
import uuid
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from district.app import create_app
from district.models import KioskRow, ReceivedTransactionRow
from tests.sync.conftest import make_settings
from tests.sync.signed_client import SignedKiosk

BATCH = "/api/v1/transactions/batch"


def item(kiosk: str, seq: int, tx_id: str | None = None, **extra) -> dict:
    return {"id": tx_id or str(uuid.uuid4()), "seq": seq, "kiosk_id": kiosk, "item_id": "si-record",
            "module_id": "social_insurance_record", "status": "completed", "holder": f"{seq:064x}",
            "summary": {"months": 36}, "device_time": "2026-11-29T09:00:00+00:00", **extra}


def results(answer) -> list[str]:
    assert answer.status_code == 200, answer.text
    return [r["result"] for r in answer.json()["results"]]


def stored(engine, kiosk: str) -> list[tuple[str, int]]:
    with Session(engine) as s:
        return [tuple(r) for r in s.execute(select(ReceivedTransactionRow.id, ReceivedTransactionRow.seq)
                                            .where(ReceivedTransactionRow.kiosk == kiosk)
                                            .order_by(ReceivedTransactionRow.rx))]


def test_resent_and_overlapping_batches_store_each_transaction_once(district_db_url, tmp_path: Path):
    app = create_app(make_settings(district_db_url))
    kiosk = SignedKiosk(app, tmp_path, "EO-01")
    items = [item("EO-01", seq) for seq in range(1, 16)]
    first, overlap = items[:10], items[5:]
    assert results(kiosk.post(BATCH, {"items": first})) == ["accepted"] * 10
    # The kiosk crashed after sending and before settling: it sends 6-15, of which 6-10 the district holds.
    assert results(kiosk.post(BATCH, {"items": overlap})) == ["duplicate"] * 5 + ["accepted"] * 5
    # The answer to the first batch was lost: the same items again, newly signed.
    assert results(kiosk.post(BATCH, {"items": first})) == ["duplicate"] * 10
    assert stored(app.state.engine, "EO-01") == [(i["id"], i["seq"]) for i in items]  # once each, in order
    with Session(app.state.engine) as s:
        assert s.get(KioskRow, "EO-01").duplicates_refused == 15
    app.state.engine.dispose()


def test_a_replayed_request_is_refused_and_stores_nothing(district_db_url, tmp_path: Path):
    app = create_app(make_settings(district_db_url))
    kiosk = SignedKiosk(app, tmp_path, "EO-02")
    body = json.dumps({"items": [item("EO-02", 1)]}).encode()
    answer = kiosk.send("POST", BATCH, body)
    assert results(answer) == ["accepted"]
    request = answer.request
    again = kiosk.http.post(BATCH, content=body, headers=dict(request.headers))  # byte for byte, same nonce
    assert again.status_code == 401 and "replay" in again.json()["detail"]
    other = json.dumps({"items": [item("EO-02", 2)]}).encode()
    swapped = kiosk.http.post(BATCH, content=other, headers=dict(request.headers))  # same signature, new body
    assert swapped.status_code == 401
    assert [seq for _id, seq in stored(app.state.engine, "EO-02")] == [1]
    app.state.engine.dispose()


def test_copies_and_collisions_inside_one_batch(district_db_url, tmp_path: Path):
    app = create_app(make_settings(district_db_url))
    kiosk = SignedKiosk(app, tmp_path, "EO-03")
    other = SignedKiosk(app, tmp_path, "EO-04")
    taken = item("EO-04", 1)
    assert results(other.post(BATCH, {"items": [taken]})) == ["accepted"]
    a, b = item("EO-03", 1), item("EO-03", 2)
    batch = [a, dict(a), b, item("EO-03", 2),  # the same id twice; a second id for sequence 2
             item("EO-03", 3, tx_id=taken["id"]),  # an id another kiosk's transaction holds
             dict(a, seq=4)]  # a's id again under another sequence
    answer = kiosk.post(BATCH, {"items": batch})
    assert results(answer) == ["accepted", "duplicate", "accepted", "rejected", "rejected", "rejected"]
    reasons = [r["reason"] for r in answer.json()["results"]]
    assert "sequence 2" in reasons[3] and "another transaction" in reasons[4]
    assert stored(app.state.engine, "EO-03") == [(a["id"], 1), (b["id"], 2)]
    assert stored(app.state.engine, "EO-04") == [(taken["id"], 1)]
    app.state.engine.dispose()


def _send(gate: threading.Barrier, answers: list, n: int, client: SignedKiosk, items: list[dict]) -> None:
    gate.wait()
    answers[n] = results(client.post(BATCH, {"items": items}))


def test_the_same_batch_at_once_on_two_servers_is_stored_once(private_postgres, tmp_path: Path):
    url = private_postgres.create_database("exactly_once_race")
    apps = [create_app(make_settings(url)) for _ in range(2)]
    kiosk = SignedKiosk(apps[0], tmp_path, "EO-05")
    second = SignedKiosk.__new__(SignedKiosk)  # the same kiosk talking to the other server process
    second.__dict__.update(kiosk.__dict__)
    from fastapi.testclient import TestClient

    second.http = TestClient(apps[1])
    for round_ in range(20):  # the race is between the two inserts: repeat to meet it
        items = [item("EO-05", round_ * 30 + n) for n in range(1, 31)]
        answers: list = [None, None]
        gate = threading.Barrier(2)
        threads = [threading.Thread(target=_send, args=(gate, answers, n, c, items))
                   for n, c in enumerate((kiosk, second))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        for position in range(30):
            assert sorted((answers[0][position], answers[1][position])) == ["accepted", "duplicate"], round_
    rows = stored(apps[0].state.engine, "EO-05")
    assert len(rows) == 600 and len({tx_id for tx_id, _seq in rows}) == 600
    for app in apps:
        app.state.engine.dispose()
