"""Test documents: a signed certificate rendered with a throwaway district key (no server needed)."""

from __future__ import annotations

import datetime as dt

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from contract.document_signing import LocalDocumentSigner
from district import demo_data
from kiosk.core.identity import Identity
from kiosk.documents.issuing import issue_certificate
from kiosk.documents.printable import PrintableDocument
from kiosk.services.api import ServiceContext
from kiosk.services.builtin.social_insurance import SocialInsuranceRecordModule

HOLDER = Identity(document_number="110105198512240021", surname="李", given_names="建国")


def signed_certificate(key: Ed25519PrivateKey | None = None) -> tuple[PrintableDocument, Ed25519PrivateKey]:
    """A social-insurance certificate of HOLDER signed with `key` (a new one if None)."""
    key = key or Ed25519PrivateKey.generate()
    module = SocialInsuranceRecordModule()
    ctx = ServiceContext(identity=HOLDER, inputs={}, params={}, item_id="si-contribution-record",
                         item_title_zh="社会保险参保缴费证明", item_title_en="", department="", district=None,
                         clock=lambda: dt.datetime.now().astimezone(), kiosk_id="SC-01",
                         office_name="上城区政务服务中心", district_name="上城区")
    spec = module.certificate_spec(ctx, demo_data.social_insurance_record(HOLDER.document_number), 36)
    issued = issue_certificate(spec, HOLDER.document_number, LocalDocumentSigner(key, "http://127.0.0.1:8470"))
    assert issued.document.serial.startswith("SI-")
    return issued.document, key
