"""The social-insurance certificate end to end against the demo district: content, fonts, QR, signature."""

from __future__ import annotations

import dataclasses
import subprocess
from pathlib import Path

import pytest

from contract.document_signing import VerificationPayload, verify_payload, verify_text
from district import demo_data
from kiosk.documents.signing import load_district_document_key
from kiosk.documents.verification import qr_texts_from_pdf, verify_pdf
from kiosk.errors import DistrictUnavailable


def _pdftotext(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_certificate_has_holder_table_and_embedded_cjk_font(runner, catalog, citizen, tmp_path):
    outcome = runner.run(catalog.get("si-contribution-record"), citizen, {})
    (cert,) = outcome.result.documents
    text = _pdftotext(cert.pdf, tmp_path)
    assert "王晓梅" in text
    assert "330***********1234" in text and "330102199003071234" not in text
    assert "社会保险个人参保缴费证明" in text and cert.serial in text
    record = demo_data.social_insurance_record(citizen.document_number, 36)
    for month in record["months"]:
        assert month["month"] in text
    assert f"{record['months'][-1]['pension_personal']:,.2f}" in text
    assert "上城区政务服务中心" in text
    (tmp_path / "c.pdf").write_bytes(cert.pdf)
    fonts = subprocess.run(["pdffonts", str(tmp_path / "c.pdf")], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    assert fonts, "no fonts listed"
    for line in fonts:  # every font embedded and subsetted: the CJK font, nothing else
        assert "WenQuanYi" in line or "WQY" in line.upper()
        cols = line.split()
        assert cols[-5:-2] == ["yes", "yes", "yes"], line
    assert outcome.result.transaction.status == "completed"
    assert outcome.result.transaction.summary["serial"] == cert.serial
    assert "330102199003071234" not in repr(outcome.result.transaction.summary)


def test_qr_decodes_and_verifies_offline_with_the_stored_key(runner, catalog, citizen, data_dir):
    outcome = runner.run(catalog.get("si-contribution-record"), citizen, {"months": "24"})
    (cert,) = outcome.result.documents
    key = load_district_document_key(data_dir)
    checked = verify_pdf(cert.pdf, key)
    assert checked.result.valid, checked.result.reason
    assert checked.result.payload.serial == cert.serial
    assert checked.qr_text.startswith(runner.district._client.base_url.__str__().rstrip("/") + "/verify?")
    assert outcome.receipt.qr_text == ""  # the runner puts the tracking number there once recorded


def test_tampered_payload_fails(runner, catalog, citizen, data_dir):
    cert = runner.run(catalog.get("si-contribution-record"), citizen, {}).result.documents[0]
    key = load_district_document_key(data_dir)
    (text,) = qr_texts_from_pdf(cert.pdf)
    payload = VerificationPayload.from_text(text)
    assert verify_payload(payload, key).valid
    for change in ({"serial": payload.serial[:-1] + ("A" if payload.serial[-1] != "A" else "B")},
                   {"content_hash": payload.content_hash[::-1]}, {"holder_hash": payload.holder_hash[::-1]},
                   {"issued_on": "20200101"}):
        forged = dataclasses.replace(payload, **change)
        result = verify_payload(forged, key)
        assert not result.valid and "signature" in result.reason
    assert not verify_text(text.replace("&sig=", "&sig=A"), key).valid
    assert not verify_text("https://example.org/verify?v=1&s=X", key).valid


def test_other_key_fails(runner, catalog, citizen):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    cert = runner.run(catalog.get("si-contribution-record"), citizen, {}).result.documents[0]
    result = verify_pdf(cert.pdf, Ed25519PrivateKey.generate().public_key()).result
    assert not result.valid and "not the district's key" in result.reason


def test_district_verification_page(runner, catalog, citizen, district):
    import httpx

    (qr,) = qr_texts_from_pdf(runner.run(catalog.get("si-contribution-record"), citizen, {}).result.documents[0].pdf)
    page = httpx.get(qr, timeout=5)
    assert page.status_code == 200 and "VALID" in page.text and "INVALID" not in page.text
    same = httpx.post(qr, data={"id_number": citizen.document_number}, timeout=5)  # in the body, not the URL
    assert "matches the holder" in same.text
    other = httpx.post(qr, data={"id_number": "330102199003070000"}, timeout=5)
    assert "does NOT match" in other.text
    forged = httpx.get(qr.replace("&d=", "&d=1"), timeout=5)
    assert forged.status_code == 400 and "INVALID" in forged.text


def test_months_input_is_validated(runner, catalog, citizen):
    from kiosk.errors import InputInvalid

    with pytest.raises(InputInvalid) as err:
        runner.run(catalog.get("si-contribution-record"), citizen, {"months": "99"})
    assert err.value.field == "months"


def test_offline_raises_then_queues_with_claim_receipt(offline_runner, catalog, citizen, tmp_path):
    from contract.durable_sqlite import open_engine, sqlite_url
    from kiosk.store.database import migrate
    from kiosk.store.transactions import TransactionStore

    item = catalog.get("si-contribution-record")
    with pytest.raises(DistrictUnavailable):
        offline_runner.run(item, citizen, {})
    engine = open_engine(sqlite_url(tmp_path / "kiosk.db"))
    migrate(engine)
    offline_runner.store = TransactionStore(engine, "SC-01")
    outcome = offline_runner.run(item, citizen, {}, queue_offline=True)
    t = outcome.result.transaction
    assert t.status == "queued" and outcome.result.documents == ()
    assert t.request["type"] == "si-contribution-record" and t.request["months"] == 36
    assert t.request["document_number"] == citizen.document_number
    assert outcome.tracking_number == "SC01-000001"
    assert outcome.receipt.tracking_number == "SC01-000001" and outcome.receipt.qr_text == "SC01-000001"
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from kiosk.store.models import OutboxRow

    with Session(engine) as s:
        row = s.scalars(select(OutboxRow)).one()
    assert row.payload["status"] == "queued" and row.payload["request"]["months"] == 36
    assert "330102199003071234" not in repr(row.payload["summary"])


def test_digital_copy_content_is_checked_against_the_signature(runner, catalog, citizen, data_dir, monkeypatch):
    import kiosk.documents.certificate as certificate
    from kiosk.documents.certificate import embedded_content_text, render_certificate
    from kiosk.documents.verification import embedded_content

    key = load_district_document_key(data_dir)
    genuine = runner.run(catalog.get("si-contribution-record"), citizen, {}).result.documents[0]
    checked = verify_pdf(genuine.pdf, key)
    assert checked.result.valid and checked.content == "matches"
    (qr,) = qr_texts_from_pdf(genuine.pdf)
    content = embedded_content(genuine.pdf)
    # a fake re-rendered with other figures but the genuine QR code
    from kiosk.documents.certificate import CertificateSpec, Column

    fields = dict(content)
    fields["rows"] = [list(r) for r in content["rows"]]
    fields["rows"][0][1] = "9,999.00"
    fake_spec = CertificateSpec(
        kind=fields["kind"], title_zh=fields["title_zh"], title_en=fields["title_en"], serial=fields["serial"],
        issued_on=fields["issued_on"], office_name=fields["office_name"], district_name=fields["district_name"],
        kiosk_id=fields["kiosk_id"], holder_fields=tuple(tuple(f) for f in fields["holder_fields"]),
        holder_name=fields["holder_name"],
        columns=tuple(Column(zh, en, 20) for zh, en, _w, _a in fields["columns"]),
        rows=tuple(tuple(r) for r in fields["rows"]),
        table_title=fields["table_title"], summary_fields=tuple(tuple(f) for f in fields["summary_fields"]),
        notes=tuple(fields["notes"]), seal_label=fields["seal_label"])
    fake = render_certificate(fake_spec, qr)
    result = verify_pdf(fake, key)
    assert not result.result.valid and result.content == "altered" and "not the signed content" in result.result.reason
    # the same fake carrying the genuine embedded record: the page no longer shows it
    monkeypatch.setattr(certificate, "embedded_content_text", lambda _content: embedded_content_text(content))
    fake2 = render_certificate(fake_spec, qr)
    result = verify_pdf(fake2, key)
    assert not result.result.valid and "does not show the signed content" in result.result.reason
    assert "2023" in result.result.reason or "row" in result.result.reason
