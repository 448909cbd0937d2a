"""The heartbeat offers each server process caches (district.offer_cache) follow every change at the next beat:
a catalog published, a stage opened for a group, a kiosk added to that group, a stage halted, whichever process or
command made the change. Two servers on one database (SQLite and PostgreSQL): one in this process, whose cache we
can look into, and a real `kiosk-district serve` child process with a cache of its own; the changes are made the
way an operator's command makes them, on an engine of their own."""

from __future__ import annotations

import json

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from contract.catalog.modules import fleet_modules
from contract.request_signing import RequestSigner, public_key_hex
from district.catalog_rollout import halt, publish_version
from district.database import open_engine
from district.kiosk_groups import add_to_group
from district.kiosk_registry import add_kiosk, enroll
from district.tuf_repository import OperatorKeys, TufRepository
from tests.sync.conftest import make_settings
from tests.sync.district_process import ProcessDistrict, ThreadedDistrict
from tests.sync.test_catalog import catalog_bytes


def _kiosk(engine, name: str) -> RequestSigner:
    key = Ed25519PrivateKey.generate()
    enroll(engine, name, public_key_hex(key), add_kiosk(engine, name), False)
    return RequestSigner(name, key)


def _offer(url: str, kiosk: RequestSigner, running: int | None = None) -> tuple[int, str | None] | None:
    """Beat once at `url` as `kiosk`; the (version, target) it is offered."""
    body = json.dumps({"catalog_version": running}).encode()
    answer = httpx.post(f"{url}/api/v1/heartbeat", content=body, timeout=30.0,
                        headers={"Content-Type": "application/json", **kiosk("POST", "/api/v1/heartbeat", body)})
    assert answer.status_code == 200, answer.text
    catalog = answer.json()["catalog"]
    return None if catalog is None else (catalog["version"], catalog["target"])


def test_every_change_is_offered_at_the_next_beat_by_every_process(district_db_url, tmp_path):
    here = ThreadedDistrict(make_settings(district_db_url, demo=True)).start()
    other = None
    operator = open_engine(district_db_url)  # the operator's command: neither server's engine nor cache
    try:
        keys = OperatorKeys(tmp_path / "keys")
        keys.create_missing()
        repository = TufRepository(operator)
        repository.initialise(keys)
        canary, plain = _kiosk(operator, "K-CANARY"), _kiosk(operator, "K-PLAIN")
        other = ProcessDistrict(district_db_url).start(timeout_s=120)
        servers = (here.url, other.url)
        cache = here.app.state.offer_cache

        assert [_offer(url, canary) for url in servers] == [None, None]
        publish_version(repository, keys, catalog_bytes(1), fleet_modules())
        assert [_offer(url, k) for url in servers for k in (canary, plain)] == [(1, "catalog-1.json")] * 4

        reads = cache.reads
        assert [_offer(here.url, canary, running=1) for _ in range(3)] == [(1, "catalog-1.json")] * 3
        assert cache.reads == reads  # nothing changed: no beat read the rollouts again

        publish_version(repository, keys, catalog_bytes(2, "Two"), fleet_modules())
        assert [_offer(url, canary, running=1) for url in servers] == [(2, "catalog-2.json")] * 2

        add_to_group(operator, "canary", ["K-CANARY"])
        publish_version(repository, keys, catalog_bytes(3, "Three"), fleet_modules(), group="canary")
        assert [_offer(url, canary, running=2) for url in servers] == [(3, "catalog-3.json")] * 2
        assert [_offer(url, plain, running=2) for url in servers] == [(2, "catalog-2.json")] * 2

        add_to_group(operator, "canary", ["K-PLAIN"])  # only the group changed
        assert [_offer(url, plain, running=2) for url in servers] == [(3, "catalog-3.json")] * 2

        halt(operator, 3, "operator")
        assert [_offer(url, plain, running=2) for url in servers] == [(2, "catalog-2.json")] * 2
        # A kiosk that applied the halted stage is told its own version, not a lower one it would refuse.
        assert [_offer(url, canary, running=3) for url in servers] == [(3, "catalog-3.json")] * 2
        assert cache.reads > reads
    finally:
        if other is not None:
            other.stop()
        here.stop()
        operator.dispose()


def test_a_refusal_that_halts_the_stage_is_answered_without_the_stage(district_db_url, tmp_path):
    """The beat that halts a stage (its kiosk refused the staged catalog) is itself offered the fleet's catalog,
    though its process cached the offers with the stage open."""
    here = ThreadedDistrict(make_settings(district_db_url, demo=True)).start()
    operator = open_engine(district_db_url)
    try:
        keys = OperatorKeys(tmp_path / "keys")
        keys.create_missing()
        repository = TufRepository(operator)
        repository.initialise(keys)
        canary = _kiosk(operator, "K-CANARY")
        publish_version(repository, keys, catalog_bytes(1), fleet_modules())
        add_to_group(operator, "canary", ["K-CANARY"])
        staged = publish_version(repository, keys, catalog_bytes(2, "Two"), fleet_modules(), group="canary")
        assert _offer(here.url, canary, running=1) == (2, "catalog-2.json")
        body = json.dumps({"catalog_version": 1, "catalog_refused": {
            "version": 2, "sha256": staged.rollout.sha256, "reason": "test refusal"}}).encode()
        answer = httpx.post(f"{here.url}/api/v1/heartbeat", content=body, timeout=30.0, headers={
            "Content-Type": "application/json", **canary("POST", "/api/v1/heartbeat", body)})
        assert answer.status_code == 200 and answer.json()["catalog"]["version"] == 1
        assert _offer(here.url, canary, running=1) == (1, "catalog-1.json")
    finally:
        here.stop()
        operator.dispose()


def test_an_invalid_heartbeat_is_422_only_after_its_signature_is_checked(district_db_url):
    here = ThreadedDistrict(make_settings(district_db_url, demo=True)).start()
    try:
        kiosk = _kiosk(here.engine, "K-ONE")
        for body in (b"", b"[]", b'{"backlog": -1}', b"{not json"):
            unsigned = httpx.post(f"{here.url}/api/v1/heartbeat", content=body, timeout=30.0)
            assert unsigned.status_code == 401
            headers = {"Content-Type": "application/json", **kiosk("POST", "/api/v1/heartbeat", body)}
            signed = httpx.post(f"{here.url}/api/v1/heartbeat", content=body, headers=headers, timeout=30.0)
            assert signed.status_code == 422 and signed.json()["detail"][0]["loc"][0] == "body", signed.text
            # Nothing was admitted: the same signed request again is refused for its body, not as a replay.
            again = httpx.post(f"{here.url}/api/v1/heartbeat", content=body, headers=headers, timeout=30.0)
            assert again.status_code == 422
    finally:
        here.stop()
