"""The emulated chip's own keys: Chip Authentication and Active Authentication, and the DG14/DG15 that publish them.

Written from ICAO 9303-11's message formats, not from the kiosk's reader (nothing here imports it):

- DG14 (9303-11 §9.2, 9303-10 §4.7.14): tag 6E around `SecurityInfos ::= SET OF SecurityInfo`, with
  ChipAuthenticationInfo `SEQUENCE { id-CA-ECDH-3DES-CBC-CBC, version 1, keyId OPTIONAL }`,
  ChipAuthenticationPublicKeyInfo `SEQUENCE { id-PK-ECDH, SubjectPublicKeyInfo, keyId OPTIONAL }` and, for an
  ECDSA AA key, ActiveAuthenticationInfo `SEQUENCE { id-AA, version 1, ecdsa-plain-SHA256 }`. EC keys carry
  explicit domain parameters (ECParameters of RFC 3279 / BSI TR-03111), as issued chips publish them.
- DG15 (§6.1, 9303-10 §4.7.15): tag 6F around the AA key's SubjectPublicKeyInfo.
- MSE:Set KAT (§6.2.4.1): `00 22 41 A6`, data `91 L <ephemeral public point>` [`84 L keyId`]. The chip
  answers 9000 under the old keys, then K = x-coordinate of SK_IC · PK_PCD, KSenc = SHA-1(K || 00000001)[0..15],
  KSmac = SHA-1(K || 00000002)[0..15] (§9.7.1, parity bits unused by DES), SSC = 0.
- INTERNAL AUTHENTICATE (§6.1): `00 88 00 00`, data = RND.IFD (8 bytes). RSA: ISO/IEC 9796-2 scheme 1,
  F = '6A' || M1 || H(M1 || RND.IFD) || trailer ('BC' for SHA-1, '34 CC' for SHA-256), signature = F^d mod n,
  M1 random and as long as the modulus leaves room for. ECDSA: plain r || s over RND.IFD.

A *clone* is the same files with other private keys: `GenuineChip(files, key, ca_key=other, aa_key=other)`.
"""

from __future__ import annotations

import hashlib
import os

from asn1crypto import core, keys
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from kiosk.devices.document.bac import SessionKeys

from .emrtd_chip import EmrtdChip

ID_PK_ECDH = "0.4.0.127.0.7.2.2.1.2"
ID_CA_ECDH_3DES = "0.4.0.127.0.7.2.2.3.2.1"
ID_CA_ECDH_AES128 = "0.4.0.127.0.7.2.2.3.2.2"
ID_AA = "2.23.136.1.1.5"
ECDSA_PLAIN = {"sha1": "0.4.0.127.0.7.1.1.4.1.1", "sha224": "0.4.0.127.0.7.1.1.4.1.2",
               "sha256": "0.4.0.127.0.7.1.1.4.1.3", "sha384": "0.4.0.127.0.7.1.1.4.1.4"}
# Curve parameters as their standards publish them: NIST P-256 (FIPS 186-4 D.1.2.3), brainpoolP256r1 (RFC 5639
# §3.4). The base point is taken from `cryptography` (the public key of the private key 1).
CURVES = {
    "secp256r1": (ec.SECP256R1(),
                  0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF,
                  0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFC,
                  0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B,
                  0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551),
    "brainpoolP256r1": (ec.BrainpoolP256R1(),
                        0xA9FB57DBA1EEA9BC3E660A909D838D726E3BF623D52620282013481D1F6E5377,
                        0x7D5A0975FC2C3057EEF67530417AFFE7FB8055C126DC5C6CE94A4B44F330B5D9,
                        0x26DC5C6CE94A4B44F330B5D9BBD77CBF958416295CF7E1CE6BCCDC18FF8C07B6,
                        0xA9FB57DBA1EEA9BC3E660A909D838D718C397AA3B561A6F7901E0E82974856A7),
}


def _point(key: ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


def explicit_ec_spki(public_key: ec.EllipticCurvePublicKey) -> bytes:
    """SubjectPublicKeyInfo with explicit domain parameters (SpecifiedECDomain, RFC 3279 §2.3.5)."""
    curve, p, a, b, n = CURVES[public_key.curve.name]
    size = (p.bit_length() + 7) // 8
    base = _point(ec.derive_private_key(1, curve).public_key())
    domain = keys.SpecifiedECDomain({
        "version": "ecdpVer1",
        "field_id": {"field_type": "prime_field", "parameters": p},
        "curve": {"a": a.to_bytes(size, "big"), "b": b.to_bytes(size, "big")},
        "base": base,
        "order": n,
        "cofactor": 1,
    })
    return keys.PublicKeyInfo({
        "algorithm": {"algorithm": "ec", "parameters": keys.ECDomainParameters(name="specified", value=domain)},
        "public_key": _point(public_key),
    }).dump()


def _spki(public_key) -> bytes:
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        return explicit_ec_spki(public_key)
    return public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def _der(tag: int, value: bytes) -> bytes:
    size = len(value)
    if size < 0x80:
        return bytes([tag, size]) + value
    body = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(body)]) + body + value


def _oid(dotted: str) -> bytes:
    return core.ObjectIdentifier(dotted).dump()


def _int(value: int) -> bytes:
    return core.Integer(value).dump()


def dg14(ca_key: ec.EllipticCurvePublicKey | None, aa_hash: str | None = None, key_id: int | None = None,
         ca_protocol: str = ID_CA_ECDH_3DES, with_ca_info: bool = True) -> bytes:
    """DG14 with a chip authentication key (and protocol info), and ActiveAuthenticationInfo for ECDSA AA."""
    infos = []
    if ca_key is not None:
        kid = _int(key_id) if key_id is not None else b""
        if with_ca_info:
            infos.append(_der(0x30, _oid(ca_protocol) + _int(1) + kid))
        infos.append(_der(0x30, _oid(ID_PK_ECDH) + _spki(ca_key) + kid))
    if aa_hash is not None:
        infos.append(_der(0x30, _oid(ID_AA) + _int(1) + _oid(ECDSA_PLAIN[aa_hash])))
    return _der(0x6E, _der(0x31, b"".join(sorted(infos))))  # DER SET OF: elements in ascending order


def dg15(aa_key) -> bytes:
    return _der(0x6F, _spki(aa_key))


class GenuineChip(EmrtdChip):
    """An EmrtdChip that also answers MSE:Set KAT (chip authentication) and INTERNAL AUTHENTICATE."""

    def __init__(self, files: dict[int, bytes], access_key, *, ca_key: ec.EllipticCurvePrivateKey | None = None,
                 aa_key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | None = None, aa_hash: str = "sha1",
                 **options) -> None:
        """`aa_hash`: the hash of the AA signature (RSA: sha1 gives trailer BC, sha256 gives 34 CC)."""
        super().__init__(files, access_key, **options)
        self.ca_key = ca_key
        self.aa_key = aa_key
        self.aa_hash = aa_hash
        self.ca_runs = 0  # MSE:Set KAT answered with 9000
        self.reads_at_ca = 0  # READ BINARYs answered before the last CA
        self.selected_after_ca: list[int] = []  # files selected under chip-authenticated keys
        self.challenges: list[bytes] = []

    def _inner(self, apdu, le):
        if apdu.ins == 0x22 and (apdu.p1, apdu.p2) == (0x41, 0xA6):
            return self._set_kat(apdu.data)
        if apdu.ins == 0x88:
            return self._internal_authenticate(apdu.data)
        if apdu.ins == 0xA4 and self.ca_runs and len(apdu.data) == 2:
            self.selected_after_ca.append(int.from_bytes(apdu.data, "big"))
        return super()._inner(apdu, le)

    def _set_kat(self, data: bytes) -> tuple[bytes, int]:
        if self.ca_key is None:
            return b"", 0x6D00
        if len(data) < 2 or data[0] != 0x91 or data[1] >= 0x80 or len(data) < 2 + data[1]:
            return b"", 0x6A80
        point = data[2:2 + data[1]]
        try:
            terminal_key = ec.EllipticCurvePublicKey.from_encoded_point(self.ca_key.curve, point)
        except ValueError:
            return b"", 0x6A80
        k = self.ca_key.exchange(ec.ECDH(), terminal_key)
        k_enc = hashlib.sha1(k + b"\x00\x00\x00\x01").digest()[:16]
        k_mac = hashlib.sha1(k + b"\x00\x00\x00\x02").digest()[:16]
        # This response still goes out under the BAC keys (EmrtdChip._secure wraps it with the session it
        # unwrapped the command with); every later command must come under the new ones.
        self._session = SessionKeys(k_enc, k_mac, 0)
        self.ca_runs += 1
        self.reads_at_ca = len(self.reads)
        return b"", 0x9000

    def _internal_authenticate(self, challenge: bytes) -> tuple[bytes, int]:
        if self.aa_key is None:
            return b"", 0x6D00
        if len(challenge) != 8:
            return b"", 0x6700
        self.challenges.append(challenge)
        if isinstance(self.aa_key, ec.EllipticCurvePrivateKey):
            der = self.aa_key.sign(challenge, ec.ECDSA(getattr(hashes, self.aa_hash.upper())()))
            r, s = decode_dss_signature(der)
            size = (self.aa_key.curve.key_size + 7) // 8
            return r.to_bytes(size, "big") + s.to_bytes(size, "big"), 0x9000
        numbers = self.aa_key.private_numbers()
        n, d = numbers.public_numbers.n, numbers.d
        k = (n.bit_length() + 7) // 8
        trailer = b"\xbc" if self.aa_hash == "sha1" else b"\x34\xcc"
        digest_size = hashlib.new(self.aa_hash).digest_size
        m1 = os.urandom(k - 1 - digest_size - len(trailer))
        f = b"\x6a" + m1 + hashlib.new(self.aa_hash, m1 + challenge).digest() + trailer
        return pow(int.from_bytes(f, "big"), d, n).to_bytes(k, "big"), 0x9000
