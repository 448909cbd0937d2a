"""PACE, the terminal's side (ICAO 9303-11 §4.4): generic mapping over ECDH, with the MRZ or the CAN as password.

The steps (§4.4.4): MSE:Set AT names the protocol and the password; GENERAL AUTHENTICATE 1 brings the nonce s
encrypted under K_π = KDF_π(password); 2 exchanges mapping keys, both sides compute G' = s·G + H with H the ECDH
point of the mapping keys (generic mapping, §4.4.3.3.1); 3 exchanges ephemeral keys on G' and gives the shared
secret K; 4 exchanges authentication tokens, MACs over the other side's ephemeral key. A wrong password is found
by the chip at step 4 (the terminal's token cannot verify: its G', K and keys differ), which answers 6300.
The session then runs secure messaging with KS_Enc = KDF(K, 1), KS_MAC = KDF(K, 2) and SSC = 0 (§9.8.2).

Supported: ECDH generic mapping on the standardized curves of `ec_arith.STANDARDIZED_CURVES`, with 3DES or AES
(128/192/256) secure messaging. DH and integrated/chip-authentication mapping are not supported: such a chip is
read over BAC when it also offers BAC.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from kiosk.core.identity import AccessKey
from kiosk.devices.document import bac, sm_cipher, tlv
from kiosk.devices.document.apdu import Command, Response, Transport
from kiosk.devices.document.bac import SessionKeys
from kiosk.devices.document.card_access import PaceInfo, encode_oid
from kiosk.devices.document.ec_arith import STANDARDIZED_CURVES, Curve
from kiosk.devices.document.mrz import bac_key_seed_input
from kiosk.errors import CardError, MalformedCardData, WrongAccessKey

PASSWORD_MRZ = 0x01  # MSE:Set AT DO'83' password references (9303-11 §4.4.4.1)
PASSWORD_CAN = 0x02


@dataclass(frozen=True)
class CardAccessNumber:
    """The card access number printed on the document (a PACE password, 9303-11 §9.7.2): decimal digits."""

    digits: str

    def __post_init__(self) -> None:
        if not (self.digits.isascii() and self.digits.isdigit()) or not 1 <= len(self.digits) <= 12:
            raise ValueError("a card access number is 1 to 12 decimal digits (usually 6)")

    def __repr__(self) -> str:
        return "CardAccessNumber(<redacted>)"


PacePassword = AccessKey | CardAccessNumber


def password_reference(password: PacePassword) -> int:
    return PASSWORD_CAN if isinstance(password, CardAccessNumber) else PASSWORD_MRZ


def password_bytes(password: PacePassword) -> bytes:
    """f(π) of 9303-11 §9.7.3: SHA-1 of the MRZ information (all 20 bytes), or the CAN's ASCII digits."""
    if isinstance(password, CardAccessNumber):
        return password.digits.encode("ascii")
    return hashlib.sha1(bac_key_seed_input(password)).digest()


def kdf(secret: bytes, counter: int, cipher: str, key_length: int) -> bytes:
    """9303-11 §9.7.1: SHA-1 for 3DES and AES-128, SHA-256 for AES-192/256; 3DES keys get DES parity."""
    data = secret + counter.to_bytes(4, "big")
    if cipher == sm_cipher.TDES:
        return bac.adjust_parity(hashlib.sha1(data).digest()[:16])
    digest = hashlib.sha1(data).digest() if key_length == 16 else hashlib.sha256(data).digest()
    return digest[:key_length]


def password_key(password: PacePassword, info: PaceInfo) -> bytes:
    """K_π = KDF_π(π) = KDF(f(π), 3)."""
    return kdf(password_bytes(password), 3, info.cipher, info.key_length)


def decrypt_nonce(k_pi: bytes, z: bytes, cipher: str) -> bytes:
    """s = D(K_π, z): CBC with a zero IV, one or more blocks (9303-11 §4.4.3.1)."""
    block = 8 if cipher == sm_cipher.TDES else 16
    if not z or len(z) % block:
        raise MalformedCardData(f"PACE: encrypted nonce of {len(z)} bytes")
    if cipher == sm_cipher.TDES:
        return bac.tdes_decrypt(k_pi, z)
    dec = Cipher(algorithms.AES(k_pi), modes.CBC(bytes(16))).decryptor()
    return dec.update(z) + dec.finalize()


def map_generator(curve: Curve, nonce: bytes, shared_point: tuple[int, int]) -> tuple[int, int]:
    """Generic mapping: G' = s·G + H (9303-11 §4.4.3.3.1)."""
    mapped = curve.add(curve.multiply_generator(int.from_bytes(nonce, "big")), shared_point)
    if mapped is None:
        raise MalformedCardData("PACE: the mapped generator is the point at infinity")
    return mapped


def token_input(oid: str, encoded_point: bytes) -> bytes:
    """The public key data object a token is computed over: 7F49 { 06 OID, 86 point } (9303-11 §4.4.3.4)."""
    return tlv.encode(0x7F49, tlv.encode(0x06, encode_oid(oid)) + tlv.encode(0x86, encoded_point))


def auth_token(k_mac: bytes, oid: str, encoded_point: bytes, cipher: str) -> bytes:
    """T = MAC(KS_MAC, PK): AES-CMAC over the data object, or the 3DES retail MAC over it padded; 8 bytes."""
    data = token_input(oid, encoded_point)
    if cipher == sm_cipher.TDES:
        return bac.retail_mac(k_mac, bac.pad(data))
    return sm_cipher.aes_cmac(k_mac, data)[:8]


def supported(info: PaceInfo) -> bool:
    return info.key_agreement == "ECDH" and info.mapping == "GM" and info.parameter_id in STANDARDIZED_CURVES


def choose(infos: tuple[PaceInfo, ...]) -> PaceInfo | None:
    """The PACEInfo to run: the first supported one, AES before 3DES (§9.2.1 leaves the choice to the terminal)."""
    usable = [i for i in infos if supported(i)]
    usable.sort(key=lambda i: i.cipher != sm_cipher.AES)
    return usable[0] if usable else None


def _general_authenticate(transport: Transport, tag: int, value: bytes, last: bool, step: str) -> bytes:
    """One GENERAL AUTHENTICATE in the PACE chain; the value of the chip's one data object in 7C."""
    command = Command(0x00 if last else 0x10, 0x86, 0x00, 0x00, tlv.encode(0x7C, tlv.encode(tag, value) if tag
                                                                       else b""), le=256)
    resp = Response.parse(transport.transmit(command.encode()))
    if last and (resp.sw in (0x6300, 0x6982, 0x6988) or resp.sw & 0xFFF0 == 0x63C0):
        raise WrongAccessKey("the chip refused the PACE password (check the MRZ or the card access number)")
    if resp.sw != 0x9000:
        raise CardError(f"PACE {step}: GENERAL AUTHENTICATE answered {resp.sw:04X}")
    outer = tlv.read_tlv(resp.data)
    if outer.tag != 0x7C or outer.end != len(resp.data):
        raise MalformedCardData(f"PACE {step}: response is not dynamic authentication data (7C)")
    objects = tlv.children(outer.value)
    expected = tag + 1 if tag else 0x80
    if expected not in objects:
        raise MalformedCardData(f"PACE {step}: response without data object {expected:02X}")
    return objects[expected]


def establish(transport: Transport, password: PacePassword, info: PaceInfo, ambiguous: bool = False,
              scalars: Callable[[Curve], int] | None = None) -> SessionKeys:
    """Run PACE over a plain transport; return the session keys (SSC 0).

    `ambiguous`: the chip lists several domain parameters for PACE, so MSE:Set AT names ours in DO'84'.
    `scalars`: where the ephemeral private keys come from (mapping key, then key-agreement key); tests give
    the worked example's, production draws them at random.
    """
    if not supported(info) or info.parameter_id is None:
        raise CardError(f"PACE variant {info.oid} (parameters {info.parameter_id}) is not supported")
    curve = STANDARDIZED_CURVES[info.parameter_id]
    draw = scalars or (lambda c: c.random_scalar())
    mse = tlv.encode(0x80, encode_oid(info.oid)) + tlv.encode(0x83, bytes([password_reference(password)]))
    if ambiguous:
        mse += tlv.encode(0x84, bytes([info.parameter_id]))
    resp = Response.parse(transport.transmit(Command(0x00, 0x22, 0xC1, 0xA4, mse).encode()))
    if resp.sw != 0x9000:
        raise CardError(f"PACE: MSE:Set AT answered {resp.sw:04X}")

    nonce = decrypt_nonce(password_key(password, info), _general_authenticate(transport, 0, b"", False, "nonce"),
                          info.cipher)

    map_key = draw(curve)
    map_public = curve.encode_point(curve.multiply_generator(map_key))
    chip_map = curve.decode_point(_general_authenticate(transport, 0x81, map_public, False, "mapping"))
    shared = curve.multiply(map_key, chip_map)
    if shared is None:
        raise MalformedCardData("PACE: the mapping's shared point is the point at infinity")
    generator = map_generator(curve, nonce, shared)

    dh_key = draw(curve)
    dh_public = curve.encode_point(curve.multiply(dh_key, generator))
    chip_dh_raw = _general_authenticate(transport, 0x83, dh_public, False, "key agreement")
    chip_dh = curve.decode_point(chip_dh_raw)
    if chip_dh_raw == dh_public:  # 9303-11 §4.4.3.4: the terminal checks PK_DH_IC ≠ PK_DH_IFD
        raise MalformedCardData("PACE: the chip returned the terminal's own ephemeral key")
    secret = curve.ecdh_x(dh_key, chip_dh)
    keys = SessionKeys(kdf(secret, 1, info.cipher, info.key_length), kdf(secret, 2, info.cipher, info.key_length),
                       0, sm_cipher.AES if info.cipher == sm_cipher.AES else sm_cipher.TDES)

    chip_token = _general_authenticate(transport, 0x85, auth_token(keys.k_mac, info.oid, chip_dh_raw, info.cipher),
                                       True, "mutual authentication")
    if not hmac.compare_digest(chip_token, auth_token(keys.k_mac, info.oid, dh_public, info.cipher)):
        raise MalformedCardData("PACE: the chip's authentication token does not verify")
    return keys
