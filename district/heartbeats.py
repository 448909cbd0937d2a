"""Recording a kiosk's heartbeat and answering it, in one database transaction on one worker thread.

5,000 kiosks beating every 30 s are 167 requests a second, each worth a row. The endpoint used to authenticate in
a transaction of its own (a thread hop, a connection checkout, a commit), then take the rate-limit token, record
the nonce, upsert the heartbeat and read the offer with seven more statements. Here, in the order the requests'
checks always had (authentication, then the body's validation, then the token and nonce with the effects):

1. one statement reads the kiosk's state and key and the offer generation (district.offer_cache);
2. the signature is verified (district.auth.RequestVerifier.check) and the body validated;
3. on PostgreSQL one statement takes the token, records the nonce and upserts the heartbeat (three CTEs; a
   refused token or a replayed nonce rolls the whole transaction back, as before: nothing is kept); SQLite runs
   the three statements one after the other;
4. the offer comes from the process's OfferCache, unless this beat halted the stage (then it is read afresh).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.orm import Session

from contract.heartbeat import Heartbeat, HeartbeatAnswer
from contract.request_signing import HEADER_KIOSK
from district import catalog_rollout, latched_alerts
from district.auth import AdmissionRefused, RateLimited, ReplayedRequest, admit
from district.rate_limits import TAKE_POSTGRESQL_SQL

_KIOSK_AND_GENERATION = text(
    "SELECT k.state, k.public_key, g.generation FROM catalog_offer_generation AS g "
    "LEFT JOIN kiosks AS k ON k.name = :name WHERE g.id = 1")

_UPSERT = ("INSERT INTO heartbeats (kiosk, received_at, clock_skew_s, body) VALUES (:kiosk, :received_at, :skew, "
           "{body}) ON CONFLICT (kiosk) DO UPDATE SET received_at = excluded.received_at, "
           "clock_skew_s = excluded.clock_skew_s, body = excluded.body")
_UPSERT_SQLITE = text(_UPSERT.format(body=":body"))
# Token, nonce and heartbeat in one round trip. Every data-modifying CTE runs to completion whether or not the
# final SELECT reads it; the caller rolls back when the token or the nonce was refused.
_ADMIT_AND_UPSERT_POSTGRESQL = text(
    f"WITH bucket AS ({TAKE_POSTGRESQL_SQL}), "
    "nonce AS (INSERT INTO request_nonces (kiosk, nonce, seen_at) VALUES (:kiosk, :nonce, :seen_at) "
    "ON CONFLICT DO NOTHING RETURNING nonce), "
    f"beat AS ({_UPSERT.format(body='CAST(:body AS json)')} RETURNING kiosk) "
    "SELECT EXISTS (SELECT 1 FROM bucket) AS token, EXISTS (SELECT 1 FROM nonce) AS fresh, "
    "(SELECT count(*) FROM beat) AS stored")


@dataclass(frozen=True)
class RecordedBeat:
    kiosk: str
    beat: Heartbeat
    answer: bytes  # the HeartbeatAnswer's JSON
    halted: catalog_rollout.Rollout | None  # the stage this beat's refusal halted


def parse_beat(raw: bytes) -> Heartbeat:
    """The body as a Heartbeat, or the RequestValidationError FastAPI would raise for it (locations under
    `body`)."""
    try:
        return Heartbeat.model_validate_json(raw)
    except ValidationError as exc:
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]) from None


def record_heartbeat(state: Any, method: str, path: str, headers: dict[str, str], raw: bytes) -> RecordedBeat:
    """Authenticate, validate, admit and store one heartbeat request; answer it. Raises the verifier's
    HTTPException (401/403), RequestValidationError (422) or AdmissionRefused (429, replay): nothing is stored then."""
    verifier, engine = state.verifier, state.engine
    postgresql = engine.dialect.name == "postgresql"
    name = headers.get(HEADER_KIOSK.lower(), "")
    with Session(engine) as s, s.begin():
        row = s.execute(_KIOSK_AND_GENERATION, {"name": name}).one()
        kiosk = verifier.check(s, method, path, headers, raw,
                               kiosk_row=(row.state or "unknown", row.public_key))
        beat = parse_beat(raw)
        now = time.time()
        values = {"kiosk": kiosk.name, "received_at": now, "skew": kiosk.clock_skew_s,
                  "body": json.dumps(beat.model_dump(mode="json"), separators=(",", ":"), ensure_ascii=False)}
        try:
            if postgresql:
                limiter = verifier.limiter
                taken_at = limiter.now()
                done = s.execute(_ADMIT_AND_UPSERT_POSTGRESQL, {
                    **values, **limiter.take_parameters(kiosk.name, taken_at), "nonce": kiosk.nonce,
                    "seen_at": kiosk.seen_at}).one()
                if not done.token:
                    raise RateLimited(limiter.wait(s, kiosk.name, taken_at))
                if not done.fresh:
                    raise ReplayedRequest(kiosk.nonce)
            else:
                admit(s, kiosk, verifier.limiter)
                s.execute(_UPSERT_SQLITE, values)
        except (RateLimited, ReplayedRequest) as exc:
            raise AdmissionRefused(kiosk.name, exc) from None
        halted = catalog_rollout.halt_on_refusal(s, kiosk.name, beat)
        latched_alerts.raise_from_heartbeat(s, kiosk.name, beat, halted.version if halted else None, now)
        if halted is None:
            offers = state.offer_cache.state(s, row.generation)
            offer = catalog_rollout.offer_in(offers, kiosk.name, beat.catalog_version)
        else:  # the stage this transaction halted is no offer any more: read it as it is now
            offer = catalog_rollout.offer_for(s, state.repository, kiosk.name, beat.catalog_version)
    verifier.admitted(kiosk.seen_at)
    answer = HeartbeatAnswer(server_time=now, catalog=offer).model_dump_json().encode()
    return RecordedBeat(kiosk.name, beat, answer, halted)
