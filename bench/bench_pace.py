"""PACE benchmark: card present -> DG1 + DG2 (25 KB) + passive authentication, over PACE and over BAC.

The same real stack as bench_document.py (private pcscd, vpcd, the emulated chip of tests/document), short APDUs
throughout. The clock starts when the reader's monitor reports the card and stops when the Identity with its
passive-authentication result is back; median of 10 insertions. PACE: ECDH generic mapping with AES-128 secure
messaging, on brainpoolP256r1 with the MRZ and on NIST P-256 with the CAN; both sides' point arithmetic is pure
Python (`ec_arith.py`), the emulated chip's included, so the PACE figure is an upper bound of the kiosk's own cost.
"""

from __future__ import annotations

from bench.card_reads import median_read, shared_pcscd


def _measure(pcscd, document, trust, password, make_chip, runs: int = 10) -> tuple[float, int, str]:
    from kiosk.core.identity import PassiveAuth

    def check(result) -> None:
        if result.identity.passive_auth != PassiveAuth.VALID or result.extended_length:
            raise RuntimeError(f"unexpected read: {result.identity.passive_auth} {result.extended_length}")

    median, last = median_read(pcscd, trust, make_chip, password, check, runs)
    return median, last.files.apdus, last.access_control



def run() -> list[dict]:
    """Benchmark rows for `make bench`."""
    from kiosk.devices.document.pace import CardAccessNumber
    from kiosk.devices.document.trust_store import TrustStore
    from tests.document.documents import build_document, make_pki, padded_jpeg, photo_bytes, td3_mrz
    from tests.document.emrtd_chip import EmrtdChip
    from tests.document.pace_chip import PaceChip

    pcscd = shared_pcscd()
    try:
        pki = make_pki("ec")
        photo = padded_jpeg(photo_bytes(None, "jpeg", 24_000), 25_000)
        doc = build_document(pki, td3_mrz("L898902C3", "740812", "350415", "ERIKSSON", "ANNA"), photo)
        trust = TrustStore(certificates=[pki.csca])
        kb = len(photo) // 1000
        can = "305917"

        def pace_chip(parameter_id: int):
            return lambda: EmrtdChip(doc.files, doc.access_key, extended_length=False,
                                     pace=PaceChip(doc.access_key, can=can, parameter_id=parameter_id),
                                     bac_enabled=False)

        cases = (
            ("PACE (ECDH-GM brainpoolP256r1, AES-128, MRZ)", doc.access_key, pace_chip(13), "PACE", 0.5),
            ("PACE (ECDH-GM NIST P-256, AES-128, CAN)", CardAccessNumber(can), pace_chip(12), "PACE", 0.5),
            ("BAC (3DES)", doc.access_key,
             lambda: EmrtdChip(doc.files, doc.access_key, extended_length=False), "BAC", 0.3),
        )
        rows = []
        for label, password, make_chip, expected, target in cases:
            median, apdus, access = _measure(pcscd, doc, trust, password, make_chip)
            if access != expected:
                raise RuntimeError(f"{label}: chip opened with {access}")
            rows += [
                {"name": f"pace: card present -> DG1+DG2 {kb} KB + PA over {label}, short APDUs (median of 10)",
                 "value": round(median, 4), "unit": "s", "target": target, "better": "lower"},
                {"name": f"pace: APDUs per read over {label}", "value": apdus, "unit": "APDUs", "target": None,
                 "better": "lower"},
            ]
        return rows
    finally:
        pcscd.start()  # a bench that pulled the reader leaves it plugged in for the next one


if __name__ == "__main__":
    for row in run():
        print(row)
