"""Chip and active authentication pieces checked against published values and the standards' own numbers."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from kiosk.config import DocumentConfig
from kiosk.core.identity import ChipCheck, Identity
from kiosk.devices.document.active_authentication import SignatureInvalid, recover_iso9796_2, verify_iso9796_2
from kiosk.devices.document.chip_policy import chip_refusal
from kiosk.devices.document.security_infos import KNOWN_CURVES, parse_dg14, parse_dg15
from kiosk.errors import MalformedCardData

from .genuine_chip import CURVES, dg14, dg15

# ISO/IEC 9796-2 (edition 1) example with partial message recovery, RIPEMD-160 and the implicit trailer 'BC', as
# published in Bouncy Castle's test suite: bcgit/bc-java core/src/test/java/org/bouncycastle/crypto/test/
# ISO9796Test.java (mod3, pub3, msg5, sig5; "test vectors from ISO 9796-1 and ISO 9796-2 edition 1").
MOD3 = int("ffffffff78f6c55506c59785e871211ee120b0b5dd644aa796d82413a47b24573f1be5745b5cd9950f6b389b52350d4e01e"
           "90009669a8720bf265a2865994190a661dea3c7828e2e7ca1b19651adc2d5", 16)
MSG5 = bytes.fromhex("fedcba9876543210" * 14)
SIG5 = bytes.fromhex("5cf9a01854dbacaec83aae8efc563d74538192e95466babacd361d7c86000fe42dcb4581e48e4feb862d04698da9"
                     "203b1803b262105104d510b365ee9c660857ba1c001aa57abfd1c8de92e47c275cae")


def test_iso9796_2_published_example_opens_and_verifies() -> None:
    key = rsa.RSAPublicNumbers(3, MOD3).public_key()
    m1, digest, name = recover_iso9796_2(key, SIG5, implicit_hash="ripemd160")
    assert name == "ripemd160" and MSG5.startswith(m1) and 0 < len(m1) < len(MSG5)
    assert digest == hashlib.new("ripemd160", MSG5).digest()
    # The non-recoverable rest of the message completes it; anything else does not.
    m2 = MSG5[len(m1):]
    assert hashlib.new("ripemd160", m1 + m2).digest() == digest
    damaged = bytearray(SIG5)
    damaged[10] ^= 1
    with pytest.raises(SignatureInvalid):
        recover_iso9796_2(key, bytes(damaged), implicit_hash="ripemd160")


def test_iso9796_2_rejects_wrong_challenge_and_oversized_signature() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    n, d = key.public_key().public_numbers().n, key.private_numbers().d
    m1 = bytes(range(128 - 1 - 20 - 1))
    challenge = b"\x01\x02\x03\x04\x05\x06\x07\x08"
    f = b"\x6a" + m1 + hashlib.sha1(m1 + challenge).digest() + b"\xbc"
    signature = pow(int.from_bytes(f, "big"), d, n).to_bytes(128, "big")
    assert verify_iso9796_2(key.public_key(), signature, challenge)
    assert not verify_iso9796_2(key.public_key(), signature, b"\x00" * 8)
    assert not verify_iso9796_2(key.public_key(), n.to_bytes(128, "big"), challenge)


@pytest.mark.parametrize("curve", list(KNOWN_CURVES.items()), ids=lambda c: getattr(c, "name", ""))
def test_known_curve_parameters_hold_points_cryptography_generates(curve) -> None:
    (p, a, b), named = curve
    for _ in range(3):
        point = ec.generate_private_key(named).public_key().public_numbers()
        assert (point.y ** 2 - point.x ** 3 - a * point.x - b) % p == 0


@pytest.mark.parametrize("name", list(CURVES))
def test_emulator_curve_constants(name) -> None:
    """The emulator's published constants: points on the curve, and the order n with (n - 1)·G = -G."""
    named, p, a, b, n = CURVES[name]
    g = ec.derive_private_key(1, named).public_key().public_numbers()
    minus_g = ec.derive_private_key(n - 1, named).public_key().public_numbers()
    assert (g.y ** 2 - g.x ** 3 - a * g.x - b) % p == 0
    assert (minus_g.x, minus_g.y) == (g.x, p - g.y)


def test_dg14_with_explicit_parameters_and_aa_info_parses() -> None:
    ca = ec.generate_private_key(ec.BrainpoolP256R1()).public_key()
    security = parse_dg14(dg14(ca, aa_hash="sha256", key_id=3))
    assert security.active_authentication_hash == "sha256"
    (info,) = security.chip_authentication
    (key,) = security.chip_public_keys
    assert (info.agreement, info.cipher, info.key_id, key.key_id) == ("ECDH", "3DES", 3, 3)
    assert key.public_key.public_numbers() == ca.public_numbers()
    aa = rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key()
    assert parse_dg15(dg15(aa)).public_numbers() == aa.public_numbers()


@pytest.mark.parametrize("data", [b"", b"\x6e\x00", b"\x6e\x03\x31\x01\x30", b"\x6b\x02\x31\x00",
                                  b"\x6e\x08\x31\x06\x30\x04\x06\x02\x2a\x03"])
def test_malformed_dg14_is_a_typed_error(data: bytes) -> None:
    with pytest.raises(MalformedCardData):
        parse_dg14(data)


def _identity(ca: ChipCheck, aa: ChipCheck) -> Identity:
    return Identity("X", "Y", "Z", chip_auth=ca, chip_auth_detail="ca", active_auth=aa, active_auth_detail="aa")


@pytest.mark.parametrize(("require", "ca", "aa", "refused"), [
    ("none", ChipCheck.NOT_SUPPORTED, ChipCheck.NOT_SUPPORTED, False),
    ("none", ChipCheck.INVALID, ChipCheck.NOT_SUPPORTED, True),
    ("none", ChipCheck.VALID, ChipCheck.INVALID, True),
    ("either", ChipCheck.NOT_SUPPORTED, ChipCheck.VALID, False),
    ("either", ChipCheck.NOT_SUPPORTED, ChipCheck.NOT_SUPPORTED, True),
    ("chip_auth", ChipCheck.NOT_SUPPORTED, ChipCheck.VALID, True),
    ("chip_auth", ChipCheck.VALID, ChipCheck.NOT_SUPPORTED, False),
    ("active_auth", ChipCheck.VALID, ChipCheck.NOT_SUPPORTED, True),
])
def test_chip_policy(require, ca, aa, refused) -> None:
    reason = chip_refusal(_identity(ca, aa), DocumentConfig(require_chip=require))
    assert (reason is not None) == refused, reason


def test_invalid_chip_passes_only_when_invalid_documents_are_not_blocked() -> None:
    lenient = DocumentConfig(block_invalid=False)
    assert chip_refusal(_identity(ChipCheck.INVALID, ChipCheck.INVALID), lenient) is None
