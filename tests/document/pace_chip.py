"""The emulated chip's side of PACE (ICAO 9303-11 §4.4) and its AES secure messaging (§9.8), for `EmrtdChip`.

Written from the standard's message formats, not from the reader's code: EF.CardAccess is DER built here byte by
byte, the MRZ information with its check digits, KDF, nonce encryption, authentication tokens and AES secure
messaging (IV = E(KS_Enc, SSC), CMAC) are computed here with `hashlib` and `cryptography` directly. Only the
elliptic-curve point arithmetic is the kiosk's (`ec_arith.Curve`), whose results the Appendix G test and the
comparison with `cryptography` pin down.

The chip's behaviour follows §4.4.4: MSE:Set AT selects protocol, password (01 MRZ, 02 CAN) and domain
parameters; GENERAL AUTHENTICATE runs as a command chain (CLA 10 for steps 1-3, 00 for the last); any step out of
order or malformed ends the attempt with 6985/6A80; a terminal token that does not verify (wrong password) gets
6300, and the chip forgets the attempt, so the next MSE:Set AT starts afresh.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.cmac import CMAC

from kiosk.core.identity import AccessKey
from kiosk.devices.document.bac import SessionKeys
from kiosk.devices.document.ec_arith import (
    BRAINPOOL_P256R1,
    BRAINPOOL_P384R1,
    BRAINPOOL_P512R1,
    NIST_P256,
    NIST_P384,
    NIST_P521,
    Curve,
)

# OID contents octets, as 9303-11 §9.2.1 / BSI TR-03110-3 A.1.1 spell them: 0.4.0.127.0.7.2.2.4.2.x
PACE_ECDH_GM = {bytes.fromhex("04007F00070202040201"): ("3DES", 16),
                bytes.fromhex("04007F00070202040202"): ("AES", 16),
                bytes.fromhex("04007F00070202040203"): ("AES", 24),
                bytes.fromhex("04007F00070202040204"): ("AES", 32)}
CURVES: dict[int, Curve] = {12: NIST_P256, 13: BRAINPOOL_P256R1, 15: NIST_P384, 16: BRAINPOOL_P384R1,
                            17: BRAINPOOL_P512R1, 18: NIST_P521}


def _check_digit(field: str) -> str:
    """ICAO 9303-3 §4.9: weights 7, 3, 1; digits, A-Z = 10-35, '<' = 0."""
    total = 0
    for i, char in enumerate(field):
        value = int(char) if char.isdigit() else (ord(char) - 55 if char.isalpha() else 0)
        total += value * (7, 3, 1)[i % 3]
    return str(total % 10)


def mrz_information(key: AccessKey) -> bytes:
    number = key.document_number.ljust(9, "<")
    return "".join(f + _check_digit(f) for f in (number, key.date_of_birth, key.date_of_expiry)).encode()


def _der(tag: int, value: bytes) -> bytes:
    assert len(value) < 128
    return bytes([tag, len(value)]) + value


def card_access(oid: bytes, parameter_id: int) -> bytes:
    """EF.CardAccess with one PACEInfo { oid, version 2, parameterId }."""
    return _der(0x31, _der(0x30, _der(0x06, oid) + _der(0x02, b"\x02") + _der(0x02, bytes([parameter_id]))))


def _tlv(tag: int, value: bytes) -> bytes:
    tag_bytes = tag.to_bytes(2 if tag > 0xFF else 1, "big")
    length = bytes([len(value)]) if len(value) < 128 else bytes([0x81, len(value)])
    return tag_bytes + length + value


def _read_objects(data: bytes) -> dict[int, bytes]:
    """Simple data objects inside a GENERAL AUTHENTICATE 7C (one-byte tags, lengths < 256)."""
    if len(data) < 2 or data[0] != 0x7C:
        raise ValueError("not 7C")
    length, pos = data[1], 2
    if length == 0x81:
        length, pos = data[2], 3
    if pos + length != len(data):
        raise ValueError("7C length")
    out, end = {}, len(data)
    while pos < end:
        tag, length = data[pos], data[pos + 1]
        pos += 2
        if length == 0x81:
            length, pos = data[pos], pos + 1
        if pos + length > end:
            raise ValueError("object length")
        out[tag] = data[pos:pos + length]
        pos += length
    return out


def _parity(key: bytes) -> bytes:
    return bytes((b & 0xFE) | ((bin(b >> 1).count("1") + 1) & 1) for b in key)


def kdf(secret: bytes, counter: int, cipher: str, key_length: int = 16) -> bytes:
    """9303-11 §9.7.1: SHA-1 for 3DES and AES-128 (16 bytes; DES parity for 3DES), SHA-256 for AES-192/256."""
    data = secret + counter.to_bytes(4, "big")
    if key_length > 16:
        return hashlib.sha256(data).digest()[:key_length]
    digest = hashlib.sha1(data).digest()[:16]
    return _parity(digest) if cipher == "3DES" else digest


def _tdes(key: bytes):
    from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES

    return TripleDES(key + key[:8])


def _cbc(key: bytes, cipher: str, iv: bytes | None = None):
    algorithm = algorithms.AES(key) if cipher == "AES" else _tdes(key)
    return Cipher(algorithm, modes.CBC(iv or bytes(algorithm.block_size // 8)))


def _pad(data: bytes, block: int) -> bytes:
    data += b"\x80"
    return data + bytes(-len(data) % block)


def _mac(key: bytes, data: bytes, cipher: str) -> bytes:
    """AES: CMAC (8 bytes); 3DES: ISO/IEC 9797-1 MAC algorithm 3 over the already padded data."""
    if cipher == "AES":
        signer = CMAC(algorithms.AES(key))
        signer.update(data)
        return signer.finalize()[:8]
    from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES

    single = Cipher(TripleDES(key[:8] * 3), modes.CBC(bytes(8))).encryptor()
    chain = (single.update(data[:-8]) + single.finalize())[-8:] if len(data) > 8 else bytes(8)
    last = bytes(a ^ b for a, b in zip(chain, data[-8:], strict=True))
    return Cipher(_tdes(key), modes.ECB()).encryptor().update(last)


class AesSecureMessaging:
    """The chip's AES secure messaging suite (9303-11 §9.8.6.2): 16-byte SSC, IV = E(KS_Enc, SSC), CMAC."""

    block = 16

    def increment(self, keys: SessionKeys) -> None:
        keys.ssc = (keys.ssc + 1) % (1 << 128)

    def _iv(self, keys: SessionKeys) -> bytes:
        return Cipher(algorithms.AES(keys.k_enc), modes.ECB()).encryptor().update(keys.ssc.to_bytes(16, "big"))

    def mac(self, keys: SessionKeys, data: bytes) -> bytes:
        """MAC over SSC || data, padded (data already holds the padded header for commands)."""
        return _mac(keys.k_mac, _pad(keys.ssc.to_bytes(16, "big") + data, 16), "AES")

    def pad_header(self, header: bytes) -> bytes:
        return _pad(header, 16)

    def encrypt(self, keys: SessionKeys, data: bytes) -> bytes:
        enc = Cipher(algorithms.AES(keys.k_enc), modes.CBC(self._iv(keys))).encryptor()
        return enc.update(_pad(data, 16)) + enc.finalize()

    def decrypt(self, keys: SessionKeys, cryptogram: bytes) -> bytes:
        if not cryptogram or len(cryptogram) % 16:
            raise ValueError("cryptogram length")
        dec = Cipher(algorithms.AES(keys.k_enc), modes.CBC(self._iv(keys))).decryptor()
        plain = (dec.update(cryptogram) + dec.finalize()).rstrip(b"\x00")
        if not plain.endswith(b"\x80"):
            raise ValueError("padding")
        return plain[:-1]


@dataclass
class _Attempt:
    oid: bytes
    cipher: str
    key_length: int
    curve: Curve
    password: bytes
    step: int = 1
    nonce: bytes = b""
    map_key: int = 0
    generator: tuple[int, int] | None = None
    dh_key: int = 0
    dh_public: bytes = b""  # the terminal's ephemeral key
    own_dh_public: bytes = b""
    secret: bytes = b""  # K


class PaceChip:
    """PACE on the chip: `process` answers MSE:Set AT and GENERAL AUTHENTICATE; `session` is set on success.

    `mrz`: the document's MRZ access key (password 01); `can`: its card access number (password 02), or None.
    `parameter_id`: 12 NIST P-256, 13 brainpoolP256r1, 15 P-384, 16 brainpoolP384r1, 17 brainpoolP512r1,
    18 P-521. `cipher`: "AES" or "3DES"; `key_length` 16, 24, 32.
    `bad_token`: the chip answers step 4 with a wrong token (a chip the terminal must refuse).
    """

    def __init__(self, mrz: AccessKey, can: str | None = "123456", parameter_id: int = 13, cipher: str = "AES",
                 key_length: int = 16, bad_token: bool = False) -> None:
        self.oid = next(oid for oid, suite in PACE_ECDH_GM.items() if suite == (cipher, key_length))
        self.parameter_id = parameter_id
        self.card_access = card_access(self.oid, parameter_id)
        self._passwords = {1: hashlib.sha1(mrz_information(mrz)).digest()}
        if can is not None:
            self._passwords[2] = can.encode("ascii")
        self.bad_token = bad_token
        self.failures = 0
        self.successes = 0
        self._attempt: _Attempt | None = None
        self.session: tuple[SessionKeys, str] | None = None

    def reset(self) -> None:
        self._attempt = None
        self.session = None

    def process(self, cla: int, ins: int, p1: int, p2: int, data: bytes) -> bytes:
        if ins == 0x22:
            return self._set_at(p1, p2, data)
        attempt = self._attempt
        last = cla & 0x10 == 0
        if attempt is None or p1 or p2:
            self._attempt = None
            return b"\x69\x85"  # conditions of use not satisfied: no PACE under way
        try:
            objects = _read_objects(data)
        except (ValueError, IndexError):
            self._attempt = None
            return b"\x6a\x80"
        if last != (attempt.step == 4):
            self._attempt = None
            return b"\x69\x85"
        try:
            return getattr(self, f"_step{attempt.step}")(attempt, objects)
        except (ValueError, KeyError):
            self._attempt = None
            return b"\x6a\x80"

    def _set_at(self, p1: int, p2: int, data: bytes) -> bytes:
        self._attempt = None
        self.session = None
        if (p1, p2) != (0xC1, 0xA4):
            return b"\x6a\x86"
        try:
            objects = _read_objects(b"\x7c" + bytes([len(data)]) + data)
        except (ValueError, IndexError):
            return b"\x6a\x80"
        oid, reference = objects.get(0x80), objects.get(0x83, b"")
        if oid not in PACE_ECDH_GM or len(reference) != 1 or reference[0] not in self._passwords:
            return b"\x6a\x80"
        if 0x84 in objects and objects[0x84] != bytes([self.parameter_id]):
            return b"\x6a\x80"
        if oid != self.oid:
            return b"\x6a\x80"
        cipher, key_length = PACE_ECDH_GM[oid]
        self._attempt = _Attempt(oid, cipher, key_length, CURVES[self.parameter_id], self._passwords[reference[0]])
        return b"\x90\x00"

    def _step1(self, attempt: _Attempt, objects: dict[int, bytes]) -> bytes:
        if objects:
            raise ValueError("step 1 carries no data")
        block = 16 if attempt.cipher == "AES" else 8
        attempt.nonce = os.urandom(block)
        k_pi = kdf(attempt.password, 3, attempt.cipher, attempt.key_length)
        enc = _cbc(k_pi, attempt.cipher).encryptor()
        z = enc.update(attempt.nonce) + enc.finalize()
        attempt.step = 2
        return _tlv(0x7C, _tlv(0x80, z)) + b"\x90\x00"

    def _point(self, curve: Curve, raw: bytes) -> tuple[int, int]:
        size = curve.size
        if len(raw) != 1 + 2 * size or raw[0] != 4:
            raise ValueError("point encoding")
        point = (int.from_bytes(raw[1:1 + size], "big"), int.from_bytes(raw[1 + size:], "big"))
        if not curve.contains(point):
            raise ValueError("point not on the curve")
        return point

    def _step2(self, attempt: _Attempt, objects: dict[int, bytes]) -> bytes:
        curve = attempt.curve
        terminal_map = self._point(curve, objects[0x81])
        attempt.map_key = curve.random_scalar()
        own = curve.encode_point(curve.multiply_generator(attempt.map_key))
        h = curve.multiply(attempt.map_key, terminal_map)
        attempt.generator = curve.add(curve.multiply_generator(int.from_bytes(attempt.nonce, "big")), h)
        if attempt.generator is None:
            raise ValueError("mapped generator at infinity")
        attempt.step = 3
        return _tlv(0x7C, _tlv(0x82, own)) + b"\x90\x00"

    def _step3(self, attempt: _Attempt, objects: dict[int, bytes]) -> bytes:
        curve = attempt.curve
        attempt.dh_public = objects[0x83]
        terminal_dh = self._point(curve, attempt.dh_public)
        attempt.dh_key = curve.random_scalar()
        own = curve.encode_point(curve.multiply(attempt.dh_key, attempt.generator))
        if own == attempt.dh_public:
            raise ValueError("same ephemeral key")
        attempt.secret = curve.ecdh_x(attempt.dh_key, terminal_dh)
        attempt.own_dh_public = own
        attempt.step = 4
        return _tlv(0x7C, _tlv(0x84, own)) + b"\x90\x00"

    def _token(self, attempt: _Attempt, k_mac: bytes, public: bytes) -> bytes:
        data = _tlv(0x7F49, _tlv(0x06, attempt.oid) + _tlv(0x86, public))
        return _mac(k_mac, data if attempt.cipher == "AES" else _pad(data, 8), attempt.cipher)

    def _step4(self, attempt: _Attempt, objects: dict[int, bytes]) -> bytes:
        k_enc = kdf(attempt.secret, 1, attempt.cipher, attempt.key_length)
        k_mac = kdf(attempt.secret, 2, attempt.cipher, attempt.key_length)
        expected = self._token(attempt, k_mac, attempt.own_dh_public)
        self._attempt = None
        if not hmac.compare_digest(objects.get(0x85, b""), expected):
            self.failures += 1
            return b"\x63\x00"  # authentication failed: the terminal used another password
        token = self._token(attempt, k_mac, attempt.dh_public)
        if self.bad_token:
            token = bytes([token[0] ^ 1]) + token[1:]
        self.successes += 1
        self.session = (SessionKeys(k_enc, k_mac, 0), attempt.cipher)
        return _tlv(0x7C, _tlv(0x86, token)) + b"\x90\x00"
