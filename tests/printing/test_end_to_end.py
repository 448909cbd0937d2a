"""A citizen's journey below the shell: run the social-insurance item against the demo district, record it,
print the certificate and the receipt through CUPS (cups-pdf), read both back and verify the certificate."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest

from contract.document_signing import parse_public_key
from kiosk.config import PrinterConfig
from kiosk.core.identity import Identity
from kiosk.devices.printer.cups import CupsPrinter
from kiosk.devices.printer.receipt_pdf import A4ReceiptPrinter
from kiosk.documents.verification import qr_texts_from_pdf, verify_pdf
from tests.services.district import DistrictServer, enrolled_client

pytestmark = pytest.mark.cups


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory):
    server = DistrictServer(tmp_path_factory.mktemp("district")).start()
    yield server
    server.stop()


def _output(folder: Path, prefix: str) -> Path:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        found = sorted(folder.glob(f"{prefix}*.pdf"))
        if found and found[0].stat().st_size:
            return found[0]
        time.sleep(0.1)
    raise AssertionError(f"no {prefix}*.pdf in {folder}")


def test_certificate_and_receipt_through_cups(district, pdf_queue, cups_pdf_out, tmp_path):
    from contract.catalog.model import load_catalog
    from contract.durable_sqlite import open_engine, sqlite_url
    from kiosk.catalog.source import SHIPPED_CATALOG
    from kiosk.services.registry import ModuleRegistry
    from kiosk.services.runner import ServiceRunner
    from kiosk.store.database import migrate
    from kiosk.store.transactions import TransactionStore

    registry = ModuleRegistry.discover()
    catalog = load_catalog(SHIPPED_CATALOG, registry.ids())
    engine = open_engine(sqlite_url(tmp_path / "kiosk.db"))
    migrate(engine)
    runner = ServiceRunner(registry=registry, district=enrolled_client(district.url, kiosk_id="SC-01"), kiosk_id="SC-01",
                           office_name="上城区政务服务中心", district_name="上城区",
                           store=TransactionStore(engine, "SC-01"), clock=lambda: dt.datetime.now().astimezone())
    citizen = Identity(document_number="330106197811230417", surname="陈", given_names="国强")
    outcome = runner.run(catalog.get("si-contribution-record"), citizen, {})
    printer = CupsPrinter.from_config(PrinterConfig(cups_queue=pdf_queue, job_timeout_s=60), tmp_path / "data")
    (certificate,) = outcome.result.documents
    printer.print_document(certificate)
    A4ReceiptPrinter(printer).print_receipt(outcome.receipt)
    assert printer.spool.pending() == []  # both printed; kept only for the reprint window
    cert_pdf = _output(cups_pdf_out, f"certificate-{certificate.serial}")
    receipt_pdf = _output(cups_pdf_out, f"receipt-{outcome.tracking_number}")
    try:
        key = parse_public_key(district.public_key_pem())
        checked = verify_pdf(cert_pdf, key)
        assert checked.result.valid and checked.result.payload.serial == certificate.serial
        assert qr_texts_from_pdf(receipt_pdf) == [outcome.tracking_number]
        assert outcome.tracking_number == "SC01-000001"
    finally:
        cert_pdf.unlink()
        receipt_pdf.unlink()
    printer.reprint_last()  # the Done screen's reprint: the receipt again
    again = _output(cups_pdf_out, f"receipt-{outcome.tracking_number}")
    again.unlink()
