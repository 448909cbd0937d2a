"""District at city scale (issue 16, point 6): ingest from 200 concurrent kiosks, and heartbeats from 5,000
kiosks every 30 s, against `kiosk-district serve --workers 2` on a private PostgreSQL with its durable defaults.

The load generators (bench.fleet_load: asyncio streams on uvloop) run on the same machine (2 cores, shared), so
besides the wall-clock figures each row set reports the CPU time every party spent (server workers, PostgreSQL,
simulated kiosks): CPU time per request does not depend on what else the machine was doing, and says what 2
dedicated cores can carry. Latencies are given twice: at the kiosk (the generator's clock, which includes its own
scheduling on a busy machine) and the server's own time (its `Server-Timing` header). The load averages at the
start (and end) of each run are part of the row's name. Loopback only; servers and PostgreSQL are private and
torn down.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import statistics
import time

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

_TICK = os.sysconf("SC_CLK_TCK")


def _cpu_s(pids: set[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / _TICK
    return total


def _tree(root: int) -> set[int]:
    """`root` and every process descending from it (uvicorn's workers, PostgreSQL's backends)."""
    parents: dict[int, int] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                parents[int(name)] = int(open(f"/proc/{name}/stat").read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    found, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in found:
                found.add(pid)
                frontier.append(pid)
    return found


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def _postgres_root(pg) -> int:
    return pg._proc.pid


def _uptime() -> str:
    return "load averages " + " ".join(open("/proc/loadavg").read().split()[:3])


def _stored(db_url: str) -> tuple[int, int]:
    """(rows, distinct ids) in received_transactions."""
    from sqlalchemy import text

    from district.database import open_engine

    engine = open_engine(db_url)
    try:
        with engine.connect() as c:
            rows, distinct = c.execute(text("SELECT count(*), count(DISTINCT id) FROM received_transactions")).one()
            return rows, distinct
    finally:
        engine.dispose()


def bench_ingest(pg, kiosks: int = 200, batches: int = 5, items: int = 100) -> list[dict]:
    """`items` per batch: the sync daemon's default batch size (kiosk/config.py, batch_size)."""
    from bench import fleet_load
    from tests.sync.district_process import ProcessDistrict

    url = pg.create_database("ingest")
    signers = _enroll_directly(url, kiosks, "CS")
    server = ProcessDistrict(url, extra=["--workers", "2"]).start(timeout_s=180)
    try:
        servers, database = _tree(server.proc.pid), _tree(_postgres_root(pg))
        before = (_cpu_s(servers), _cpu_s(database), time.process_time())
        load = _uptime()
        result = fleet_load.run(fleet_load.ingest(server.url, signers, batches, items))
        servers, database = _tree(server.proc.pid), _tree(_postgres_root(pg))
        spent = (_cpu_s(servers) - before[0], _cpu_s(database) - before[1], time.process_time() - before[2])
    finally:
        server.stop()
    total = kiosks * batches * items
    rows, distinct = _stored(url)
    # Exactly once: every transaction accepted once and stored once; none refused, none counted twice.
    assert result.accepted == total and result.duplicate == 0 and result.rejected == 0, result
    assert rows == distinct == total, (rows, distinct, total)
    per_k = [round(x / total * 1000, 3) for x in spent]
    capacity = 2 / (sum(spent) / total)  # what 2 cores doing nothing else would carry, all three parties included
    label = f"{kiosks} kiosks x {batches} batches x {items}, PostgreSQL, 2 uvicorn workers"
    return [
        {"name": f"cityscale: district ingest, {label} (wall clock, shared machine, {load} at start)",
         "value": round(result.rate), "unit": "tx/s", "target": 5000, "better": "higher"},
        {"name": "cityscale: ingest CPU per 1,000 tx: server workers", "value": per_k[0], "unit": "cpu-s",
         "target": None, "better": "lower"},
        {"name": "cityscale: ingest CPU per 1,000 tx: PostgreSQL", "value": per_k[1], "unit": "cpu-s",
         "target": None, "better": "lower"},
        {"name": f"cityscale: ingest CPU per 1,000 tx: the {kiosks} simulated kiosks (client)", "value": per_k[2],
         "unit": "cpu-s", "target": None, "better": "lower"},
        {"name": "cityscale: ingest capacity of 2 dedicated cores (servers + PostgreSQL + kiosks, from CPU time)",
         "value": round(capacity), "unit": "tx/s", "target": 5000, "better": "higher"},
        {"name": "cityscale: ingest batches retried (429/5xx)", "value": result.retried, "unit": "count",
         "target": None, "better": "lower"},
        {"name": f"cityscale: ingest batch p99 server time ({items} items, Server-Timing)",
         "value": round(_percentile(result.server_ms, 99), 1) if result.server_ms else None, "unit": "ms",
         "target": None, "better": "lower"},
    ]


def _enroll_directly(db_url: str, count: int, prefix: str) -> list:
    """`count` enrolled kiosks written straight into the database (the set-up, not what is measured)."""
    from sqlalchemy import insert
    from sqlalchemy.orm import Session

    from contract.request_signing import RequestSigner, public_key_hex
    from district.database import migrate, open_engine
    from district.models import KioskRow

    engine = open_engine(db_url)
    migrate(engine)
    signers, rows, now = [], [], time.time()
    for n in range(count):
        key = Ed25519PrivateKey.generate()
        name = f"{prefix}{n:05d}"
        signers.append(RequestSigner(name, key))
        rows.append({"name": name, "state": "enrolled", "public_key": public_key_hex(key), "created_at": now,
                     "enrolled_at": now, "duplicates_refused": 0})
    with Session(engine) as s, s.begin():
        s.execute(insert(KioskRow), rows)
    engine.dispose()
    return signers


def _beat(n: int) -> bytes:
    """A heartbeat as the daemon writes it (sync.daemon.SyncDaemon.heartbeat)."""
    return json.dumps({"backlog": n % 3, "oldest_pending_age_s": None if n % 3 == 0 else 4.2, "dead_letters": 0,
                       "last_success": "2026-11-29T09:00:00+00:00", "last_error": None, "catalog_version": 7,
                       "catalog_expired": False, "catalog_source": "district", "catalog_fallback": None,
                       "catalog_refused": None, "software_version": "0.19.0",
                       "devices": {"document_reader": {"state": "ready"}, "printer": {"state": "ready"},
                                   "camera": {"state": "ready"}, "receipt_printer": {"state": "ready"}}},
                      separators=(",", ":")).encode()


async def _heartbeats(url: str, signers: list, period_s: float, rounds: int) -> tuple:
    """Each kiosk beats every `period_s`, the kiosks' phases spread evenly over the period as a fleet's daemons
    drift apart (open loop: a slow answer delays nobody). Each beat opens a connection of its own, as a daemon's
    does every 30 s (longer than the server's keep-alive): the TCP handshake is part of what is timed.
    Returns (client latencies ms, server times ms, send lags s, failures)."""
    from bench import fleet_load

    host, port = fleet_load.loopback(url)
    latencies: list[float] = []
    server_ms: list[float] = []
    late: list[float] = []
    failures: list[str] = []
    bodies = [_beat(n) for n in range(16)]
    start = time.perf_counter() + 1.0
    order = list(range(len(signers)))
    random.Random(16).shuffle(order)
    offsets = [(slot * period_s / len(order), n) for slot, n in enumerate(order)]

    async def one(due: float, signer, body: bytes, counted: bool) -> None:
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        sent = time.perf_counter()
        headers = {"Content-Type": "application/json", **signer("POST", "/api/v1/heartbeat", body)}
        try:
            answer = await fleet_load.post_once(host, port, "/api/v1/heartbeat", body, headers)
        except (OSError, ValueError, IndexError, asyncio.IncompleteReadError) as exc:  # refused, reset, no answer
            failures.append(f"{type(exc).__name__} (round {'2+' if counted else 1})")
            return
        if answer.status != 200:
            failures.append(f"{answer.status} (round {'2+' if counted else 1})")
        elif counted:
            latencies.append((time.perf_counter() - sent) * 1000)
            late.append(sent - due)
            if (ms := answer.server_ms()) is not None:
                server_ms.append(ms)

    # The first round warms up (every worker opens its database connections, every kiosk beats once): the
    # steady state is what is measured.
    await asyncio.gather(*(one(start + k * period_s + offset, signers[n], bodies[n % len(bodies)], k > 0)
                           for k in range(rounds) for offset, n in offsets))
    return latencies, server_ms, late, failures


def bench_heartbeats(pg, kiosks: int = 5000, period_s: float = 30.0, rounds: int = 3) -> list[dict]:
    from bench import fleet_load
    from tests.sync.district_process import ProcessDistrict

    url = pg.create_database("heartbeats")
    signers = _enroll_directly(url, kiosks, "HB")
    server = ProcessDistrict(url, extra=["--workers", "2"]).start(timeout_s=180)
    try:
        servers, database = _tree(server.proc.pid), _tree(_postgres_root(pg))
        before = (_cpu_s(servers), _cpu_s(database), time.process_time())
        load = _uptime()
        latencies, server_ms, late, failures = fleet_load.run(_heartbeats(server.url, signers, period_s, rounds))
        load = f"{load} at start, {_uptime()[len('load averages '):]} at end"
        servers, database = _tree(server.proc.pid), _tree(_postgres_root(pg))
        answered = kiosks * rounds - sum(1 for f in failures if not f[0].isdigit())  # got an HTTP status
        server_cpu = (_cpu_s(servers) - before[0]) * 1000 / max(1, answered)
        database_cpu = (_cpu_s(database) - before[1]) * 1000 / max(1, answered)
        client_cpu = (time.process_time() - before[2]) * 1000 / max(1, answered)
    finally:
        server.stop()
    cpu_ms = server_cpu + database_cpu
    label = (f"{kiosks} kiosks every {period_s:g} s ({kiosks / period_s:.0f}/s, phases spread evenly), rounds 2-"
             f"{rounds}, PostgreSQL, 2 workers, a new connection per beat; {load}")
    if not latencies:
        return [{"name": f"cityscale: heartbeats, {label}: no answer ({failures[:3]})", "value": None, "unit": "ms",
                 "target": 50, "better": "lower"}]
    return [
        {"name": "cityscale: heartbeat CPU per beat, server workers", "value": round(server_cpu, 2),
         "unit": "cpu-ms", "target": None, "better": "lower"},
        {"name": "cityscale: heartbeat CPU per beat, PostgreSQL", "value": round(database_cpu, 2),
         "unit": "cpu-ms", "target": None, "better": "lower"},
        {"name": "cityscale: heartbeat CPU per beat, load generator (client)", "value": round(client_cpu, 2),
         "unit": "cpu-ms", "target": None, "better": "lower"},
        {"name": "cityscale: heartbeats per second 2 dedicated cores could answer (servers + PostgreSQL, CPU time)",
         "value": round(2000 / cpu_ms) if cpu_ms else None, "unit": "1/s", "target": round(kiosks / period_s),
         "better": "higher"},
        {"name": "cityscale: heartbeats without an answer (refused, reset or not 200), all rounds",
         "value": len(failures), "unit": "count", "target": 0, "better": "lower"},
        {"name": f"cityscale: heartbeat answer p99 at the kiosk (client clock), {label}",
         "value": round(_percentile(latencies, 99), 1), "unit": "ms", "target": 50, "better": "lower"},
        {"name": "cityscale: heartbeat answer p50 at the kiosk (client clock)",
         "value": round(statistics.median(latencies), 1), "unit": "ms", "target": None, "better": "lower"},
        {"name": "cityscale: heartbeat p99 server time (Server-Timing: app to answer start)",
         "value": round(_percentile(server_ms, 99), 1) if server_ms else None, "unit": "ms", "target": 50,
         "better": "lower"},
        {"name": "cityscale: heartbeat sent later than scheduled, p99 (load generator lag)",
         "value": round(_percentile(late, 99) * 1000, 1), "unit": "ms", "target": None, "better": "lower"},
    ]


def run() -> list[dict]:
    """The city-scale rows."""
    from tests.sync.private_postgres import PostgresUnavailable, PrivatePostgres

    try:
        pg = PrivatePostgres(durable=True).start()
    except PostgresUnavailable as exc:
        return [{"name": f"cityscale: PostgreSQL unavailable: {exc}", "value": None, "unit": "", "target": None,
                 "better": "higher"}]
    rows: list[dict] = []
    try:
        rows += bench_ingest(pg)
        rows += bench_heartbeats(pg)
    finally:
        pg.stop()
    return rows


if __name__ == "__main__":
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    only = sys.argv[1] if len(sys.argv) > 1 else ""
    from tests.sync.private_postgres import PrivatePostgres

    pg = PrivatePostgres(durable=True).start()
    try:
        for bench in (bench_ingest, bench_heartbeats):
            if only in bench.__name__:
                for row in bench(pg):
                    print(json.dumps(row, ensure_ascii=False))
    finally:
        pg.stop()
