"""Document reader benchmark: card presence -> DG1 + DG2 read and passive authentication verified.

Runs on the real stack the tests use: a private pcscd with vpcd and the emulated eMRTD chip from
tests/document. The clock starts when the reader's monitor reports the card (CARD_INSERTED) and stops when the
Identity with its passive-authentication result is back; median of 10 insertions: a 25 KB JPEG with and without
extended length, and a 52 KB JPEG (odd-INS READ BINARY past offset 32767) with short APDUs. Real chips over the
air take 2-5 s: the APDU count and bytes per APDU say how a read scales there.
"""

from __future__ import annotations

from bench.card_reads import median_read, shared_pcscd


def _measure(pcscd, document, trust, extended: bool, runs: int = 10) -> tuple[float, int, float]:
    from kiosk.core.identity import PassiveAuth
    from tests.document.emrtd_chip import EmrtdChip

    def check(result) -> None:
        if result.identity.passive_auth != PassiveAuth.VALID or result.extended_length != extended:
            raise RuntimeError(f"unexpected read: {result.identity.passive_auth} {result.extended_length}")

    median, last = median_read(pcscd, trust, lambda: EmrtdChip(document.files, document.access_key,
                                                               extended_length=extended),
                               document.access_key, check, runs)
    return median, last.files.apdus, last.files.apdu_bytes / last.files.apdus



def run() -> list[dict]:
    """Benchmark rows for `make bench`."""
    from kiosk.devices.document.trust_store import TrustStore
    from tests.document.documents import (
        build_document,
        make_pki,
        padded_jpeg,
        photo_bytes,
        td1_mrz,
        td3_mrz,
    )

    pcscd = shared_pcscd()
    try:
        pki = make_pki("ec")
        photo = padded_jpeg(photo_bytes(None, "jpeg", 24_000), 25_000)
        document = build_document(pki, td3_mrz("L898902C3", "740812", "350415", "ERIKSSON", "ANNA"), photo)
        # A portrait past 32 KB: DG2 beyond offset 32767 comes through odd-INS READ BINARY (DO'53' in Le).
        large_photo = photo_bytes(None, "jpeg", 53_000, size=(420, 560))
        large = build_document(pki, td1_mrz("D23145890", "820101", "330707", "ZHANG", "SAN FENG"), large_photo,
                               photo_size=(420, 560))
        trust = TrustStore(certificates=[pki.csca])
        large_kb = len(large.files[0x0102]) // 1000
        # (document, DG2 size in the name, extended, label of the count rows, target in s)
        cases = ((document, len(photo) // 1000, True, "extended length", 0.3),
                 (document, len(photo) // 1000, False, "short APDUs", 0.3),
                 (large, large_kb, False, f"DG2 {large_kb} KB, short APDUs", 0.5))
        rows = []
        for doc, kb, extended, label, target in cases:
            median, apdus, per_apdu = _measure(pcscd, doc, trust, extended)
            mode = "extended length" if extended else "short APDUs"
            rows += [
                {"name": f"document: card present -> DG1+DG2 {kb} KB + PA, {mode} (median of 10)",
                 "value": round(median, 4), "unit": "s", "target": target, "better": "lower"},
                {"name": f"document: APDUs per read, {label}", "value": apdus, "unit": "APDUs", "target": None,
                 "better": "lower"},
                {"name": f"document: bytes per APDU (command + response), {label}", "value": round(per_apdu, 1),
                 "unit": "B", "target": None, "better": "higher"},
            ]
        return rows
    finally:
        pcscd.start()  # a bench that pulled the reader leaves it plugged in for the next one


if __name__ == "__main__":
    for row in run():
        print(row)
