"""Basic Access Control (ICAO 9303-11 §4.3, §9.7): key derivation, the DES primitives, mutual authentication.

Both sides are here (the terminal's `authenticate` and the helpers the test chip uses), because they share the
key derivation and the MAC, and a mismatch between them is exactly the bug the real-stack tests exist to catch.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives.ciphers import Cipher, modes

from kiosk.core.identity import AccessKey
from kiosk.devices.document.apdu import Command, Response, Transport
from kiosk.devices.document.mrz import bac_key_seed_input
from kiosk.errors import CardError, MalformedCardData, WrongAccessKey

ZERO_IV = bytes(8)


def adjust_parity(key: bytes) -> bytes:
    """Set DES odd parity on every byte (cosmetic for DES, but what the standard derives)."""
    return bytes((b & 0xFE) | (bin(b >> 1).count("1") + 1) % 2 for b in key)


def derive_key(seed: bytes, counter: int) -> bytes:
    """9303-11 §9.7.1.1: the 16-byte 2-key 3DES key for counter 1 (enc) or 2 (mac)."""
    return adjust_parity(hashlib.sha1(seed + counter.to_bytes(4, "big")).digest()[:16])


def bac_seed(key: AccessKey) -> bytes:
    """K_seed from the MRZ information."""
    return hashlib.sha1(bac_key_seed_input(key)).digest()[:16]


def pad(data: bytes) -> bytes:
    """ISO/IEC 9797-1 padding method 2: 80 then zeros to a multiple of 8."""
    return data + b"\x80" + bytes((7 - len(data)) % 8)


def unpad(data: bytes) -> bytes:
    """Remove padding method 2; MalformedCardData when it is not there."""
    end = data.rstrip(b"\x00")
    if not end or end[-1] != 0x80 or len(data) - len(end) > 7:
        raise MalformedCardData("secure messaging: bad padding")
    return end[:-1]


def _key24(key: bytes) -> bytes:
    # cryptography deprecates short TripleDES keys; K1|K2|K1 (and K|K|K, i.e. single DES) are the same ciphers.
    return key + key[:8] if len(key) == 16 else key * 3 if len(key) == 8 else key


def tdes_encrypt(key: bytes, data: bytes, iv: bytes = ZERO_IV) -> bytes:
    """3DES-CBC encryption (data already padded)."""
    enc = Cipher(TripleDES(_key24(key)), modes.CBC(iv)).encryptor()
    return enc.update(data) + enc.finalize()


def tdes_decrypt(key: bytes, data: bytes, iv: bytes = ZERO_IV) -> bytes:
    """3DES-CBC decryption; MalformedCardData when the length is not a multiple of 8."""
    if not data or len(data) % 8:
        raise MalformedCardData("secure messaging: cryptogram length is not a multiple of 8")
    dec = Cipher(TripleDES(_key24(key)), modes.CBC(iv)).decryptor()
    return dec.update(data) + dec.finalize()


def retail_mac(key: bytes, data: bytes) -> bytes:
    """ISO/IEC 9797-1 MAC algorithm 3 (DES, final 3DES) over `data` already padded to 8-byte blocks."""
    ka = key[:8]
    if len(data) % 8 or not data:
        raise ValueError("MAC input must be padded")
    head, last = data[:-8], data[-8:]
    chain = ZERO_IV
    if head:
        # Single DES CBC over all but the last block: TripleDES with one 8-byte key is single DES.
        chain = tdes_encrypt(ka, head)[-8:]
    block = bytes(a ^ b for a, b in zip(chain, last, strict=True))
    return Cipher(TripleDES(_key24(key)), modes.ECB()).encryptor().update(block)


@dataclass
class SessionKeys:
    """Keys and send-sequence counter of one secure-messaging session."""

    k_enc: bytes
    k_mac: bytes
    ssc: int
    algorithm: str = "3DES"  # or "AES" (PACE): which secure-messaging suite (sm_cipher.py) the keys are for

    def __repr__(self) -> str:
        return "SessionKeys(<redacted>)"


def session_from(k_ifd: bytes, k_ic: bytes, rnd_ic: bytes, rnd_ifd: bytes) -> SessionKeys:
    """9303-11 §9.7.4: session keys from K.IFD xor K.IC; SSC from the low halves of the nonces."""
    seed = bytes(a ^ b for a, b in zip(k_ifd, k_ic, strict=True))
    return SessionKeys(derive_key(seed, 1), derive_key(seed, 2), int.from_bytes(rnd_ic[4:] + rnd_ifd[4:], "big"))


def authenticate(transport: Transport, key: AccessKey, rng=os.urandom) -> SessionKeys:
    """GET CHALLENGE + MUTUAL AUTHENTICATE; return the session. 6300/6988 after MUTUAL AUTH: WrongAccessKey."""
    seed = bac_seed(key)
    k_enc, k_mac = derive_key(seed, 1), derive_key(seed, 2)
    challenge = Response.parse(transport.transmit(Command(0x00, 0x84, 0x00, 0x00, le=8).encode()))
    if challenge.sw != 0x9000 or len(challenge.data) != 8:
        raise CardError(f"GET CHALLENGE failed: SW {challenge.sw:04X}")
    rnd_ic = challenge.data
    rnd_ifd, k_ifd = rng(8), rng(16)
    e_ifd = tdes_encrypt(k_enc, rnd_ifd + rnd_ic + k_ifd)
    m_ifd = retail_mac(k_mac, pad(e_ifd))
    resp = Response.parse(transport.transmit(Command(0x00, 0x82, 0x00, 0x00, e_ifd + m_ifd, le=40).encode()))
    if resp.sw in (0x6300, 0x6988) or (resp.sw & 0xFFF0) == 0x63C0:
        raise WrongAccessKey("the chip refused the access key (check document number, birth and expiry dates)")
    if resp.sw != 0x9000 or len(resp.data) != 40:
        raise CardError(f"MUTUAL AUTHENTICATE failed: SW {resp.sw:04X}")
    e_ic, m_ic = resp.data[:32], resp.data[32:]
    if retail_mac(k_mac, pad(e_ic)) != m_ic:
        raise MalformedCardData("MUTUAL AUTHENTICATE: the chip's MAC is wrong")
    plain = tdes_decrypt(k_enc, e_ic)
    if plain[:8] != rnd_ic or plain[8:16] != rnd_ifd:
        raise MalformedCardData("MUTUAL AUTHENTICATE: the chip's nonces do not match")
    return session_from(k_ifd, plain[16:32], rnd_ic, rnd_ifd)
