"""An enrolled kiosk: the document key arrives with enrollment, signing requests are authenticated."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from kiosk.documents.signing import DOCUMENT_KEY_FILE, load_district_document_key
from kiosk.documents.verification import verify_pdf


def test_enrollment_brings_the_document_key_and_signed_requests_work(district, registry, catalog, citizen,
                                                                     tmp_path):
    from kiosk.link.district_client import HttpDistrictClient
    from kiosk.link.enrollment import enroll, signer_for
    from kiosk.services.runner import ServiceRunner

    data = tmp_path / "data"
    enroll(data, district.url, "SC-07")  # demo server: loopback kiosks enroll without a token
    assert not (data / DOCUMENT_KEY_FILE).exists()
    key = load_district_document_key(data)  # from <data>/district/keys.json["document"]
    signer = signer_for(data, "SC-07")
    assert signer is not None
    runner = ServiceRunner(registry=registry, district=HttpDistrictClient(district.url, authenticator=signer),
                           kiosk_id="SC-07", office_name="上城区政务服务中心", district_name="上城区",
                           clock=lambda: dt.datetime.now().astimezone())
    cert = runner.run(catalog.get("si-contribution-record"), citizen, {}).result.documents[0]
    assert verify_pdf(cert.pdf, key).result.valid


def test_a_forged_kiosk_signature_is_refused(district):
    body = {"version": "1", "serial": "SI-20260101-SC07-AAAAAAAA", "item": "si-contribution-record",
            "document_number": "330102199003071234", "content": {}, "issued_on": dt.date.today().strftime("%Y%m%d")}
    forged = {"X-Kiosk-Id": "SC-07", "X-Kiosk-Timestamp": f"{dt.datetime.now().timestamp():.3f}",
              "X-Kiosk-Nonce": "00" * 16, "X-Kiosk-Signature": "AAAA"}
    answer = httpx.post(f"{district.url}/api/v1/documents/sign", json=body, headers=forged, timeout=5)
    assert answer.status_code == 401


@pytest.mark.parametrize("issued_on", ["20200101", "2026-01-01"])
def test_sign_refuses_other_days_and_bad_fields(district, issued_on):
    from kiosk.errors import ServiceError
    from tests.services.district import enrolled_client

    body = {"version": "1", "serial": "SI-20200101-SC07-AAAAAAAA", "item": "si-contribution-record",
            "document_number": "330102199003071234", "content": {}, "issued_on": issued_on}
    with pytest.raises(ServiceError, match="district answered 422"):
        enrolled_client(district.url).post_json("/api/v1/documents/sign", body)


def test_the_register_names_the_signing_kiosk_and_refuses_another_kiosks_name(district, registry, catalog, citizen,
                                                                             tmp_path):
    from district.document_register import find_document
    from kiosk.errors import ServiceError
    from kiosk.link.district_client import HttpDistrictClient
    from kiosk.link.enrollment import enroll, signer_for
    from kiosk.services.runner import ServiceRunner

    data = tmp_path / "data"
    enroll(data, district.url, "SC-08")
    client = HttpDistrictClient(district.url, authenticator=signer_for(data, "SC-08"))
    runner = ServiceRunner(registry=registry, district=client, kiosk_id="SC-08", office_name="上城区政务服务中心",
                           district_name="上城区", clock=lambda: dt.datetime.now().astimezone())
    cert = runner.run(catalog.get("si-contribution-record"), citizen, {}).result.documents[0]
    assert find_document(district.app.state.engine, cert.serial).kiosk == "SC-08"
    impostor = ServiceRunner(registry=registry, district=client, kiosk_id="SC-01", office_name="上城区政务服务中心",
                             district_name="上城区", clock=lambda: dt.datetime.now().astimezone())
    with pytest.raises(ServiceError, match="422"):  # SC-08 may not issue certificates printed as SC-01's
        impostor.run(catalog.get("si-contribution-record"), citizen, {})
