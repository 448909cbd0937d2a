"""Catalog rollout benchmarks (district side, SQLite): what a staged rollout adds to every heartbeat (the per-kiosk
offer and the automatic-halt check, in the heartbeat's transaction), and the rollout status operators watch, with
200 kiosks, a canary group of 20 and an open stage."""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy.orm import Session

from contract.catalog.modules import fleet_modules
from contract.heartbeat import Heartbeat
from district.catalog_rollout import halt_on_refusal, offer_in, publish_version, rollout_status
from district.database import migrate, open_engine
from district.kiosk_groups import add_to_group
from district.kiosk_registry import add_kiosk
from district.models import HeartbeatRow
from district.offer_cache import OfferCache
from district.tuf_repository import OperatorKeys, TufRepository

REPO = Path(__file__).resolve().parents[1]
KIOSKS, CANARIES, BEATS = 200, 20, 2000


def _catalog(version: int) -> bytes:
    doc = json.loads((REPO / "assets" / "catalog" / "catalog.json").read_text(encoding="utf-8"))
    doc["version"] = version
    return json.dumps(doc, ensure_ascii=False).encode()


def run() -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="bench-rollout-") as tmp:
        engine = open_engine(f"sqlite:///{Path(tmp) / 'district.db'}")
        migrate(engine)
        keys = OperatorKeys(Path(tmp) / "keys")
        keys.create_missing()
        repository = TufRepository(engine)
        repository.initialise(keys)
        names = [f"K{n:03d}" for n in range(KIOSKS)]
        for name in names:
            add_kiosk(engine, name)
        add_to_group(engine, "canary", names[:CANARIES])
        publish_version(repository, keys, _catalog(1), fleet_modules())
        publish_version(repository, keys, _catalog(2), fleet_modules(), group="canary")
        beat = Heartbeat(catalog_version=1)
        cache = OfferCache(repository)  # as the server answers: the offers cached while nothing changes
        added, whole = [], []
        for n in range(BEATS):
            name = names[n % KIOSKS]
            start = time.perf_counter()
            with Session(engine) as s, s.begin():
                s.merge(HeartbeatRow(kiosk=name, received_at=time.time(), clock_skew_s=0.0,
                                     body=beat.model_dump(mode="json")))
                s.flush()  # the heartbeat's own write, as before rollouts existed
                mark = time.perf_counter()
                halt_on_refusal(s, name, beat)
                offer = offer_in(cache.state(s), name, beat.catalog_version)
                added.append((time.perf_counter() - mark) * 1000)
            whole.append((time.perf_counter() - start) * 1000)
            assert offer is not None and offer.version == (2 if n % KIOSKS < CANARIES else 1)
        status_times = []
        for _ in range(20):
            start = time.perf_counter()
            rollout_status(engine, repository)
            status_times.append((time.perf_counter() - start) * 1000)
        engine.dispose()
    return [
        {"name": "rollout: per-kiosk offer (process cache, generation read) + halt check added to a heartbeat, 200 "
                 "kiosks, open stage (SQLite), median", "value": round(statistics.median(added), 3), "unit": "ms", "target": None,
         "better": "lower"},
        {"name": "rollout: same, p99", "value": round(statistics.quantiles(added, n=100)[98], 3), "unit": "ms",
         "target": None, "better": "lower"},
        {"name": "rollout: whole heartbeat transaction with it (fsync included), median",
         "value": round(statistics.median(whole), 3), "unit": "ms", "target": None, "better": "lower"},
        {"name": "rollout: catalog status with applied counts, 200 kiosks, median",
         "value": round(statistics.median(status_times), 3), "unit": "ms", "target": None, "better": "lower"},
    ]


if __name__ == "__main__":
    for row in run():
        print(f"{row['name']}: {row['value']} {row['unit']}")
