"""The district's certificate register, end to end: a kiosk issues a certificate through the demo district, the
register holds its facts (and no ID number), the phone page shows them with the status, the operator's CLI lists,
shows and revokes, and the sign endpoint refuses what it cannot register honestly."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json

import httpx
import pytest

from contract.document_signing import VerificationPayload
from district import demo_data
from district.document_register import MAX_HOLDER_CHECK_FAILURES
from kiosk.documents.verification import qr_texts_from_pdf
from tests.services.district import enrolled_client, signed_post

ITEM = "si-contribution-record"


def district_cli(district, capsys, *args: str) -> tuple[int, str]:
    """Run `kiosk-district ARGS --db <the test server's database>`; (exit status, stdout)."""
    from district.cli import main

    capsys.readouterr()
    code = main([*args, "--db", district.app.state.settings.db_url])
    return code, capsys.readouterr().out


def issue(runner, catalog, citizen) -> tuple[str, str]:
    """Issue a social-insurance certificate; (serial, the QR text)."""
    (cert,) = runner.run(catalog.get(ITEM), citizen, {}).result.documents
    (qr,) = qr_texts_from_pdf(cert.pdf)
    return cert.serial, qr


def test_an_issued_certificate_is_registered_with_its_facts_and_no_id_number(runner, catalog, citizen, district,
                                                                              capsys):
    serial, qr = issue(runner, catalog, citizen)
    payload = VerificationPayload.from_text(qr)
    code, out = district_cli(district, capsys, "document", "show", serial, "--json")
    assert code == 0
    record = json.loads(out)
    assert (record["serial"], record["kiosk"], record["item"], record["status"]) == (serial, "SC-01", ITEM, "valid")
    assert (record["content_hash"], record["holder_hash"], record["key_id"], record["issued_on"]) == (
        payload.content_hash, payload.holder_hash, payload.key_id, payload.issued_on)
    assert record["holder_name"] == "王**" and record["content"]["holder_name"] == "王**"
    expected = demo_data.social_insurance_record(citizen.document_number, 36)
    summary = dict(record["content"]["summary_fields"])
    assert summary["个人缴费合计 Personal contributions in total"] == f"¥{expected['total_personal']:,.2f}"
    assert summary["欠缴月数 Months in arrears"] == str(sum(m["status"] != "paid" for m in expected["months"]))
    assert [r[0] for r in record["content"]["rows"]] == [m["month"] for m in expected["months"]]
    assert citizen.document_number not in out and "王晓梅" not in out  # the register keeps neither
    code, out = district_cli(district, capsys, "document", "list", "--kiosk", "SC-01", "--json")
    listed = {d["serial"]: d for d in json.loads(out)}
    assert code == 0 and listed[serial]["status"] == "valid" and "content" not in listed[serial]


def test_the_page_shows_the_registered_content_then_the_revocation(runner, catalog, citizen, district, capsys):
    serial, qr = issue(runner, catalog, citizen)
    expected = demo_data.social_insurance_record(citizen.document_number, 36)
    page = httpx.get(qr, timeout=5)
    assert page.status_code == 200 and "有效 VALID" in page.text
    for fact in (serial, "王**", f"¥{expected['total_personal']:,.2f}", "欠缴月数 Months in arrears",
                 expected["months"][-1]["month"], expected["employer"], "SC-01"):
        assert fact in page.text, fact
    assert "has not been altered" not in page.text  # the page cannot see the paper
    assert citizen.document_number not in page.text and "王晓梅" not in page.text

    code, out = district_cli(district, capsys, "document", "revoke", serial, "--reason", "issued in error")
    assert code == 0 and json.loads(out)["revoked"] == [serial]
    page = httpx.get(qr, timeout=5)
    assert page.status_code == 410 and "已撤销 REVOKED" in page.text and "issued in error" in page.text
    assert "有效 VALID" not in page.text
    code, out = district_cli(district, capsys, "document", "revoke", serial, "--reason", "again")
    assert code == 0 and json.loads(out)["already_revoked"] == [serial]
    assert json.loads(district_cli(district, capsys, "document", "show", serial, "--json")[1])["revoke_reason"] == \
        "issued in error"  # the first reason stays
    assert district_cli(district, capsys, "document", "revoke", "SI-20000101-NONE-AAAAAAAA", "--reason", "x")[0] == 1
    assert district_cli(district, capsys, "document", "show", "SI-20000101-NONE-AAAAAAAA", "--json")[0] == 1


def test_a_revoked_kiosks_certificates_are_revoked_in_one_command(runner, catalog, citizen, district, capsys):
    stolen = dataclasses.replace(runner, kiosk_id="SC-09", district=enrolled_client(district.url, kiosk_id="SC-09"))
    serials = sorted(issue(stolen, catalog, citizen)[0] for _ in range(2))
    other, other_qr = issue(runner, catalog, citizen)
    code, out = district_cli(district, capsys, "document", "revoke", "--kiosk", "SC-09", "--reason", "kiosk stolen")
    assert code == 0 and json.loads(out) == {"kiosk": "SC-09", "revoked": serials}
    listed = json.loads(district_cli(district, capsys, "document", "list", "--kiosk", "SC-09", "--json")[1])
    assert sorted(d["serial"] for d in listed) == serials and {d["status"] for d in listed} == {"revoked"}
    assert httpx.get(other_qr, timeout=5).status_code == 200  # another kiosk's certificate stands
    assert district_cli(district, capsys, "document", "revoke", "--reason", "x")[0] == 2  # neither serial nor kiosk


def test_a_signature_the_register_does_not_know_is_an_unknown_serial(district):
    authority = district.app.state.document_authority
    unregistered = authority.signer.sign_payload(VerificationPayload(
        serial="SI-20260101-GHOST-AAAAAAAA", holder_hash="A" * 43, content_hash="B" * 43, issued_on="20260101"))
    page = httpx.get(unregistered.qr_text, timeout=5)
    assert page.status_code == 404 and "未登记 UNKNOWN SERIAL" in page.text and "VALID" not in page.text.replace(
        "INVALID", "")


def _content(serial: str, kiosk: str = "SC-01", **extra) -> dict:
    return {"serial": serial, "issued_on": dt.date.today().isoformat(), "kiosk_id": kiosk, "kind": "test",
            "title_zh": "测试证明", "holder_name": "张三", "summary_fields": [["合计 Total", "¥1.00"]], **extra}


def _sign(district, serial: str, content: dict, number: str = "110105198512240021") -> httpx.Response:
    body = {"version": "1", "serial": serial, "item": ITEM, "issued_on": dt.date.today().strftime("%Y%m%d"),
            "document_number": number, "content": content}
    return signed_post(district.url, "/api/v1/documents/sign", json.dumps(body).encode())


def test_the_sign_endpoint_registers_once_and_refuses_what_it_cannot_register(district):
    serial = f"TS-{dt.date.today():%Y%m%d}-SC01-{hashlib.sha256(b'once').hexdigest()[:8].upper()}"
    first = _sign(district, serial, _content(serial))
    assert first.status_code == 200, first.text
    again = _sign(district, serial, _content(serial))  # a kiosk repeating a request whose answer it lost
    assert again.status_code == 200 and again.json() == first.json()
    assert _sign(district, serial, _content(serial, summary_fields=[["合计 Total", "¥9.00"]])).status_code == 409
    assert _sign(district, serial, _content(serial), number="110105198512240099").status_code == 409
    other = serial[:-1] + ("A" if serial[-1] != "A" else "B")
    assert _sign(district, other, _content(serial)).status_code == 422  # content names another serial
    assert _sign(district, other, _content(other, issued_on="2020-01-01")).status_code == 422
    deep: list = []
    for _ in range(10):
        deep = [deep]
    assert _sign(district, other, _content(other, rows=deep)).status_code == 422
    assert _sign(district, other, _content(other, notes=["x" * 70_000])).status_code == 422
    nan_body = json.dumps({"version": "1", "serial": other, "item": ITEM, "issued_on": f"{dt.date.today():%Y%m%d}",
                           "document_number": "110105198512240021", "content": _content(other, widths=[float("nan")])})
    assert "NaN" in nan_body  # Python's json reads it back; no database stores it
    assert signed_post(district.url, "/api/v1/documents/sign", nan_body.encode()).status_code == 422
    assert _sign(district, other, {k: v for k, v in _content(other).items() if k != "kiosk_id"}).status_code == 422


def test_holder_checks_are_keyed_and_capped_per_certificate(runner, catalog, citizen, district):
    serial, qr = issue(runner, catalog, citizen)
    assert "matches the holder" in httpx.post(qr, data={"id_number": citizen.document_number}, timeout=5).text
    for n in range(MAX_HOLDER_CHECK_FAILURES):
        wrong = f"33010219900{n:03d}1234"  # never the holder's 330102199003071234
        assert "does NOT match" in httpx.post(qr, data={"id_number": wrong}, timeout=5).text
    page = httpx.post(qr, data={"id_number": citizen.document_number}, timeout=5)
    assert "Too many failed checks" in page.text and "matches the holder" not in page.text


def test_transactions_carry_the_districts_keyed_holder_digest(registry, district, catalog, citizen, tmp_path):
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from contract.durable_sqlite import open_engine, sqlite_url
    from kiosk.store.database import migrate
    from kiosk.store.models import TransactionRow
    from kiosk.store.transactions import TransactionStore
    from tests.services.conftest import make_runner

    engine = open_engine(sqlite_url(tmp_path / "kiosk.db"))
    migrate(engine)
    runner = make_runner(registry, district.url, store=TransactionStore(engine, "SC-01"))
    for _ in range(2):
        runner.run(catalog.get(ITEM), citizen, {})
    with Session(engine) as s:
        holders = list(s.scalars(select(TransactionRow.holder)))
    old = hashlib.sha256(f"kiosk-holder-v1:{citizen.document_number}".encode()).hexdigest()
    assert len(set(holders)) == 1 and len(holders[0]) == 64 and holders[0] != old  # linkable, not the old digest
    answer = signed_post(district.url, "/api/v1/holders/digest",
                         json.dumps({"document_number": citizen.document_number}).encode()).json()
    assert answer["holder"] == holders[0]


@pytest.mark.parametrize("body", [{}, {"document_number": "1"}, [1, 2]])
def test_the_holder_digest_endpoint_refuses_bad_bodies(district, body):
    assert signed_post(district.url, "/api/v1/holders/digest", json.dumps(body).encode()).status_code == 422


def test_a_printed_qr_holder_digest_is_checked_only_through_the_district(runner, catalog, citizen, district):
    """The search that recovers the old QR digest (tests/test_holder_digests.py) finds nothing in a real one; the
    district, which holds the key, confirms the holder."""
    from tests.holder_search import candidates, old_qr_holder_hash, recover

    serial, qr = issue(runner, catalog, citizen)
    payload = VerificationPayload.from_text(qr)
    masked = citizen.masked_document_number
    space = list(candidates(masked, range(100, 105), range(1990, 1991), use_check=False))
    assert citizen.document_number in space
    assert recover(payload.holder_hash, lambda n: old_qr_holder_hash(serial, n), space) == []
    assert "matches the holder" in httpx.post(qr, data={"id_number": citizen.document_number}, timeout=5).text
