"""Sync benchmarks: kiosk durable commit, outbox drain rate, district ingest from 200 kiosks (SQLite and
PostgreSQL), catalog publish -> applied (poll 5 s; and default settings). Loopback only; servers and PostgreSQL
are private and torn down."""

from __future__ import annotations

import dataclasses
import statistics
import tempfile
import threading
import time
from pathlib import Path

from contract.durable_sqlite import open_engine, sqlite_url
from contract.eventlog import NullEventLog
from kiosk.config import Config, SyncConfig, TerminalConfig
from kiosk.store.database import migrate
from kiosk.store.transactions import TransactionStore


def _kiosk(root: Path, name: str, url: str, **sync) -> tuple[Config, object, TransactionStore]:
    data = root / name
    data.mkdir(parents=True)
    config = Config(terminal=TerminalConfig(kiosk_id=name, data_dir=data, district_url=url),
                    sync=dataclasses.replace(SyncConfig(), **sync))
    engine = open_engine(sqlite_url(data / "kiosk.db"))
    migrate(engine)
    return config, engine, TransactionStore(engine, name)


def _record(store: TransactionStore, n: int) -> list[float]:
    times = []
    for i in range(n):
        t = time.perf_counter()
        store.record(item_id="si-contribution-record", module_id="social-insurance-record", status="completed",
                     holder=f"{i:064x}", summary={"months": 36})
        times.append((time.perf_counter() - t) * 1000)
    return times


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def bench_commit(root: Path) -> list[dict]:
    _config, engine, store = _kiosk(root, "COMMIT", "http://127.0.0.1:9")
    _record(store, 20)  # warm-up
    times = _record(store, 400)
    engine.dispose()
    return [{"name": "sync: kiosk durable commit p50 (tx + outbox, synchronous=FULL)",
             "value": round(statistics.median(times), 3), "unit": "ms", "target": None, "better": "lower"},
            {"name": "sync: kiosk durable commit p99", "value": round(_percentile(times, 99), 3), "unit": "ms",
             "target": 10, "better": "lower"}]


def bench_drain(root: Path) -> list[dict]:
    from sync.daemon import SyncDaemon
    from tests.sync.district_process import ProcessDistrict

    server = ProcessDistrict(f"sqlite:///{root / 'drain-district.db'}").start()
    try:
        config, engine, store = _kiosk(root, "DRAIN", server.url, batch_size=500)
        daemon = SyncDaemon(config, engine, NullEventLog())
        daemon.ensure_enrolled()
        _record(store, 6000)
        t = time.perf_counter()
        result = daemon.drain()
        elapsed = time.perf_counter() - t
        assert result.outcome == "empty" and result.delivered == 6000, result
        engine.dispose()
    finally:
        server.stop()
    return [{"name": "sync: outbox drain rate to district on loopback (batches of 500, SQLite server)",
             "value": round(6000 / elapsed), "unit": "tx/s", "target": 2000, "better": "higher"}]


def bench_ingest(root: Path) -> list[dict]:
    from tests.sync.district_process import ProcessDistrict
    from tests.sync.fleet_simulator import simulate_fleet
    from tests.sync.private_postgres import PostgresUnavailable, PrivatePostgres
    from tests.sync.test_load import FLEET_ENROLLING

    rows = []
    server = ProcessDistrict(f"sqlite:///{root / 'ingest-district.db'}", extra=FLEET_ENROLLING).start()
    try:
        r = simulate_fleet(server.url, kiosks=200, batches=3, items=50, prefix="SQ")
    finally:
        server.stop()
    assert r.accepted == 30000, r
    rows.append({"name": "sync: district ingest, 200 kiosks x 3 batches x 50, SQLite, 1 process",
                 "value": round(r.ingest_rate), "unit": "tx/s", "target": None, "better": "higher"})
    server = ProcessDistrict(f"sqlite:///{root / 'ingest-district-2.db'}", extra=["--workers", "2", *FLEET_ENROLLING]).start()
    try:
        r = simulate_fleet(server.url, kiosks=200, batches=3, items=50, prefix="SW")
    finally:
        server.stop()
    assert r.accepted == 30000, r
    rows.append({"name": "sync: district ingest, 200 kiosks x 3 batches x 50, SQLite, 2 workers",
                 "value": round(r.ingest_rate), "unit": "tx/s", "target": None, "better": "higher"})
    try:
        pg = PrivatePostgres(durable=True).start()
    except PostgresUnavailable as exc:
        rows.append({"name": f"sync: district ingest on PostgreSQL unavailable: {exc}", "value": None,
                     "unit": "", "target": None, "better": "higher"})
        return rows
    try:
        url = pg.create_database("bench")
        servers = [ProcessDistrict(url, extra=FLEET_ENROLLING).start() for _ in range(2)]
        try:
            r = simulate_fleet([s.url for s in servers], kiosks=200, batches=3, items=50, prefix="PG")
        finally:
            for s in servers:
                s.stop()
        assert r.accepted == 30000, r
        rows.append({"name": "sync: district ingest, 200 kiosks x 3 batches x 50, PostgreSQL, 2 processes",
                     "value": round(r.ingest_rate), "unit": "tx/s", "target": None, "better": "higher"})
    finally:
        pg.stop()
    return rows


def bench_publish_to_applied(root: Path) -> list[dict]:
    from district.database import open_engine as district_engine
    from district.tuf_repository import OperatorKeys, TufRepository
    from sync.daemon import SyncDaemon
    from tests.sync.district_process import REPO, ProcessDistrict

    db = f"sqlite:///{root / 'catalog-district.db'}"
    keys = OperatorKeys(root / "keys")
    keys.create_missing()
    server = ProcessDistrict(db, keys=keys.folder).start()  # a demo server initialises with these keys
    poll = 5.0
    try:
        repository = TufRepository(district_engine(db))
        repository.initialise(keys)
        config, engine, _store = _kiosk(root, "CATALOG", server.url, catalog_poll_s=poll)
        daemon = SyncDaemon(config, engine, NullEventLog())
        daemon.ensure_enrolled()
        stop = threading.Event()
        thread = threading.Thread(target=daemon.run, args=(stop,), daemon=True)
        thread.start()
        base = (REPO / "assets" / "catalog" / "catalog.json").read_bytes()
        current = config.data_dir / "catalog" / "current.json"
        samples = []
        try:
            for version in (1001, 1002, 1003):
                data = base.replace(b'"version": 1,', f'"version": {version},'.encode(), 1)
                if data == base:
                    import json

                    doc = json.loads(base)
                    doc["version"] = version
                    data = json.dumps(doc, ensure_ascii=False).encode()
                t = time.perf_counter()
                repository.publish(keys, data, version)
                deadline = t + poll + 30
                while time.perf_counter() < deadline and not (current.exists() and current.read_bytes() == data):
                    time.sleep(0.02)
                samples.append(time.perf_counter() - t)
        finally:
            stop.set()
            thread.join(timeout=15)
        engine.dispose()
    finally:
        server.stop()
    return [{"name": f"sync: catalog publish -> applied on a kiosk (poll {poll:.0f} s, worst of 3)",
             "value": round(max(samples), 2), "unit": "s", "target": poll + 2, "better": "lower"}]


def bench_publish_to_applied_defaults(root: Path, trials: int = 6) -> list[dict]:
    """Issue 14, point 3: publish -> applied with the default settings (heartbeat_s, catalog_poll_s untouched),
    publishing at random moments of the heartbeat cycle; plus what one heartbeat costs (the price of its
    interval: one signed POST whose answer names the published catalog)."""
    import random

    from district.database import open_engine as district_engine
    from district.tuf_repository import OperatorKeys, TufRepository
    from sync.daemon import SyncDaemon
    from tests.sync.district_process import ProcessDistrict
    from tests.sync.test_catalog import catalog_bytes

    db = f"sqlite:///{root / 'catalog-defaults-district.db'}"
    keys = OperatorKeys(root / "keys")
    keys.create_missing()
    server = ProcessDistrict(db, keys=keys.folder).start()  # a demo server initialises with these keys
    defaults = SyncConfig()
    try:
        repository = TufRepository(district_engine(db))
        repository.initialise(keys)
        data_dir = root / "CATDEF"
        data_dir.mkdir()
        config = Config(terminal=TerminalConfig(kiosk_id="CATDEF", data_dir=data_dir, district_url=server.url))
        assert config.sync == defaults
        engine = open_engine(sqlite_url(data_dir / "kiosk.db"))
        migrate(engine)
        daemon = SyncDaemon(config, engine, NullEventLog())
        daemon.ensure_enrolled()
        beats = []
        for _ in range(50):
            t = time.perf_counter()
            assert daemon.heartbeat()
            beats.append((time.perf_counter() - t) * 1000)
        stop = threading.Event()
        thread = threading.Thread(target=daemon.run, args=(stop,), daemon=True)
        thread.start()
        current = data_dir / "catalog" / "current.json"
        samples = []
        rng = random.Random(14)
        try:
            for version in range(2001, 2001 + trials):
                time.sleep(rng.uniform(0.0, defaults.heartbeat_s))  # a random phase of the heartbeat cycle
                data = catalog_bytes(version, f"bench {version}")
                t = time.perf_counter()
                repository.publish(keys, data, version, only_higher=True)
                deadline = t + 60
                while time.perf_counter() < deadline and not (current.exists() and current.read_bytes() == data):
                    time.sleep(0.02)
                samples.append(time.perf_counter() - t)
        finally:
            stop.set()
            thread.join(timeout=15)
        engine.dispose()
    finally:
        server.stop()
    label = f"heartbeat {defaults.heartbeat_s:g} s, poll {defaults.catalog_poll_s:g} s"
    return [{"name": f"sync: catalog publish -> applied, default settings ({label}), median of {trials}",
             "value": round(statistics.median(samples), 2), "unit": "s", "target": None, "better": "lower"},
            {"name": f"sync: catalog publish -> applied, default settings ({label}), worst of {trials}",
             "value": round(max(samples), 2), "unit": "s", "target": 10, "better": "lower"},
            {"name": "sync: one heartbeat round trip (signed POST, answer names the published catalog) p50",
             "value": round(statistics.median(beats), 2), "unit": "ms", "target": None, "better": "lower"}]


def run() -> list[dict]:
    """All sync benchmark rows."""
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="bench-sync-") as tmp:
        root = Path(tmp)
        for bench in (bench_commit, bench_drain, bench_ingest, bench_publish_to_applied,
                      bench_publish_to_applied_defaults):
            sub = root / bench.__name__
            sub.mkdir()
            rows.extend(bench(sub))
    return rows


if __name__ == "__main__":
    import json
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    for row in run():
        print(json.dumps(row, ensure_ascii=False))
