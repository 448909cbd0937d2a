"""Demo mode is not a door into the district (issue 17, point 5): `--demo` binds to loopback only, every endpoint
that signs or returns citizen data wants an enrolled, unrevoked kiosk's signature in every mode, and enrollment
never rebinds an enrolled kiosk's name to another key."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import warnings

import httpx
import pytest

from contract.request_signing import RequestSigner, public_key_hex
from district.kiosk_registry import revoke_kiosk
from district.settings import DistrictSettings
from kiosk.link.kiosk_key import load_or_create_key
from tests.sync.district_process import REPO, ThreadedDistrict

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

SERIAL = f"TS-{dt.date.today():%Y%m%d}-DEMO01-0001"
SIGN_BODY = {"version": "1", "serial": SERIAL, "item": "si-contribution-record",
             "issued_on": dt.date.today().strftime("%Y%m%d"), "document_number": "330102199003071234",
             "content": {"serial": SERIAL, "issued_on": dt.date.today().isoformat(), "kiosk_id": "DEMO-01",
                         "kind": "test", "title_zh": "测试证明"}}
CITIZEN_CALLS = [
    ("POST", "/api/v1/documents/sign", SIGN_BODY),
    ("POST", "/api/v1/holders/digest", {"document_number": "330102199003071234"}),
    ("POST", "/api/v1/citizen/social-insurance/record", {"document_number": "330102199003071234", "months": 12}),
    ("POST", "/api/v1/citizen/records/housing-fund-deposit", {"document_number": "330102199003071234"}),
    ("POST", "/api/v1/citizen/status", {"type": "x", "document_number": "330102199003071234"}),
    ("POST", "/api/v1/citizen/applications", {"type": "x", "document_number": "330102199003071234"}),
    ("POST", "/api/v1/citizen/requests", {"type": "x", "document_number": "330102199003071234"}),
    ("POST", "/api/v1/citizen/appointments", {"service": "s", "document_number": "330102199003071234",
                                              "date": "2026-12-02", "period": "am"}),
    ("GET", "/api/v1/citizen/appointments/slots?service=s&date=2026-12-02", None),
]


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.7"])
def test_demo_on_a_non_loopback_bind_exits_with_a_one_line_reason(tmp_path, host):
    done = subprocess.run([sys.executable, "-m", "district.cli", "serve", "--demo", "--host", host, "--port", "1",
                           "--db", f"sqlite:///{tmp_path / 'd.db'}", "--keys", str(tmp_path / "keys")],
                          cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "--demo" in lines[0] and "loopback" in lines[0], done.stderr
    assert not (tmp_path / "d.db").exists()  # refused before anything was created


@pytest.fixture
def demo_district(tmp_path):
    server = ThreadedDistrict(DistrictSettings(db_url=f"sqlite:///{tmp_path / 'district.db'}", demo=True)).start()
    yield server
    server.stop()


def _request(client, method: str, path: str, body, signer=None):
    content = httpx.Request(method, "http://x", json=body).content if body is not None else b""
    headers = {"Content-Type": "application/json", **(signer(method, path, content) if signer else {})}
    return client.request(method, path, content=content or None, headers=headers)


@pytest.mark.parametrize("method, path, body", CITIZEN_CALLS)
def test_citizen_data_and_signing_want_an_enrolled_kiosk_even_on_a_demo_server(demo_district, tmp_path, method,
                                                                             path, body):
    from kiosk.link.enrollment import enroll, signer_for

    with httpx.Client(base_url=demo_district.url, timeout=10) as client:  # from loopback, unsigned
        assert _request(client, method, path, body).status_code == 401
    app = demo_district.app
    with TestClient(app, client=("203.0.113.9", 40000)) as remote:  # from the network, unsigned
        assert _request(remote, method, path, body).status_code == 401
    enroll(tmp_path / "k", demo_district.url, "DEMO-01")
    signer = signer_for(tmp_path / "k", "DEMO-01")
    with httpx.Client(base_url=demo_district.url, timeout=10) as client:
        assert _request(client, method, path, body, signer).status_code < 400
        revoke_kiosk(demo_district.engine, "DEMO-01")
        assert _request(client, method, path, body, signer).status_code == 403


def test_enrollment_never_rebinds_an_enrolled_kiosk_to_another_key(demo_district, tmp_path):
    """On a demo server a loopback client enrolls without a token, but not over a kiosk that is enrolled."""
    from kiosk.link.enrollment import EnrollmentRefused, enroll

    enroll(tmp_path / "genuine", demo_district.url, "DEMO-02")
    with pytest.raises(EnrollmentRefused, match="409.*already enrolled with another key"):
        enroll(tmp_path / "intruder", demo_district.url, "DEMO-02")
    intruder = RequestSigner("DEMO-02", load_or_create_key(tmp_path / "intruder"))
    genuine = RequestSigner("DEMO-02", load_or_create_key(tmp_path / "genuine"))
    with httpx.Client(base_url=demo_district.url, timeout=10) as client:
        assert _request(client, "POST", "/api/v1/heartbeat", {}, intruder).status_code == 401
        assert _request(client, "POST", "/api/v1/heartbeat", {}, genuine).status_code == 200
        again = client.post("/api/v1/enroll", json={"kiosk_id": "DEMO-02", "public_key": public_key_hex(
            load_or_create_key(tmp_path / "intruder")), "token": "anything"})
    assert again.status_code == 409
