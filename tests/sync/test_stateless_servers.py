"""Stateless servers (issue 16, point 7): rate limits and nonces live in the database, so several server
processes behave as one. Two real `kiosk-district serve` processes on one PostgreSQL: a request replayed to the
other process is refused, and a rate limit drawn at one is spent at the other. The bucket arithmetic is checked
against the token-bucket definition (burst B, refill r per second) with a controlled clock."""

from __future__ import annotations

import json

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from contract.request_signing import RequestSigner, public_key_hex
from district.database import migrate, open_engine
from district.rate_limits import SharedRateLimiter
from tests.sync.district_process import ProcessDistrict


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def test_token_bucket_shared_by_two_limiters_on_one_database(district_db_url):
    engine = open_engine(district_db_url)
    migrate(engine)
    clock = Clock()
    # Two server processes: two limiter objects, nothing shared but the database.
    one, two = (SharedRateLimiter(engine, "kiosk", rate_per_s=2.0, burst=3, clock=clock) for _ in range(2))
    assert [one.take_now("K"), two.take_now("K"), one.take_now("K")] == [0.0, 0.0, 0.0]  # the burst of 3
    assert two.take_now("K") == pytest.approx(0.5)  # empty: one token comes back after 1/r = 0.5 s
    clock.now += 0.25
    assert one.take_now("K") == pytest.approx(0.25)  # half a token so far: nothing taken
    clock.now += 0.25
    assert two.take_now("K") == 0.0
    assert one.take_now("K") == pytest.approx(0.5)
    assert one.take_now("OTHER") == 0.0  # buckets are per key
    clock.now += 100
    assert [two.take_now("K") for _ in range(4)][:3] == [0.0, 0.0, 0.0]  # refilled up to the burst, no more
    clock.now -= 5  # another machine's clock, behind: refills nothing, takes nothing extra
    assert one.take_now("K") > 0
    engine.dispose()


def test_full_buckets_are_pruned(sqlite_db_url):
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from district.models import RateBucketRow

    engine = open_engine(sqlite_db_url)
    migrate(engine)
    clock = Clock()
    limiter = SharedRateLimiter(engine, "address", rate_per_s=1.0, burst=10, clock=clock)
    for n in range(5):
        limiter.take_now(f"10.0.0.{n}")
    clock.now += 5
    limiter.take_now("10.0.0.9")
    clock.now += 7  # the first five are full again (10 tokens at 1/s), the last one is not
    limiter.prune()
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(RateBucketRow)) == 1
    engine.dispose()


@pytest.fixture
def two_servers(private_postgres):
    url = private_postgres.create_database("stateless")
    # One shared per-address limit: a burst of 10, then 1 per 100 s (starting and enrolling spend a few).
    extra = ["--public-rate", "0.01", "--public-burst", "10"]
    servers = [ProcessDistrict(url, extra=extra).start(timeout_s=120)]
    servers.append(ProcessDistrict(url, extra=extra).start(timeout_s=120))
    yield servers
    for server in servers:
        server.stop()


def test_two_processes_behave_as_one(two_servers):
    a, b = two_servers
    key = Ed25519PrivateKey.generate()
    enrolled = httpx.post(f"{a.url}/api/v1/enroll", json={"kiosk_id": "ST-01", "public_key": public_key_hex(key)})
    assert enrolled.status_code == 200, enrolled.text
    signer = RequestSigner("ST-01", key)
    body = json.dumps({"backlog": 0, "devices": {}}).encode()
    headers = {"Content-Type": "application/json", **signer("POST", "/api/v1/heartbeat", body)}
    assert httpx.post(f"{a.url}/api/v1/heartbeat", content=body, headers=headers).status_code == 200
    replayed = httpx.post(f"{b.url}/api/v1/heartbeat", content=body, headers=headers)  # to the other process
    assert replayed.status_code == 401 and "replay" in replayed.json()["detail"]

    # The per-address bucket: spend what is left of it at `a` alone...
    answers = [httpx.get(f"{a.url}/api/v1/health").status_code for _ in range(10)]
    assert answers[0] == 200 and 429 in answers
    assert answers == sorted(answers)  # answered until empty, refused from then on
    # ...and `b` refuses too: with a limit per process it would still hold its own burst (it answered one health
    # check when it started, nothing since).
    refused = httpx.get(f"{b.url}/api/v1/health")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
