"""Benchmarks of the district's data-source gateway against a loopback upstream (mutual TLS, the documented
example's sources file with its default retry and breaker settings): a good fetch, a source that is down, a slow
source, and the answer while the circuit is open. `python -m bench.bench_data_sources` prints the rows alone.

Targets: the kiosk waits 4 s for the district, so every failure must be known within the 3 s deadline; a good
fetch on loopback should cost the citizen nothing noticeable (p95 ≤ 100 ms, audit row included).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path


def _gateway(folder: Path, pki, url: str, **replace: str):
    from district.database import migrate, open_engine
    from tests.data_sources.conftest import make_gateway, write_sources

    folder.mkdir(parents=True)
    engine = open_engine(f"sqlite:///{folder / 'district.db'}")
    migrate(engine)
    return make_gateway(write_sources(folder, pki, url, **replace), engine), engine


def run() -> list[dict]:
    from district.data_sources.interface import CircuitOpen, RecordRequest, SourceUnavailable
    from tests.data_sources.pki import make_pki
    from tests.data_sources.upstream import SI_PERSON, Upstream
    from tests.services.district import free_port

    request = RecordRequest("social-insurance", SI_PERSON, 36)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        pki = make_pki(root / "pki")
        with Upstream(pki) as upstream:
            gateway, engine = _gateway(root / "good", pki, upstream.url)
            gateway.fetch(request, "bench")  # warm-up: TLS handshake, imports
            times = []
            for _ in range(100):
                t = time.perf_counter()
                gateway.fetch(request, "bench")
                times.append((time.perf_counter() - t) * 1000)
            gateway.close()
            engine.dispose()
            times.sort()
            rows += [{"name": "data source: good fetch over mTLS, p50 (audit included)", "value": statistics.median(times),
                      "unit": "ms", "target": None, "better": "lower"},
                     {"name": "data source: good fetch over mTLS, p95 (audit included)", "value": times[94],
                      "unit": "ms", "target": 100.0, "better": "lower"}]

            upstream.behaviour.slow_s = 5.0
            upstream.script(*["slow"] * 3)
            gateway, engine = _gateway(root / "slow", pki, upstream.url)
            t = time.perf_counter()
            try:
                gateway.fetch(request, "bench")
            except SourceUnavailable:
                pass
            rows.append({"name": "data source: slow source known unavailable (timeout 1.5 s, deadline 3 s)",
                         "value": time.perf_counter() - t, "unit": "s", "target": 3.1, "better": "lower"})
            gateway.close()
            engine.dispose()

        gateway, engine = _gateway(root / "down", pki, f"https://127.0.0.1:{free_port()}")
        t = time.perf_counter()
        try:
            gateway.fetch(request, "bench")
        except SourceUnavailable:
            pass
        rows.append({"name": "data source: down source known unavailable (3 tries, 0.2+0.4 s backoff)",
                     "value": time.perf_counter() - t, "unit": "s", "target": 3.0, "better": "lower"})
        for _ in range(4):  # the breaker's threshold is 5 failed fetches
            try:
                gateway.fetch(request, "bench")
            except SourceUnavailable:
                pass
        t = time.perf_counter()
        try:
            gateway.fetch(request, "bench")
        except CircuitOpen:
            pass
        rows.append({"name": "data source: answer while the circuit is open (audit included)",
                     "value": (time.perf_counter() - t) * 1000, "unit": "ms", "target": 20.0, "better": "lower"})
        gateway.close()
        engine.dispose()
    return rows


if __name__ == "__main__":
    for row in run():
        print(f"{row['name']:<75} {row['value']:10.3f} {row['unit']}")
