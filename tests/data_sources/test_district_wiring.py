"""The district's record endpoints through the gateway: no source, the demo data as a source (audited like any
other), a sources file beside the demo data, and the status codes a kiosk turns into "queue it"."""

from __future__ import annotations

import pytest

from district.app import create_app
from district.settings import DistrictSettings
from tests.data_sources.conftest import audit_rows, write_sources
from tests.data_sources.upstream import SI_PERSON
from tests.services.district import free_port
from tests.sync.signed_client import SignedKiosk

SI_PATH = "/api/v1/citizen/social-insurance/record"


def _client(tmp_path, **settings) -> SignedKiosk:
    """A kiosk enrolled with the district app: record requests are signed in every mode."""
    app = create_app(DistrictSettings(db_url=f"sqlite:///{tmp_path / 'district.db'}", keys_dir=tmp_path / "keys",
                                      **settings))
    return SignedKiosk(app, tmp_path / "kiosks", name="SC-WIRING")


def test_without_any_source_the_answer_says_how_to_configure_one(tmp_path):
    answer = _client(tmp_path).post(SI_PATH, {"document_number": SI_PERSON})
    assert answer.status_code == 404 and "docs/data-sources.md" in answer.json()["detail"]


def test_demo_data_is_a_source_through_the_same_gateway(tmp_path):
    client = _client(tmp_path, demo=True)
    answer = client.post(SI_PATH, {"document_number": SI_PERSON, "months": 12})
    assert answer.status_code == 200 and len(answer.json()["months"]) == 12
    assert client.post("/api/v1/citizen/records/no-such-kind", {"document_number": SI_PERSON}).status_code \
        == 404
    (row,) = audit_rows(client.app.state.engine)
    assert (row.source, row.record_kind, row.kiosk, row.outcome) == ("demo", "social-insurance", "SC-WIRING", "ok")


def test_configured_sources_take_their_kinds_and_demo_keeps_the_rest(tmp_path, pki, upstream):
    client = _client(tmp_path, demo=True, sources_file=write_sources(tmp_path / "etc", pki, upstream.url))
    si = client.post(SI_PATH, {"document_number": SI_PERSON})
    assert si.status_code == 200 and si.json()["employer"] == "杭州西溪数据服务有限公司"  # from the upstream
    pension = client.post("/api/v1/citizen/records/pension-payment", {"document_number": SI_PERSON})
    assert pension.status_code == 200
    assert [(r.source, r.record_kind) for r in audit_rows(client.app.state.engine)] == [
        ("si-bureau", "social-insurance"), ("demo", "pension-payment")]
    missing = client.post(SI_PATH, {"document_number": "110101199912319999"})
    assert missing.status_code == 404 and "no social-insurance record" in missing.json()["detail"]


def test_a_down_department_is_503_then_503_with_retry_after_once_the_circuit_is_open(tmp_path, pki):
    sources = write_sources(tmp_path / "etc", pki, f"https://127.0.0.1:{free_port()}",
                            **{"attempts = 3": "attempts = 1", "failure_threshold = 5": "failure_threshold = 1"})
    client = _client(tmp_path, demo=True, sources_file=sources)
    first = client.post(SI_PATH, {"document_number": SI_PERSON})
    assert first.status_code == 503 and "cannot connect" in first.json()["detail"]
    second = client.post(SI_PATH, {"document_number": SI_PERSON})
    assert second.status_code == 503 and second.headers["Retry-After"] == "30"


@pytest.mark.parametrize("script", ["malformed"])
def test_a_malformed_answer_is_a_502_without_details(tmp_path, pki, upstream, script):
    upstream.script(script)
    client = _client(tmp_path, demo=True, sources_file=write_sources(tmp_path / "etc", pki, upstream.url))
    answer = client.post(SI_PATH, {"document_number": SI_PERSON})
    assert answer.status_code == 502 and answer.json()["detail"] == "social-insurance source failed: malformed"


def test_worker_processes_get_the_sources_file_too(tmp_path, pki, upstream, monkeypatch):
    from district.asgi import ENV, app, settings_to_env

    settings = DistrictSettings(db_url=f"sqlite:///{tmp_path / 'district.db'}", keys_dir=tmp_path / "keys",
                                sources_file=write_sources(tmp_path / "etc", pki, upstream.url))
    monkeypatch.setenv(ENV, settings_to_env(settings))
    worker = app()  # what uvicorn builds in each worker of `serve --workers N`
    assert worker.state.citizen_data.kinds() == {"social-insurance", "housing-fund-deposit"}
    worker.state.citizen_data.close()
