"""Exactly-once effect through faults: a proxy that drops, delays, duplicates, fails and cuts answers after the
server committed; and SIGKILL of the daemon process at random points during drains. SQLite and PostgreSQL."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time

from sqlalchemy import select
from sqlalchemy.orm import Session

from district.models import ReceivedTransactionRow
from kiosk.store.models import OutboxRow, TransactionRow
from sync.daemon import SyncDaemon
from tests.sync.district_process import REPO
from tests.sync.fault_proxy import FaultProxy


def kiosk_ids(engine) -> list[str]:
    with Session(engine) as s:
        return list(s.scalars(select(TransactionRow.id).order_by(TransactionRow.seq)))


def pending(engine) -> int:
    with Session(engine) as s:
        return len(s.scalars(select(OutboxRow.id).where(OutboxRow.state == "pending")).all())


def server_ids_in_arrival_order(engine, kiosk: str) -> list[str]:
    with Session(engine) as s:
        return list(s.scalars(select(ReceivedTransactionRow.id).where(ReceivedTransactionRow.kiosk == kiosk)
                              .order_by(ReceivedTransactionRow.rx)))


def assert_exactly_once_in_order(server_engine, kiosk_engine, name: str) -> None:
    sent = kiosk_ids(kiosk_engine)
    got = server_ids_in_arrival_order(server_engine, name)
    assert len(got) == len(set(got)), "duplicates stored"
    assert got == sent, f"{name}: server has {len(got)} of {len(sent)}, or out of order"


def test_fault_proxy_exactly_once_in_order(district, kiosk_factory, null_log):
    proxy = FaultProxy(district.url, fault_rate=0.45, seed=7).start()
    kiosks = [kiosk_factory(f"F{n}", proxy.url, batch_size=15) for n in range(3)]
    stop = threading.Event()
    daemons = []
    try:
        for k in kiosks:
            t = threading.Thread(target=SyncDaemon(k.config, k.engine, null_log).run, args=(stop,), daemon=True)
            t.start()
            daemons.append(t)
        for _round in range(6):  # transactions keep arriving while the daemons fight the faults
            for k in kiosks:
                k.record(25)
            time.sleep(0.2)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and any(pending(k.engine) for k in kiosks):
            time.sleep(0.2)
        assert not any(pending(k.engine) for k in kiosks), "backlog not drained through the faults"
    finally:
        stop.set()
        for t in daemons:
            t.join(timeout=15)
        proxy.stop()
    for k in kiosks:
        assert_exactly_once_in_order(district.engine, k.engine, k.config.terminal.kiosk_id)
    injected = {f: n for f, n in proxy.counts.items() if f != "pass"}
    assert {"drop", "duplicate", "duplicate-second", "500", "503", "429", "cut-after-commit"} <= set(injected), \
        injected


def test_sigkill_daemon_many_times(district, kiosk_factory, tmp_path):
    k = kiosk_factory("KILL", district.url)
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text(f'[terminal]\nkiosk_id = "KILL"\ndistrict_url = "{district.url}"\n'
                   '[sync]\nbatch_size = 8\ninterval_s = 0.2\nbackoff_base_s = 0.05\nbackoff_cap_s = 0.5\n'
                   'catalog_poll_s = 3600.0\n')
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "sync.daemon_cli", "--config", str(cfg), "--data", str(k.data)]
    rng = random.Random(11)
    kills = mid_drain = 0
    for _ in range(8):
        before = len(server_ids_in_arrival_order(district.engine, "KILL"))
        backlog = pending(k.engine)
        if backlog < 200:
            k.record(200 - backlog)  # keep a backlog (25 batches) to kill the daemon in the middle of
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and len(server_ids_in_arrival_order(district.engine, "KILL")) == before:
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.12))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        kills += 1
        mid_drain += pending(k.engine) > 0
    assert kills == 8 and mid_drain >= 4, f"only {mid_drain} of the kills landed during a drain"
    done = subprocess.run([*cmd, "--once"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert pending(k.engine) == 0
    assert_exactly_once_in_order(district.engine, k.engine, "KILL")
