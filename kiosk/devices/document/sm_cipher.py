"""The cipher suites of ICAO 9303-11 secure messaging: 3DES (§9.8.6.1, BAC and PACE-3DES) and AES (§9.8.6.2).

A session's `SessionKeys.algorithm` picks the suite. 3DES: 8-byte blocks and SSC, CBC with a zero IV, ISO/IEC
9797-1 MAC algorithm 3. AES: 16-byte blocks and SSC, CBC with IV = E(KS_Enc, SSC), AES-CMAC truncated to 8 bytes.
Both pad with ISO/IEC 9797-1 method 2 to their block size, the MAC input included (§9.8.6: "concatenate SSC and
M and add padding"), which the message formats of both suites share.
"""

from __future__ import annotations

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.cmac import CMAC

from kiosk.devices.document import bac
from kiosk.devices.document.bac import SessionKeys
from kiosk.errors import MalformedCardData

AES = "AES"
TDES = "3DES"


def block_size(keys: SessionKeys) -> int:
    return 16 if keys.algorithm == AES else 8


def ssc_bytes(keys: SessionKeys) -> bytes:
    return keys.ssc.to_bytes(block_size(keys), "big")


def increment_ssc(keys: SessionKeys) -> None:
    keys.ssc = (keys.ssc + 1) % (1 << (8 * block_size(keys)))


def pad(keys: SessionKeys, data: bytes) -> bytes:
    """ISO/IEC 9797-1 padding method 2 to the suite's block size."""
    size = block_size(keys)
    return data + b"\x80" + bytes((size - 1 - len(data)) % size)


def unpad(keys: SessionKeys, data: bytes) -> bytes:
    """Remove padding method 2; MalformedCardData when it is not there."""
    end = data.rstrip(b"\x00")
    if not end or end[-1] != 0x80 or len(data) - len(end) >= block_size(keys):
        raise MalformedCardData("secure messaging: bad padding")
    return end[:-1]


def _aes_iv(keys: SessionKeys) -> bytes:
    return Cipher(algorithms.AES(keys.k_enc), modes.ECB()).encryptor().update(ssc_bytes(keys))


def encrypt(keys: SessionKeys, padded: bytes) -> bytes:
    """The cryptogram of already padded data, under the SSC as it stands for this message."""
    if keys.algorithm != AES:
        return bac.tdes_encrypt(keys.k_enc, padded)
    enc = Cipher(algorithms.AES(keys.k_enc), modes.CBC(_aes_iv(keys))).encryptor()
    return enc.update(padded) + enc.finalize()


def decrypt(keys: SessionKeys, cryptogram: bytes) -> bytes:
    """Decrypt a cryptogram (padding left on); MalformedCardData when its length is not whole blocks."""
    if keys.algorithm != AES:
        return bac.tdes_decrypt(keys.k_enc, cryptogram)
    if not cryptogram or len(cryptogram) % 16:
        raise MalformedCardData("secure messaging: cryptogram length is not a multiple of 16")
    dec = Cipher(algorithms.AES(keys.k_enc), modes.CBC(_aes_iv(keys))).decryptor()
    return dec.update(cryptogram) + dec.finalize()


def mac(keys: SessionKeys, padded: bytes) -> bytes:
    """The 8-byte MAC of already padded data."""
    if keys.algorithm != AES:
        return bac.retail_mac(keys.k_mac, padded)
    return aes_cmac(keys.k_mac, padded)[:8]


def aes_cmac(key: bytes, data: bytes) -> bytes:
    """AES-CMAC (NIST SP 800-38B), full 16 bytes."""
    signer = CMAC(algorithms.AES(key))
    signer.update(data)
    return signer.finalize()
