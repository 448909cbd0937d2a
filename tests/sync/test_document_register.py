"""The certificate register's storage on SQLite and PostgreSQL: one record per serial, repeats answered from it,
revocation (one document, or every valid document of a kiosk), holder-check failures counted."""

from __future__ import annotations

import dataclasses

import pytest

from district import document_register as register
from district.database import migrate, open_engine


def _doc(serial: str, kiosk: str = "SC-01", **kw) -> register.RegisteredDocument:
    fields = dict(serial=serial, kiosk=kiosk, item="si-contribution-record", kind="social-insurance-record",
                  title="社会保险个人参保缴费证明", issued_on="20261129", issued_at=1_790_000_000.0,
                  content_hash="C" * 43, holder_hash="H" * 43, holder_name="王**",
                  content={"serial": serial, "holder_name": "王**", "summary_fields": [["合计", "¥1.00"]]},
                  key_id="0123456789abcdef", signature="S" * 86)
    return register.RegisteredDocument(**{**fields, **kw})


@pytest.fixture
def engine(district_db_url):
    engine = open_engine(district_db_url)
    migrate(engine)
    yield engine
    engine.dispose()


def test_register_repeat_and_conflict(engine):
    doc = _doc("SI-20261129-SC01-AAAAAAAA")
    assert register.register_document(engine, doc) == doc
    assert register.register_document(engine, dataclasses.replace(doc, issued_at=doc.issued_at + 5)) == doc
    with pytest.raises(register.SerialTaken):
        register.register_document(engine, dataclasses.replace(doc, content_hash="D" * 43))
    with pytest.raises(register.SerialTaken):
        register.register_document(engine, dataclasses.replace(doc, kiosk="SC-02"))
    assert register.find_document(engine, doc.serial) == doc
    assert register.find_document(engine, "SI-20261129-SC01-NOTTHERE") is None


def test_revoke_one_and_a_kiosks_all(engine):
    docs = [_doc(f"SI-20261129-SC09-{n:08d}", kiosk="SC-09", issued_at=1_790_000_000.0 + n) for n in range(3)]
    other = _doc("SI-20261129-SC01-BBBBBBBB")
    for d in (*docs, other):
        register.register_document(engine, d)
    assert register.revoke_document(engine, docs[0].serial, "misprint", now=1_790_000_100.0) is True
    assert register.revoke_document(engine, docs[0].serial, "again") is False
    assert register.revoke_kiosk_documents(engine, "SC-09", "kiosk stolen") == sorted(d.serial for d in docs[1:])
    assert register.revoke_kiosk_documents(engine, "SC-09", "kiosk stolen") == []
    revoked = register.list_documents(engine, kiosk="SC-09")
    assert [d.serial for d in revoked] == [d.serial for d in docs]  # issue order
    assert [d.revoke_reason for d in revoked] == ["misprint", "kiosk stolen", "kiosk stolen"]
    assert [d.serial for d in register.list_documents(engine, status="valid")] == [other.serial]
    with pytest.raises(KeyError):
        register.revoke_document(engine, "SI-20261129-SC01-NOTTHERE", "x")
    record = revoked[0].as_json()
    assert record["status"] == "revoked" and record["revoked_at"].startswith("2026-") and "signature" not in record


def test_holder_check_failures_are_counted(engine):
    doc = _doc("SI-20261129-SC01-CCCCCCCC")
    register.register_document(engine, doc)
    assert register.holder_checks_left(engine, doc.serial) == register.MAX_HOLDER_CHECK_FAILURES
    for _ in range(register.MAX_HOLDER_CHECK_FAILURES):
        register.count_holder_check_failure(engine, doc.serial)
    assert register.holder_checks_left(engine, doc.serial) == 0
