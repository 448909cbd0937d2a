"""The daemon's behaviour around the drain: offline queueing and recovery, clock skew, heartbeat, help requests,
purge, backoff, network watch."""

from __future__ import annotations

import datetime as dt
import json
import random
import threading
import time

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from district.models import HelpRequestRow, ReceivedTransactionRow
from district.settings import DistrictSettings
from district.stats import district_stats
from kiosk.store.models import OutboxRow
from kiosk.store.outbox import Outbox
from sync.backoff import Backoff
from sync.daemon import SyncDaemon
from sync.network_watch import NetworkWatch
from tests.sync.district_process import ThreadedDistrict


def wait_for(predicate, timeout_s: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def test_server_down_kiosk_queues_then_drains_on_return(sqlite_db_url, kiosk_factory, null_log):
    server = ThreadedDistrict(DistrictSettings(db_url=sqlite_db_url, demo=True)).start()
    k = kiosk_factory("OFF", server.url)
    outbox = Outbox(k.engine)
    stop = threading.Event()
    thread = threading.Thread(target=SyncDaemon(k.config, k.engine, null_log).run, args=(stop,), daemon=True)
    thread.start()
    try:
        k.record(5)
        assert wait_for(lambda: outbox.status()["delivered"] == 5)
        server.stop()  # pull the network
        k.record(20)  # the terminal keeps serving and queueing
        assert wait_for(lambda: outbox.status()["link"] == "offline")
        status = outbox.status()
        assert status["pending"] == 20 and status["last_error"] and status["oldest_pending_age_s"] is not None
        status_file = k.data / "sync" / "status.json"  # the shell's indicator: refreshed within seconds
        assert wait_for(lambda: json.loads(status_file.read_text())["pending"] == 20, timeout_s=15)
        server = ThreadedDistrict(DistrictSettings(db_url=sqlite_db_url, demo=True), port=server.port).start()
        assert wait_for(lambda: outbox.status()["pending"] == 0)
        with Session(server.engine) as s:
            ids = s.scalars(select(ReceivedTransactionRow.id).order_by(ReceivedTransactionRow.rx)).all()
        assert len(ids) == 25 == len(set(ids))
        assert outbox.status()["link"] == "online"
    finally:
        stop.set()
        thread.join(timeout=10)
        server.stop()


def test_kiosk_with_a_wrong_clock_authenticates_and_records_skew(district_sqlite, kiosk_factory, null_log):
    k = kiosk_factory("SKEW", district_sqlite.url)
    k.record(3)
    daemon = SyncDaemon(k.config, k.engine, null_log, clock=lambda: time.time() + 3600.0)  # an hour fast
    assert daemon.drain().delivered == 3
    status = Outbox(k.engine).status()
    assert 3590 < status["clock_skew_s"] < 3610
    with Session(k.engine) as s:
        skews = s.scalars(text("SELECT clock_skew_s FROM outbox")).all()  # columns of migration 0002
    assert all(3590 < x < 3610 for x in skews)
    with Session(district_sqlite.engine) as s:
        server_skews = s.scalars(select(ReceivedTransactionRow.clock_skew_s)).all()
    assert all(abs(x) < 10 for x in server_skews)  # corrected timestamps arrive close to server time


def test_heartbeat_and_help_request_reach_the_district(district_sqlite, kiosk_factory, null_log):
    k = kiosk_factory("BEAT", district_sqlite.url)
    k.record(4)
    daemon = SyncDaemon(k.config, k.engine, null_log)
    daemon.ensure_enrolled()
    assert daemon.heartbeat()
    stats = district_stats(district_sqlite.engine)
    assert stats["kiosks"]["BEAT"]["last_heartbeat"] and stats["kiosks"]["BEAT"]["backlog"] == 4
    answer = daemon.link.post("/api/v1/help-requests", {"kind": "help", "item_id": "si-record",
                                                         "message": "printer jammed"})
    assert answer.body["id"] >= 1
    with Session(district_sqlite.engine) as s:
        assert s.scalar(select(HelpRequestRow.kiosk)) == "BEAT"
    assert district_stats(district_sqlite.engine)["help_requests_open"] == 1


def test_purge_only_delivered_rows_past_retention(district_sqlite, kiosk_factory, null_log):
    k = kiosk_factory("PURGE", district_sqlite.url, retention_days=30)
    k.record(6)
    daemon = SyncDaemon(k.config, k.engine, null_log)
    assert daemon.drain().delivered == 6
    k.record(2)  # pending: never purged
    old = (dt.datetime.now(dt.UTC) - dt.timedelta(days=31)).isoformat(timespec="seconds")
    with Session(k.engine) as s, s.begin():
        s.execute(update(OutboxRow).where(OutboxRow.seq <= 4).values(delivered_at=old))
    assert daemon.purge() == 4
    status = Outbox(k.engine).status()
    assert status["delivered"] == 2 and status["pending"] == 2


def test_backoff_grows_with_jitter_to_its_cap_and_honours_retry_after():
    b = Backoff(1.0, 30.0, random.Random(3))
    delays = [b.next_delay() for _ in range(10)]
    assert 0.5 <= delays[0] <= 1.0 and 1.0 <= delays[1] <= 2.0 and 2.0 <= delays[2] <= 4.0
    assert all(15.0 <= d <= 30.0 for d in delays[5:])
    assert len(set(delays)) == len(delays)  # jittered
    assert b.next_delay(retry_after_s=25.0) >= 25.0
    assert b.next_delay(retry_after_s=999.0) <= 30.0
    b.reset()
    assert b.next_delay() <= 1.0


def test_network_watch_notices_an_interface_coming_up(tmp_path):
    net = tmp_path / "net"
    (net / "eth0").mkdir(parents=True)
    (net / "eth0" / "operstate").write_text("down\n")
    route = tmp_path / "route"
    route.write_text("Iface\tDestination\n")
    watch = NetworkWatch(net, route)
    assert not watch.changed()
    (net / "eth0" / "operstate").write_text("up\n")
    route.write_text("Iface\tDestination\neth0\t00000000\n")
    assert watch.changed() and not watch.changed()


class FakeNetwork:
    """A NetworkWatch stand-in the test flips: 'the cable was plugged back in'."""

    def __init__(self) -> None:
        self.flag = threading.Event()

    def changed(self) -> bool:
        if self.flag.is_set():
            self.flag.clear()
            return True
        return False


def test_network_coming_back_retries_at_once_not_at_the_backoff_end(sqlite_db_url, kiosk_factory, null_log):
    server = ThreadedDistrict(DistrictSettings(db_url=sqlite_db_url, demo=True)).start()
    k = kiosk_factory("NET", server.url, backoff_base_s=60.0, backoff_cap_s=120.0)  # a long backoff
    outbox = Outbox(k.engine)
    network = FakeNetwork()
    daemon = SyncDaemon(k.config, k.engine, null_log, network=network)
    daemon.ensure_enrolled()
    server.stop()
    k.record(3)
    stop = threading.Event()
    thread = threading.Thread(target=daemon.run, args=(stop,), daemon=True)
    thread.start()
    try:
        assert wait_for(lambda: outbox.status()["link"] == "offline")  # first attempt failed: >= 30 s backoff
        server = ThreadedDistrict(DistrictSettings(db_url=sqlite_db_url, demo=True), port=server.port).start()
        time.sleep(1.5)
        assert outbox.status()["pending"] == 3  # still waiting out the backoff
        network.flag.set()
        assert wait_for(lambda: outbox.status()["pending"] == 0, timeout_s=5)
    finally:
        stop.set()
        thread.join(timeout=10)
        server.stop()


def test_a_rating_given_after_delivery_still_reaches_the_district(district_sqlite, kiosk_factory, null_log):
    k = kiosk_factory("RATE", district_sqlite.url)
    outbox = Outbox(k.engine)
    stop = threading.Event()
    thread = threading.Thread(target=SyncDaemon(k.config, k.engine, null_log).run, args=(stop,), daemon=True)
    thread.start()
    try:
        (tx_id,) = k.record(1)
        assert wait_for(lambda: outbox.status()["delivered"] == 1)
        k.store.set_rating(tx_id, "bad")  # the citizen rated on the Done screen after the daemon sent it
        assert wait_for(lambda: outbox.status()["pending"] == 0 and outbox.status()["delivered"] == 1)

        def stored_rating():
            with Session(district_sqlite.engine) as s:
                row = s.scalar(select(ReceivedTransactionRow).where(ReceivedTransactionRow.id == tx_id))
                return row.payload.get("rating")
        assert wait_for(lambda: stored_rating() == "bad")
        with Session(district_sqlite.engine) as s:
            assert s.scalar(select(text("count(*)")).select_from(ReceivedTransactionRow)) == 1
        assert district_stats(district_sqlite.engine)["kiosks"]["RATE"]["duplicates_refused"] == 0
    finally:
        stop.set()
        thread.join(timeout=10)


def test_an_idle_new_terminal_enrolls_and_heartbeats_without_any_transaction(district_sqlite, kiosk_factory,
                                                                            null_log):
    from district.models import HeartbeatRow

    k = kiosk_factory("IDLE", district_sqlite.url, heartbeat_s=0.5)
    stop = threading.Event()
    thread = threading.Thread(target=SyncDaemon(k.config, k.engine, null_log).run, args=(stop,), daemon=True)
    thread.start()
    try:
        def beats() -> int:
            with Session(district_sqlite.engine) as s:
                return len(s.scalars(select(HeartbeatRow).where(HeartbeatRow.kiosk == "IDLE")).all())
        assert wait_for(lambda: beats() >= 1, timeout_s=15)
        # the district stores the beat before it answers; the kiosk notes "online" once the answer is in
        assert wait_for(lambda: Outbox(k.engine).status()["link"] == "online", timeout_s=5)
    finally:
        stop.set()
        thread.join(timeout=10)
