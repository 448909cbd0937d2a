"""Chip and active authentication benchmark: what proving the chip genuine adds to a read.

Same real stack as bench_document (private pcscd + vpcd + the emulated chip, here `tests/document/genuine_chip`):
card present -> DG14 + DG15, AA (RSA-2048, ISO/IEC 9796-2) and CA (ECDH brainpoolP256r1, 3DES), then DG1 + DG2
(25 KB JPEG) under the chip-authenticated keys and passive authentication; against the same document without
DG14/DG15. Median of 10 insertions each, short APDUs and extended length. The emulator's own RSA signature and
ECDH take part of the time; a real chip spends 0.1-1 s on them over the air.
"""

from __future__ import annotations

from bench.card_reads import median_read, shared_pcscd


def _measure(pcscd, document, trust, extended: bool, chip_keys: dict, runs: int = 10) -> tuple[float, int]:
    from kiosk.core.identity import ChipCheck, PassiveAuth
    from tests.document.genuine_chip import GenuineChip

    expected = ChipCheck.VALID if chip_keys else ChipCheck.NOT_SUPPORTED

    def check(result) -> None:
        ident = result.identity
        if (ident.passive_auth, ident.chip_auth, ident.active_auth) != (PassiveAuth.VALID, expected, expected):
            raise RuntimeError(f"unexpected read: {ident.passive_auth} {ident.chip_auth} {ident.active_auth}")

    median, last = median_read(pcscd, trust, lambda: GenuineChip(document.files, document.access_key,
                                                                 extended_length=extended, **chip_keys),
                               document.access_key, check, runs)
    return median, last.files.apdus



def run() -> list[dict]:
    """Benchmark rows for `make bench`."""
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    from kiosk.devices.document.trust_store import TrustStore
    from tests.document.documents import build_document, make_pki, padded_jpeg, photo_bytes, td3_mrz
    from tests.document.genuine_chip import dg14, dg15

    pcscd = shared_pcscd()
    try:
        pki = make_pki("ec")
        photo = padded_jpeg(photo_bytes(None, "jpeg", 24_000), 25_000)
        mrz = td3_mrz("L898902C3", "740812", "350415", "ERIKSSON", "ANNA")
        keys = {"ca_key": ec.generate_private_key(ec.BrainpoolP256R1()),
                "aa_key": rsa.generate_private_key(public_exponent=65537, key_size=2048)}
        genuine = build_document(pki, mrz, photo, extra_groups={14: dg14(keys["ca_key"].public_key()),
                                                                15: dg15(keys["aa_key"].public_key())})
        plain = build_document(pki, mrz, photo)
        trust = TrustStore(certificates=[pki.csca])
        rows = []
        for extended, mode in ((False, "short APDUs"), (True, "extended length")):
            with_checks, apdus = _measure(pcscd, genuine, trust, extended, keys)
            without, plain_apdus = _measure(pcscd, plain, trust, extended, {})
            rows += [
                {"name": f"chipauth: card present -> AA + CA + DG1+DG2 25 KB + PA, {mode} (median of 10)",
                 "value": round(with_checks, 4), "unit": "s", "target": None, "better": "lower"},
                {"name": f"chipauth: added by DG14/DG15 + AA + CA, {mode}", "value": round(with_checks - without, 4),
                 "unit": "s", "target": None, "better": "lower"},
                {"name": f"chipauth: APDUs added by DG14/DG15 + AA + CA, {mode}", "value": apdus - plain_apdus,
                 "unit": "APDUs", "target": None, "better": "lower"},
            ]
        return rows
    finally:
        pcscd.start()  # a bench that pulled the reader leaves it plugged in for the next one


if __name__ == "__main__":
    for row in run():
        print(row)
