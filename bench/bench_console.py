"""Operators' console: the fleet page with 200 kiosks heartbeating (issue 12: rendered in <= 300 ms).

A real `kiosk-district serve` (child process, SQLite) with 200 simulated kiosks enrolled like real ones, each
sending a signed heartbeat (devices, backlog, versions) every 2 s for the whole measurement; meanwhile an
operator's session fetches /console/fleet (the whole page: 200 rows, statuses, alerts) and its refreshing
fragment. The time is the HTTP round trip on loopback, what the browser waits for. Each row says the machine's
load averages (1 and 5 min) over its measurement: on a shared 2-core machine the tail measures the other load as
much as the page.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import re
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from contract.request_signing import RequestSigner

KIOSKS = 200
HEARTBEAT_S = 5.0  # kiosk.config.SyncConfig.heartbeat_s, what a deployed kiosk sends
SAMPLES = 100  # enough for a p95 that is not one sample
PASSWORD = "bench passphrase 12"
TARGET_MS = 300.0


def _beat(n: int) -> bytes:
    devices = {"reader": "IDLE", "printer": "ERROR" if n % 17 == 0 else "IDLE", "receipt_printer": "IDLE",
               "camera": "IDLE", "at": "2026-11-29T10:00:00+00:00",
               "checks": {"printer": {"status": {"health": "fault" if n % 17 == 0 else "ok",
                                                 "status_id": "PRN-0001", "at": "2026-11-29T10:00:00+00:00",
                                                 "text": "paper"}}}}
    return json.dumps({"backlog": n % 7, "dead_letters": 1 if n % 50 == 0 else 0, "catalog_version": 1,
                       "software_version": "0.1.0", "devices": devices}).encode()


async def _heartbeats(url: str, stop, sent) -> None:
    limits = httpx.Limits(max_connections=KIOSKS, max_keepalive_connections=KIOSKS)
    async with httpx.AsyncClient(base_url=url, timeout=60.0, limits=limits) as client:
        signers = []
        for n in range(KIOSKS):
            key = Ed25519PrivateKey.generate()
            name = f"BENCH{n:04d}"
            from contract.request_signing import public_key_hex

            (await client.post("/api/v1/enroll", json={"kiosk_id": name, "public_key": public_key_hex(key)}))\
                .raise_for_status()
            signers.append((n, RequestSigner(name, key)))

        async def kiosk(n: int, signer: RequestSigner) -> None:
            await asyncio.sleep(HEARTBEAT_S * n / KIOSKS)  # spread over the period, as real kiosks drift apart
            body = _beat(n)
            while not stop.is_set():
                headers = {"Content-Type": "application/json", **signer("POST", "/api/v1/heartbeat", body)}
                try:
                    r = await client.post("/api/v1/heartbeat", content=body, headers=headers)
                    if r.status_code == 200:
                        with sent.get_lock():
                            sent.value += 1
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(HEARTBEAT_S)

        await asyncio.gather(*(kiosk(n, s) for n, s in signers))


def _fleet_process(url: str, stop, sent) -> None:
    """The simulated fleet in a process of its own: its signing and HTTP must not share the GIL of the client
    whose page loads are timed."""
    asyncio.run(_heartbeats(url, stop, sent))


def _session(url: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=60.0)
    page = client.get("/console/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    # The cookies are Secure: httpx keeps them for https only, so carry them by hand on loopback http.
    login_cookie = page.cookies.get("console_login_csrf")
    answer = client.post("/console/login", data={"csrf_token": token, "name": "bench", "password": PASSWORD,
                                                 "next": "/console/fleet"},
                         headers={"Cookie": f"console_login_csrf={login_cookie}"})
    session = answer.cookies.get("kiosk_console")
    assert answer.status_code == 303 and session, answer.text
    client.headers["Cookie"] = f"kiosk_console={session}"
    return client


def _timed(client: httpx.Client, path: str, rows: int) -> list[float]:
    # Steady state: the server compiles each template once, at its first use in the process (not timed).
    assert client.get(path).status_code == 200
    times = []
    for _ in range(SAMPLES):
        started = time.perf_counter()
        r = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert r.status_code == 200 and r.text.count("data-kiosk=") == rows, r.status_code
        time.sleep(0.1)
    return times


def _p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(round(0.95 * len(values))) - 1)]


def _load() -> tuple[float, float]:
    one, five, _fifteen = os.getloadavg()
    return one, five


def _loads(before: tuple[float, float], after: tuple[float, float]) -> str:
    """The load averages over a measurement, as its rows say them."""
    return (f"load avg 1 min {before[0]:.1f}->{after[0]:.1f}, 5 min {before[1]:.1f}->{after[1]:.1f}, "
            f"{os.cpu_count()} cores")


def run() -> list[dict]:
    from district.console import accounts
    from district.database import migrate, open_engine
    from tests.sync.district_process import ProcessDistrict

    root = Path(tempfile.mkdtemp(prefix="bench-console-"))
    db = f"sqlite:///{root / 'district.db'}"
    engine = open_engine(db)
    migrate(engine)
    accounts.add_operator(engine, "bench", "viewer", PASSWORD)
    engine.dispose()
    server = ProcessDistrict(db, extra=["--public-rate", "1000", "--public-burst", "1000"]).start(timeout_s=120)
    ctx = multiprocessing.get_context("spawn")
    stop, sent = ctx.Event(), ctx.Value("i", 0)
    beats = ctx.Process(target=_fleet_process, args=(server.url, stop, sent), daemon=True)
    try:
        beats.start()
        client = _session(server.url)
        deadline = time.monotonic() + 120
        while len(client.get("/console/api/fleet").json()["kiosks"]) < KIOSKS or sent.value < 2 * KIOSKS:
            assert time.monotonic() < deadline, "the simulated fleet did not come up"
            time.sleep(0.5)
        before = sent.value
        started = time.monotonic()
        load_before = _load()
        page = _timed(client, "/console/fleet", KIOSKS)
        fragment = _timed(client, "/console/fleet/table?q=&status=&sort=status&desc=", KIOSKS)
        load = _loads(load_before, _load())
        rate = (sent.value - before) / (time.monotonic() - started)
        client.close()
    finally:
        stop.set()
        beats.join(timeout=30)
        if beats.is_alive():
            beats.terminate()
        server.stop()
    load_before = _load()
    in_process, in_process_cpu = _render_in_process(db)
    in_process_load = _loads(load_before, _load())
    # the rate the server answered: below KIOSKS / HEARTBEAT_S when heartbeats queue (each kiosk waits for its answer)
    label = f"{KIOSKS} kiosks heartbeating every {HEARTBEAT_S:g} s ({rate:.0f}/s of {KIOSKS / HEARTBEAT_S:.0f}/s)"
    # Issue 12: "renders in <= 300 ms" with 200 kiosks heartbeating, held on the p95 as well as the median.
    rows = []
    for what, times in (("fleet page", page), ("fleet table fragment (htmx refresh)", fragment)):
        for stat, value in (("p50", statistics.median(times)), ("p95", _p95(times))):
            rows.append({"name": f"console: {what}, {label}, {stat} ({load})", "value": round(value, 1),
                         "unit": "ms", "target": TARGET_MS, "better": "lower"})
    for stat, value in (("p50", statistics.median(in_process)), ("p95", _p95(in_process))):
        rows.append({"name": f"console: fleet page built in process, {KIOSKS} kiosks' last heartbeats, no "
                             f"heartbeats competing, {stat} ({in_process_load})", "value": round(value, 1),
                     "unit": "ms", "target": None, "better": "lower"})
    rows.append({"name": f"console: fleet page built in process, {KIOSKS} kiosks, CPU time per page (process, "
                         f"test client included), p50", "value": round(statistics.median(in_process_cpu), 1),
                 "unit": "ms", "target": None, "better": "lower"})
    return rows


def _render_in_process(db: str) -> tuple[list[float], list[float]]:
    """The page's own cost (query, statuses, alerts, template) on the database the fleet just filled, without the
    heartbeats competing for the server's CPU: what the round trip above adds is contention and transport.
    (wall times, CPU times): the CPU time (the process's, test client included) depends little on the machine's
    other load, the wall time a lot."""
    from fastapi.testclient import TestClient

    from district.app import create_app
    from district.settings import DistrictSettings

    app = create_app(DistrictSettings(db_url=db))
    with TestClient(app, base_url="https://testserver") as client:
        page = client.get("/console/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        client.post("/console/login", data={"csrf_token": token, "name": "bench", "password": PASSWORD,
                                            "next": "/console/fleet"})
        times, cpu = [], []
        for _ in range(SAMPLES):
            started, cpu_started = time.perf_counter(), time.process_time()
            r = client.get("/console/fleet")
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
            assert r.status_code == 200 and r.text.count("data-kiosk=") == KIOSKS
    app.state.engine.dispose()
    return times, cpu


if __name__ == "__main__":
    for row in run():
        print(row)
