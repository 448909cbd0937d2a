"""The generic modules against the demo district: record certificate, information sheet, application form,
appointment booking, status query."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest

from district import demo_data
from kiosk.documents.signing import load_district_document_key
from kiosk.documents.verification import verify_pdf
from kiosk.errors import DistrictUnavailable, InputInvalid, ServiceError


def _text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "d.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_record_certificate_is_signed_and_verifies(runner, catalog, citizen, data_dir, tmp_path):
    outcome = runner.run(catalog.get("hf-deposit-cert"), citizen, {"months": "6"})
    (cert,) = outcome.result.documents
    assert cert.serial.startswith("HF-")
    text = _text(cert.pdf, tmp_path)
    assert "住房公积金缴存证明" in text and "王晓梅" in text and "330***********1234" in text
    assert text.count("正常") == 6
    assert verify_pdf(cert.pdf, load_district_document_key(data_dir)).result.valid
    registration = runner.run(catalog.get("hh-registration-cert"), citizen, {}).result.documents[0]
    assert "登记编号" in _text(registration.pdf, tmp_path)


def test_information_sheet_needs_nothing_remote(offline_runner, catalog, citizen, tmp_path):
    item = catalog.get("hf-loan-guide")
    assert offline_runner.module_for(item).offline_policy.value == "local"
    outcome = offline_runner.run(item, citizen, {})
    text = _text(outcome.result.documents[0].pdf, tmp_path)
    assert "住房公积金贷款办理指南" in text and "申请材料" in text and "购房合同" in text
    assert outcome.result.transaction.status == "completed"


def test_application_form_needs_face_then_submits(runner, catalog, citizen, tmp_path):
    item = catalog.get("hf-withdraw-rent")
    inputs = {"monthly_rent": "3200", "bank_account": "6222021202012345678", "phone": "13800001234"}
    with pytest.raises(ServiceError):
        runner.run(item, citizen, inputs)
    outcome = runner.run(item, citizen, inputs, face_verified=True)
    number = outcome.result.transaction.summary["application_number"]
    expected = demo_data.accept_application("hf-withdraw-rent", citizen.document_number, inputs)
    assert number == expected["application_number"]
    text = _text(outcome.result.documents[0].pdf, tmp_path)
    assert number in text and "3200" in text and "租房提取住房公积金申请表" in text
    assert "138****1234" in text and "622************5678" in text  # masked on the printed copy
    assert "6222021202012345678" not in text and "13800001234" not in text
    assert dict(outcome.receipt.lines)["受理编号 Application"] == number
    with pytest.raises(InputInvalid) as err:
        runner.run(item, citizen, {**inputs, "phone": "12"}, face_verified=True)
    assert err.value.field == "phone"
    with pytest.raises(InputInvalid) as err:
        runner.run(item, citizen, {**inputs, "unexpected": "x"}, face_verified=True)
    assert err.value.field == "unexpected"


def test_application_form_queues_offline(offline_runner, catalog, citizen):
    item = catalog.get("mi-offsite-filing")
    inputs = {"city": "上海", "type": "resident", "start": "2026-12-01", "phone": "13800001234"}
    with pytest.raises(DistrictUnavailable):
        offline_runner.run(item, citizen, inputs, face_verified=True)
    outcome = offline_runner.run(item, citizen, inputs, face_verified=True, queue_offline=True)
    request = outcome.result.transaction.request
    assert outcome.result.transaction.status == "queued"
    assert request["application_type"] == "mi-offsite-filing" and request["fields"]["city"] == "上海"
    assert request["path"] == "/api/v1/citizen/requests"


def test_an_item_whose_catalog_entry_forbids_queueing_is_never_queued(offline_runner, catalog, citizen):
    """catalog.schema.json: an item's `offline_policy` applies where it is stricter than its module's."""
    import dataclasses

    queued_module = catalog.get("mi-offsite-filing")
    online_only = dataclasses.replace(queued_module, offline_policy="online")
    assert offline_runner.offline_policy(queued_module).value == "queue"
    assert offline_runner.offline_policy(online_only).value == "online"
    # never more lenient than the module: an online module stays online whatever the item says
    booking = next(i for i in catalog.items if i.module == "appointment-booking")
    assert offline_runner.offline_policy(dataclasses.replace(booking, offline_policy="queue")).value == "online"
    inputs = {"city": "上海", "type": "resident", "start": "2026-12-01", "phone": "13800001234"}
    with pytest.raises(DistrictUnavailable):  # asked to queue anyway: the runner does not pass it on
        offline_runner.run(online_only, citizen, inputs, face_verified=True, queue_offline=True)


def _bookable_day(service: str) -> tuple[str, str]:
    day = dt.date.today()
    for _ in range(30):
        day += dt.timedelta(days=1)
        for slot in demo_data.appointment_slots(service, day.isoformat()):
            if slot["free"] > 0:
                return day.isoformat(), slot["period"]
    raise AssertionError("no free slot in 30 days")


def test_appointment_booking(runner, catalog, citizen):
    item = catalog.get("ca-marriage-appointment")
    date, period = _bookable_day("marriage")
    outcome = runner.run(item, citizen, {"date": date, "period": period, "phone": "13800001234"})
    booking = demo_data.book_appointment("marriage", citizen.document_number, date, period)
    assert outcome.result.transaction.summary["confirmation"] == booking["confirmation"]
    lines = dict(outcome.receipt.lines)
    assert lines["手机 Phone"] == "138****1234" and lines["日期 Date"] == date
    saturday = dt.date.today() + dt.timedelta(days=(5 - dt.date.today().weekday()) % 7 or 7)
    with pytest.raises(InputInvalid) as err:
        runner.run(item, citizen, {"date": saturday.isoformat(), "period": "am", "phone": "13800001234"})
    assert err.value.field == "period"
    with pytest.raises(InputInvalid):
        runner.run(item, citizen, {"date": dt.date.today().isoformat(), "period": "am", "phone": "13800001234"})


def test_status_query(runner, catalog, citizen):
    outcome = runner.run(catalog.get("re-progress"), citizen, {})
    expected = demo_data.application_status("re-registration", citizen.document_number)
    assert dict(outcome.receipt.lines)["受理编号 Application"] == expected["reference"]
    assert outcome.result.transaction.summary["result"] == expected["status"]


def test_online_module_does_not_queue(offline_runner, catalog, citizen):
    item = catalog.get("re-progress")
    assert offline_runner.offline_policy(item).value == "online"
    with pytest.raises(DistrictUnavailable):
        offline_runner.run(item, citizen, {}, queue_offline=True)
