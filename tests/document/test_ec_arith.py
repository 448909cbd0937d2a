"""The curve parameters and point arithmetic PACE's generic mapping uses, against `cryptography` (OpenSSL)."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from kiosk.devices.document.ec_arith import STANDARDIZED_CURVES, Curve
from kiosk.errors import MalformedCardData

OPENSSL = {"brainpoolP256r1": ec.BrainpoolP256R1, "brainpoolP384r1": ec.BrainpoolP384R1,
           "brainpoolP512r1": ec.BrainpoolP512R1, "secp256r1": ec.SECP256R1, "secp384r1": ec.SECP384R1,
           "secp521r1": ec.SECP521R1}
IDS = {12: "secp256r1", 13: "brainpoolP256r1", 15: "secp384r1", 16: "brainpoolP384r1", 17: "brainpoolP512r1",
       18: "secp521r1"}  # ICAO 9303-11 §9.5.1


@pytest.mark.parametrize("parameter_id", sorted(STANDARDIZED_CURVES))
def test_curve_matches_openssl(parameter_id: int) -> None:
    curve: Curve = STANDARDIZED_CURVES[parameter_id]
    assert curve.name == IDS[parameter_id]
    native = OPENSSL[curve.name]()
    g = ec.derive_private_key(1, native).public_key().public_numbers()
    assert curve.generator == (g.x, g.y) and curve.contains(curve.generator)
    assert curve.multiply(curve.n - 1, curve.generator) == (curve.gx, -curve.gy % curve.p)  # G has order n
    assert curve.multiply(curve.n, curve.generator) is None
    for _ in range(3):
        k, j = curve.random_scalar(), curve.random_scalar()
        expected = ec.derive_private_key(k, native).public_key().public_numbers()
        assert curve.multiply(k, curve.generator) == (expected.x, expected.y) == curve.multiply_generator(k)
        # addition agrees with scalar multiplication: kG + jG = (k + j)G
        assert curve.add(curve.multiply(k, curve.generator), curve.multiply(j, curve.generator)) == \
            curve.multiply(k + j, curve.generator)
        peer = curve.multiply(j, curve.generator)
        assert peer is not None
        openssl_secret = ec.derive_private_key(k, native).exchange(
            ec.ECDH(), ec.derive_private_key(j, native).public_key())
        assert curve.ecdh_x(k, peer) == openssl_secret == curve.multiply(k, peer)[0].to_bytes(curve.size, "big")


def test_points_from_a_chip_are_checked() -> None:
    curve = STANDARDIZED_CURVES[13]
    good = curve.encode_point(curve.generator)
    assert curve.decode_point(good) == curve.generator
    for bad in (good[:-1], b"\x02" + good[1:], good[:-1] + bytes([good[-1] ^ 1]), b"\x04" + bytes(64)):
        with pytest.raises(MalformedCardData):
            curve.decode_point(bad)
    assert curve.add(curve.generator, (curve.gx, -curve.gy % curve.p)) is None
