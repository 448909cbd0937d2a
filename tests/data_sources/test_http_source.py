"""The reference HTTP/JSON adapter, through the gateway, against a real upstream on loopback (TLS, client
certificate): good answers, slow, down, malformed, 404, 500 with retries, the circuit breaker, and the audit trail."""

from __future__ import annotations

import hashlib
import hmac
import time
from pathlib import Path

import pytest

from district.data_sources.circuit_breaker import BreakerState
from district.data_sources.interface import (
    CircuitOpen,
    RecordNotFound,
    RecordRequest,
    SourceMalformed,
    SourceRefused,
    SourceUnavailable,
)
from tests.data_sources.conftest import HOLDER_SECRET, audit_rows, make_gateway, write_sources
from tests.data_sources.pki import make_pki
from tests.data_sources.upstream import ODD_PERSON, SI_PERSON, Upstream
from tests.services.district import free_port

SI = RecordRequest(kind="social-insurance", document_number=SI_PERSON, months=36)

# What the kiosk's certificate module reads, worked out by hand from the upstream's register
# (tests/data_sources/upstream.py): oldest month first, its codes 1/2 as paid/arrears, bases as numbers, and the
# personal total summed because the bureau sends none: (464 + 116 + 29) + 2 × (488 + 122 + 30.5) = 1890.
EXPECTED_SI = {
    "employer": "杭州西溪数据服务有限公司",
    "insured_since": "2008-03-01",
    "insurance_types": ["养老保险", "医疗保险", "失业保险"],
    "months": [
        {"month": "2024-07", "base": 5800.0, "pension_personal": 464.0, "pension_employer": 812.0,
         "medical_personal": 116.0, "medical_employer": 574.2, "unemployment_personal": 29.0, "status": "paid"},
        {"month": "2024-08", "base": 6100.0, "pension_personal": 488.0, "pension_employer": 854.0,
         "medical_personal": 122.0, "medical_employer": 603.9, "unemployment_personal": 30.5, "status": "paid"},
        {"month": "2024-09", "base": 6100.0, "pension_personal": 488.0, "pension_employer": 854.0,
         "medical_personal": 122.0, "medical_employer": 603.9, "unemployment_personal": 30.5, "status": "arrears"},
    ],
    "total_personal": 1890.0,
}


def test_a_good_answer_is_mapped_to_the_record_shape_and_audited(tmp_path, pki, upstream, engine):
    gateway = make_gateway(write_sources(tmp_path, pki, upstream.url), engine)
    assert gateway.fetch(SI, kiosk="SC-21") == EXPECTED_SI
    (seen,) = upstream.seen
    assert seen.path == "/api/v2/contribution-records" and seen.body == {"idNumber": SI_PERSON, "months": 36}
    assert seen.client_cn == "district-shangcheng"  # the district's client certificate was presented
    (row,) = audit_rows(engine)
    assert (row.kiosk, row.source, row.record_kind, row.outcome, row.attempts) == (
        "SC-21", "si-bureau", "social-insurance", "ok", 1)
    # the keyed holder digest of contract.privacy, recomputed here from its definition
    assert row.holder == hmac.new(HOLDER_SECRET, f"kiosk-holder-v2:{SI_PERSON}".encode(), hashlib.sha256).hexdigest()
    assert 0 < row.latency_ms < 2000
    gateway.close()
    engine.dispose()
    assert SI_PERSON.encode() not in (tmp_path / "district.db").read_bytes()  # nowhere in the database


def test_months_are_passed_on_and_a_generic_record_is_mapped(tmp_path, pki, upstream, engine):
    gateway = make_gateway(write_sources(tmp_path, pki, upstream.url), engine)
    assert [m["month"] for m in gateway.fetch(RecordRequest("social-insurance", SI_PERSON, 2), "SC-21")["months"]] \
        == ["2024-08", "2024-09"]
    record = gateway.fetch(RecordRequest("housing-fund-deposit", SI_PERSON, 12), "SC-21")
    assert record == {
        "title_zh": "住房公积金缴存证明", "title_en": "Housing provident fund deposit certificate",
        "record_type": "housing-fund-deposit",
        "fields": [["账户/档案号 Account", "8801234567"], ["经办机构 Agency", "杭州住房公积金管理中心上城分中心"]],
        "columns": [["年月", "Month", 30, "center"], ["金额 (元)", "Amount (CNY)", 40, "right"],
                    ["状态", "Status", 25, "center"]],
        "rows": [["2024-08", "1,560.00", "正常"], ["2024-09", "1,560.00", "正常"]],
        "summary": [["合计 Total", "3,120.00"]]}
    assert upstream.seen[-1].body == {"certNo": SI_PERSON, "months": 12}
    assert [r.source for r in audit_rows(engine)] == ["si-bureau", "housing-fund"]


def test_no_such_citizen_is_not_found_and_not_a_failure_of_the_source(tmp_path, pki, upstream, engine):
    gateway = make_gateway(write_sources(tmp_path, pki, upstream.url, **{"failure_threshold = 5":
                                                                          "failure_threshold = 1"}), engine)
    with pytest.raises(RecordNotFound):
        gateway.fetch(RecordRequest("social-insurance", "110101199912319999", 36), "SC-21")
    assert len(upstream.seen) == 1  # a 404 is an answer: not retried
    assert gateway.breaker_states()["si-bureau"] is BreakerState.CLOSED
    assert audit_rows(engine)[0].outcome == "not-found"


def test_a_slow_upstream_times_out_after_bounded_retries(tmp_path, pki, upstream, engine):
    upstream.behaviour.slow_s = 1.5
    upstream.script("slow", "slow", "slow")
    sources = write_sources(tmp_path, pki, upstream.url, **{"timeout_s = 1.5": "timeout_s = 0.3",
                                                             "attempts = 3": "attempts = 2",
                                                             "backoff_s = 0.2": "backoff_s = 0.1"})
    gateway = make_gateway(sources, engine)
    started = time.monotonic()
    with pytest.raises(SourceUnavailable, match="timeout"):
        gateway.fetch(SI, "SC-21")
    elapsed = time.monotonic() - started
    assert len(upstream.seen) == 2
    assert 0.65 <= elapsed < 1.4  # two 0.3 s timeouts and a 0.1 s backoff, not the upstream's 1.5 s
    row = audit_rows(engine)[0]
    assert (row.outcome, row.attempts) == ("unavailable", 2) and 650 <= row.latency_ms < 1400


def test_the_deadline_bounds_the_whole_fetch_retries_included(tmp_path, pki, upstream, engine):
    upstream.behaviour.slow_s = 4.0
    upstream.script("slow", "slow", "slow")
    sources = write_sources(tmp_path, pki, upstream.url, **{"timeout_s = 1.5": "timeout_s = 1.0",
                                                             "backoff_s = 0.2": "backoff_s = 0.2",
                                                             "deadline_s = 3.0": "deadline_s = 1.6"})
    started = time.monotonic()
    with pytest.raises(SourceUnavailable):
        make_gateway(sources, engine).fetch(SI, "SC-21")
    elapsed = time.monotonic() - started
    # 1.0 s timeout, 0.2 s backoff, then the second try gets only the ~0.4 s left (its own 1.0 s timeout would end
    # at 2.2 s); a third would start after the deadline. The bounds leave half a second for a loaded machine.
    assert len(upstream.seen) == 2
    assert 1.55 <= elapsed < 2.1


def test_a_down_upstream_is_unavailable(tmp_path, pki, engine):
    sources = write_sources(tmp_path, pki, f"https://127.0.0.1:{free_port()}", **{"backoff_s = 0.2":
                                                                                   "backoff_s = 0.05"})
    with pytest.raises(SourceUnavailable, match="cannot connect"):
        make_gateway(sources, engine).fetch(SI, "SC-21")
    row = audit_rows(engine)[0]
    assert (row.outcome, row.attempts, row.detail) == ("unavailable", 3, "cannot connect")


def test_a_dropped_connection_is_retried_and_then_answered(tmp_path, pki, upstream, engine):
    upstream.script("drop", "503")
    sources = write_sources(tmp_path, pki, upstream.url, **{"backoff_s = 0.2": "backoff_s = 0.05"})
    assert make_gateway(sources, engine).fetch(SI, "SC-21") == EXPECTED_SI
    assert len(upstream.seen) == 3 and audit_rows(engine)[0].attempts == 3


def test_malformed_json_is_refused_without_retrying(tmp_path, pki, upstream, engine):
    upstream.script("malformed")
    with pytest.raises(SourceMalformed, match="not JSON"):
        make_gateway(write_sources(tmp_path, pki, upstream.url), engine).fetch(SI, "SC-21")
    assert len(upstream.seen) == 1 and audit_rows(engine)[0].outcome == "malformed"


def test_an_answer_that_does_not_fit_the_mapping_names_the_field(tmp_path, pki, upstream, engine):
    with pytest.raises(SourceMalformed, match=r"months\[0\]\.status: upstream 'payState' has unexpected value '9'"):
        make_gateway(write_sources(tmp_path, pki, upstream.url), engine).fetch(
            RecordRequest("social-insurance", ODD_PERSON, 36), "SC-21")
    row = audit_rows(engine)[0]
    assert row.outcome == "malformed" and ODD_PERSON not in row.detail


def test_500s_are_retried_then_the_circuit_opens_then_half_open_recovers(tmp_path, pki, upstream, engine):
    upstream.script(*["500"] * 4)
    sources = write_sources(tmp_path, pki, upstream.url, **{
        "attempts = 3": "attempts = 2", "backoff_s = 0.2": "backoff_s = 0.05",
        "failure_threshold = 5": "failure_threshold = 2", "reset_after_s = 30.0": "reset_after_s = 0.5"})
    gateway = make_gateway(sources, engine)
    for _ in range(2):  # two failed fetches of two tries each
        with pytest.raises(SourceUnavailable, match="500"):
            gateway.fetch(SI, "SC-21")
    assert len(upstream.seen) == 4
    assert gateway.breaker_states()["si-bureau"] is BreakerState.OPEN
    with pytest.raises(CircuitOpen) as opened:
        gateway.fetch(SI, "SC-21")
    assert 0 < opened.value.retry_after_s <= 0.5
    assert len(upstream.seen) == 4  # not asked while open
    time.sleep(0.55)
    assert gateway.breaker_states()["si-bureau"] is BreakerState.HALF_OPEN
    assert gateway.fetch(SI, "SC-21") == EXPECTED_SI  # the trial request succeeds: closed again
    assert gateway.breaker_states()["si-bureau"] is BreakerState.CLOSED
    assert [(r.outcome, r.attempts) for r in audit_rows(engine)] == [
        ("unavailable", 2), ("unavailable", 2), ("circuit-open", 0), ("ok", 1)]


def test_a_failed_half_open_trial_opens_the_circuit_again(tmp_path, pki, upstream, engine):
    upstream.script(*["500"] * 3)
    sources = write_sources(tmp_path, pki, upstream.url, **{
        "attempts = 3": "attempts = 1", "failure_threshold = 5": "failure_threshold = 2",
        "reset_after_s = 30.0": "reset_after_s = 0.4"})
    gateway = make_gateway(sources, engine)
    for _ in range(2):
        with pytest.raises(SourceUnavailable):
            gateway.fetch(SI, "SC-21")
    time.sleep(0.45)
    with pytest.raises(SourceUnavailable):  # the one trial fails ...
        gateway.fetch(SI, "SC-21")
    with pytest.raises(CircuitOpen):  # ... and the circuit is open for another reset period at once
        gateway.fetch(SI, "SC-21")
    assert len(upstream.seen) == 3


def test_without_the_client_certificate_the_department_refuses_the_district(tmp_path, pki, upstream, engine):
    sources = write_sources(tmp_path, pki, upstream.url, **{
        'client_cert = "certs/district-client.pem"   # the district\'s certificate, issued by the bureau\n'
        'client_key = "certs/district-client.key"\n': ""})
    with pytest.raises(SourceRefused, match="TLS"):
        make_gateway(sources, engine).fetch(SI, "SC-21")
    assert audit_rows(engine)[0].attempts == 1  # a certificate problem is not retried


def test_an_upstream_certificate_from_another_ca_is_not_trusted(tmp_path, pki, engine):
    stranger = make_pki(tmp_path / "stranger", "Somebody Else's CA")
    with Upstream(stranger) as impostor:
        sources = write_sources(tmp_path / "district", pki, impostor.url)
        with pytest.raises(SourceRefused, match="TLS handshake failed"):
            make_gateway(sources, engine).fetch(SI, "SC-21")
        assert impostor.seen == []  # the ID number never left the district


def test_the_record_request_never_prints_the_id_number():
    assert SI_PERSON not in repr(SI) and SI_PERSON not in str(SI)


def test_plain_http_upstream_works_too(tmp_path, pki, engine):
    with Upstream() as plain:
        text = Path(write_sources(tmp_path, pki, plain.url)).read_text(encoding="utf-8")
        for line in ('client_cert = "certs/district-client.pem"   # the district\'s certificate, issued by the bureau\n',
                     'client_key = "certs/district-client.key"\n', 'ca = "certs/si-bureau-ca.pem"               '
                     '# the CA that signed the bureau\'s server certificate\n'):
            text = text.replace(line, "")
        (tmp_path / "plain.toml").write_text(text.split("# ---- The housing")[0], encoding="utf-8")
        assert make_gateway(tmp_path / "plain.toml", engine).fetch(SI, "SC-21") == EXPECTED_SI


def test_the_audit_trail_on_postgresql(tmp_path, pki, upstream, private_postgres):
    from district.database import migrate, open_engine

    engine = open_engine(private_postgres.create_database("district_audit"))
    migrate(engine)
    upstream.script("500")
    gateway = make_gateway(write_sources(tmp_path, pki, upstream.url, **{"attempts = 3": "attempts = 1"}), engine)
    with pytest.raises(SourceUnavailable):
        gateway.fetch(SI, "SC-21")
    assert gateway.fetch(SI, "SC-22") == EXPECTED_SI
    assert [(r.id, r.kiosk, r.outcome) for r in audit_rows(engine)] == [(1, "SC-21", "unavailable"), (2, "SC-22", "ok")]
    gateway.close()
    engine.dispose()
