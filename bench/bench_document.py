"""Document reader benchmark: card presence -> DG1 + DG2 (25 KB photo) read and passive authentication verified.

Runs on the real stack the tests use: a private pcscd with vpcd and the emulated eMRTD chip from
tests/document. The clock starts when the reader's monitor reports the card (CARD_INSERTED) and stops when the
Identity with its passive-authentication result is back; median of 10 insertions, with and without extended
length. Real chips over the air take 2-5 s: the APDU count and bytes per APDU say how a read scales there.
"""

from __future__ import annotations

import statistics
import threading
import time


def _measure(pcscd, document, trust, extended: bool, runs: int = 10) -> tuple[float, int, float]:
    from kiosk.config import DocumentConfig
    from kiosk.core.identity import PassiveAuth
    from kiosk.devices.document import ReaderEventKind
    from kiosk.devices.document.pcsc import PcscDocumentReader
    from tests.document.emrtd_chip import EmrtdChip, VirtualCard

    reader = PcscDocumentReader(DocumentConfig(reader_name=pcscd.readers[0]), trust_store=trust)
    inserted = threading.Event()
    reader.start(lambda e: inserted.set() if e.kind == ReaderEventKind.CARD_INSERTED else None)
    times, apdus, per_apdu = [], 0, 0.0
    try:
        time.sleep(0.2)
        for _ in range(runs):
            inserted.clear()
            card = VirtualCard(EmrtdChip(document.files, document.access_key, extended_length=extended),
                               pcscd.port)
            card.insert()
            if not inserted.wait(10):
                raise RuntimeError("card not detected")
            started = time.perf_counter()
            result = reader.read_document(document.access_key, threading.Event())
            elapsed = time.perf_counter() - started
            if result.identity.passive_auth != PassiveAuth.VALID or result.extended_length != extended:
                raise RuntimeError(f"unexpected read: {result.identity.passive_auth} {result.extended_length}")
            times.append(elapsed)
            apdus = result.files.apdus
            per_apdu = result.files.apdu_bytes / result.files.apdus
            card.remove()
            time.sleep(0.6)  # let pcscd see the card gone before the next insertion
    finally:
        reader.stop()
    return statistics.median(times), apdus, per_apdu


def _padded_jpeg(jpeg: bytes, size: int) -> bytes:
    """`jpeg` grown to exactly `size` bytes with a comment segment (still a valid JPEG)."""
    filler = size - len(jpeg) - 4
    if filler <= 0:
        return jpeg
    return jpeg[:2] + b"\xff\xfe" + (filler + 2).to_bytes(2, "big") + bytes(filler) + jpeg[2:]


def run() -> list[dict]:
    """Benchmark rows for `make bench`."""
    from kiosk.devices.document.trust_store import TrustStore
    from tests.document.documents import build_document, make_pki, photo_bytes, td3_mrz
    from tests.document.pcscd import Pcscd

    pcscd = Pcscd()
    pcscd.use_socket()  # before the first PC/SC call of this process
    pcscd.start()
    try:
        pki = make_pki("ec")
        photo = _padded_jpeg(photo_bytes(None, "jpeg", 24_000), 25_000)
        document = build_document(pki, td3_mrz("L898902C3", "740812", "350415", "ERIKSSON", "ANNA"), photo)
        trust = TrustStore(certificates=[pki.csca])
        rows = []
        for extended, label in ((True, "extended length"), (False, "short APDUs")):
            median, apdus, per_apdu = _measure(pcscd, document, trust, extended)
            rows += [
                {"name": f"document: card present -> DG1+DG2 {len(photo) // 1000} KB + PA, {label} (median of 10)",
                 "value": round(median, 4), "unit": "s", "target": 0.3, "better": "lower"},
                {"name": f"document: APDUs per read, {label}", "value": apdus, "unit": "APDUs", "target": None,
                 "better": "lower"},
                {"name": f"document: bytes per APDU (command + response), {label}", "value": round(per_apdu, 1),
                 "unit": "B", "target": None, "better": "higher"},
            ]
        return rows
    finally:
        pcscd.cleanup()


if __name__ == "__main__":
    for row in run():
        print(row)
