"""Chip Authentication (ICAO 9303-11 §6.2): the chip proves it holds the private key of DG14's public key.

The terminal sends an ephemeral ECDH public key with MSE:Set KAT (§6.2.4.1: 00 22 41 A6, DO'91' = the key,
DO'84' = the key id when DG14 names one), still under the BAC session. Both sides compute the shared secret
K = x-coordinate of SK_PCD · PK_IC (BSI TR-03111 ECKA), derive new 3DES session keys KSenc = KDF(K, 1),
KSmac = KDF(K, 2) (§9.7.1) and restart the send-sequence counter at 0. CA with 3DES is *implicit*: the chip is
authenticated only when a response under the new keys verifies, so the terminal reads a file with them
(EF.COM, compared with what was read before). A copy of a genuine chip's files lacks the private key: it cannot
compute K, and its first protected response fails (INVALID).

Variants the kiosk does not speak (DH, AES secure messaging after CA through MSE:Set AT + GENERAL AUTHENTICATE)
are reported NOT_SUPPORTED with the reason, never as VALID.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from kiosk.core.identity import ChipCheck
from kiosk.devices.document import tlv
from kiosk.devices.document.apdu import Command, Transport
from kiosk.devices.document.bac import SessionKeys, derive_key
from kiosk.devices.document.read_binary import FileReader
from kiosk.devices.document.secure_messaging import SecureChannel
from kiosk.devices.document.security_infos import (
    ID_CA_ECDH,
    ChipAuthenticationInfo,
    ChipAuthenticationPublicKey,
    ChipSecurity,
)
from kiosk.errors import CardError, MalformedCardData

ID_CA_ECDH_3DES = ID_CA_ECDH + ".1"  # id-CA-ECDH-3DES-CBC-CBC
EF_COM = 0x011E  # the file re-read under the new keys (its contents are known from the BAC read)
CLONE_HINT = "the chip does not hold the private key of its DG14 public key"


@dataclass(frozen=True)
class ChipCheckResult:
    status: ChipCheck
    detail: str


@dataclass
class ChipAuthOutcome:
    """The result and, when CA succeeded, the secure channel under the chip-authenticated keys."""

    result: ChipCheckResult
    channel: SecureChannel | None = None


def _choose(security: ChipSecurity) -> tuple[ChipAuthenticationInfo, ChipAuthenticationPublicKey] | str:
    """The (protocol, key) pair to run, or why none can run."""
    infos = list(security.chip_authentication)
    if not security.chip_public_keys:
        if security.dh_public_keys or any(i.agreement == "DH" for i in infos):
            return "the chip offers only DH chip authentication, which the kiosk does not speak"
        return "the chip offers no chip authentication (no key in DG14)"
    if not infos:
        # A ChipAuthenticationPublicKeyInfo alone means CA version 1 with 3DES (9303-11 §9.2.5).
        infos = [ChipAuthenticationInfo(ID_CA_ECDH_3DES, 1, None)]
    for info in infos:
        if info.agreement != "ECDH" or info.cipher != "3DES":
            continue
        for key in security.chip_public_keys:
            if info.key_id is None or key.key_id is None or info.key_id == key.key_id:
                return info, key
    offered = ", ".join(f"{i.agreement} with {i.cipher}" for i in infos)
    return f"the chip offers chip authentication the kiosk does not speak ({offered})"


def chip_authentication(transport: Transport, channel: SecureChannel, security: ChipSecurity, com: bytes,
                        chunk: int, com_fid: int = EF_COM) -> ChipAuthOutcome:
    """Run CA over the open BAC `channel` and prove it by reading EF.COM again under the new keys.

    `transport` is the card connection under `channel` (the new channel is built on it); `com` is EF.COM as
    read under BAC. The old channel is unusable afterwards, whatever the outcome.
    """
    chosen = _choose(security)
    if isinstance(chosen, str):
        return ChipAuthOutcome(ChipCheckResult(ChipCheck.NOT_SUPPORTED, chosen))
    info, chip_key = chosen
    ephemeral = ec.generate_private_key(chip_key.public_key.curve)
    point = ephemeral.public_key().public_bytes(serialization.Encoding.X962,
                                                serialization.PublicFormat.UncompressedPoint)
    data = tlv.encode(0x91, point)
    if info.key_id is not None:
        data += tlv.encode(0x84, info.key_id.to_bytes(max(1, (info.key_id.bit_length() + 7) // 8), "big"))
    try:
        response = channel.transmit(Command(0x00, 0x22, 0x41, 0xA6, data))
    except MalformedCardData as exc:
        return ChipAuthOutcome(ChipCheckResult(ChipCheck.INVALID, f"MSE:Set KAT failed: {exc.detail}"))
    finally:
        channel.drop()  # the BAC keys end here, whatever the chip answered
    if response.sw != 0x9000:
        return ChipAuthOutcome(ChipCheckResult(ChipCheck.INVALID,
                                               f"the chip refused MSE:Set KAT (SW {response.sw:04X})"))
    shared = ephemeral.exchange(ec.ECDH(), chip_key.public_key)  # ECKA: the x-coordinate, field-size bytes
    keys = SessionKeys(derive_key(shared, 1), derive_key(shared, 2), 0)
    new_channel = SecureChannel(transport, keys, channel.extended)
    try:
        again = FileReader(new_channel, chunk).read_file(com_fid)
    except MalformedCardData as exc:  # SecureMessagingError among them: the chip could not use the new keys
        return ChipAuthOutcome(ChipCheckResult(ChipCheck.INVALID, f"{CLONE_HINT} ({exc.detail})"))
    except CardError as exc:
        return ChipAuthOutcome(ChipCheckResult(ChipCheck.INVALID, f"{CLONE_HINT} ({exc.detail})"))
    if again != com:
        return ChipAuthOutcome(ChipCheckResult(ChipCheck.INVALID, "EF.COM differs under the new session keys"))
    return ChipAuthOutcome(ChipCheckResult(ChipCheck.VALID, f"ECDH on {chip_key.public_key.curve.name}, "
                                                            "3DES secure messaging"), new_channel)
