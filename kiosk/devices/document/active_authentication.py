"""Active Authentication (ICAO 9303-11 §6.1): the chip signs the terminal's challenge with DG15's private key.

INTERNAL AUTHENTICATE (00 88 00 00, data = an 8-byte random RND.IFD) under secure messaging. The answer is
checked against DG15's public key:

- RSA: ISO/IEC 9796-2 digital signature scheme 1 with partial message recovery. Opening the signature with the
  public key gives F = header || M1 || H(M1 || RND.IFD) || trailer, header '6A' (bits 01, "more data", and the
  border nibble A after no padding), trailer 'BC' (SHA-1 implied) or 'hh CC' (hh = the ISO/IEC 10118 hash id).
- ECDSA: a plain (r || s) signature over RND.IFD with the hash that DG14's ActiveAuthenticationInfo names.

A chip whose signature does not verify is INVALID: its files may be genuine, its private key is not.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Callable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from kiosk.core.identity import ChipCheck
from kiosk.devices.document.apdu import Command
from kiosk.devices.document.chip_authentication import CLONE_HINT, ChipCheckResult
from kiosk.devices.document.read_binary import Channel
from kiosk.errors import MalformedCardData

# ISO/IEC 10118 hash-function identifiers as ISO/IEC 9796-2 trailers carry them ('hh CC').
HASH_IDS = {0x31: "ripemd160", 0x33: "sha1", 0x34: "sha256", 0x35: "sha512", 0x36: "sha384", 0x38: "sha224"}
_HASH_CLASSES = {"sha1": hashes.SHA1, "sha224": hashes.SHA224, "sha256": hashes.SHA256,
                 "sha384": hashes.SHA384, "sha512": hashes.SHA512}
CHALLENGE_BYTES = 8


class SignatureInvalid(Exception):
    """An ISO/IEC 9796-2 signature does not open to a well-formed message representative."""


def recover_iso9796_2(key: rsa.RSAPublicKey, signature: bytes, implicit_hash: str = "sha1") -> tuple[bytes, bytes, str]:
    """Open a 9796-2 scheme 1 signature: (recovered part M1, the hash in it, the hash's name)."""
    numbers = key.public_numbers()
    s = int.from_bytes(signature, "big")
    if not 0 < s < numbers.n:
        raise SignatureInvalid("signature is not smaller than the modulus")
    size = (key.key_size + 7) // 8
    f = pow(s, numbers.e, numbers.n).to_bytes(size, "big")
    if f[-1] == 0xBC:
        hash_name, trailer = implicit_hash, 1
    elif f[-1] == 0xCC and f[-2] in HASH_IDS:
        hash_name, trailer = HASH_IDS[f[-2]], 2
    else:
        raise SignatureInvalid("no ISO/IEC 9796-2 trailer")
    if f[0] & 0xC0 != 0x40:
        raise SignatureInvalid("no ISO/IEC 9796-2 header")
    start = next((i for i, b in enumerate(f) if b & 0x0F == 0x0A), None)  # padding ends with the nibble A
    if start is None:
        raise SignatureInvalid("no border nibble in the message representative")
    digest_size = hashlib.new(hash_name).digest_size
    end = size - trailer - digest_size
    if end <= start + 1:
        raise SignatureInvalid("no recoverable message in the signature")
    return f[start + 1:end], f[end:size - trailer], hash_name


def verify_iso9796_2(key: rsa.RSAPublicKey, signature: bytes, non_recoverable: bytes) -> bool:
    """True when `signature` opens to M1 with H(M1 || `non_recoverable`) (partial recovery, as AA uses it)."""
    try:
        m1, digest, hash_name = recover_iso9796_2(key, signature)
    except SignatureInvalid:
        return False
    return hmac.compare_digest(digest, hashlib.new(hash_name, m1 + non_recoverable).digest())


def _verify_ecdsa(key: ec.EllipticCurvePublicKey, signature: bytes, challenge: bytes, hash_name: str) -> bool:
    size = (key.curve.key_size + 7) // 8
    if len(signature) != 2 * size:
        return False
    der = encode_dss_signature(int.from_bytes(signature[:size], "big"), int.from_bytes(signature[size:], "big"))
    try:
        key.verify(der, challenge, ec.ECDSA(_HASH_CLASSES[hash_name]()))
    except InvalidSignature:
        return False
    return True


def active_authentication(channel: Channel, key: rsa.RSAPublicKey | ec.EllipticCurvePublicKey,
                          ecdsa_hash: str | None, rng: Callable[[int], bytes] = os.urandom) -> ChipCheckResult:
    """Challenge the chip through `channel` and verify its answer against DG15's `key`."""
    if isinstance(key, ec.EllipticCurvePublicKey) and ecdsa_hash not in _HASH_CLASSES:
        return ChipCheckResult(ChipCheck.INVALID, "ECDSA key in DG15 but no ActiveAuthenticationInfo in DG14")
    challenge = rng(CHALLENGE_BYTES)
    try:
        response = channel.transmit(Command(0x00, 0x88, 0x00, 0x00, challenge, le=256))
    except MalformedCardData as exc:
        return ChipCheckResult(ChipCheck.INVALID, f"INTERNAL AUTHENTICATE failed: {exc.detail}")
    if response.sw != 0x9000 or not response.data:
        return ChipCheckResult(ChipCheck.INVALID, f"the chip refused INTERNAL AUTHENTICATE (SW {response.sw:04X})")
    if isinstance(key, rsa.RSAPublicKey):
        ok, scheme = verify_iso9796_2(key, response.data, challenge), f"RSA-{key.key_size} ISO/IEC 9796-2"
    else:
        assert ecdsa_hash is not None
        ok, scheme = _verify_ecdsa(key, response.data, challenge, ecdsa_hash), f"ECDSA with {ecdsa_hash}"
    if not ok:
        return ChipCheckResult(ChipCheck.INVALID, f"{scheme} signature does not verify: {CLONE_HINT.replace('DG14', 'DG15')}")
    return ChipCheckResult(ChipCheck.VALID, scheme)
