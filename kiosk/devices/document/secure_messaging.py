"""ICAO 9303-11 §9.8 secure messaging with BAC or PACE session keys: wrapping commands, unwrapping responses.

The cipher suite (3DES or AES, with its block, SSC size, IV and MAC) comes from the keys (`sm_cipher.py`).

Every response's MAC is checked (DO'8E' over SSC || DO'87'/'85' || DO'99'); any failure raises
SecureMessagingError and the channel refuses further use, because after a broken MAC the send-sequence counters
of chip and terminal can no longer be trusted to agree.
"""

from __future__ import annotations

import hmac

from kiosk.devices.document import sm_cipher, tlv
from kiosk.devices.document.apdu import Command, Response, Transport
from kiosk.devices.document.bac import SessionKeys
from kiosk.errors import MalformedCardData, SecureMessagingError


def wrap_command(keys: SessionKeys, command: Command, extended: bool = False) -> bytes:
    """Protect `command` (increments the SSC); return the encoded APDU to send."""
    sm_cipher.increment_ssc(keys)
    cla = command.cla | 0x0C
    header = bytes([cla, command.ins, command.p1, command.p2])
    do87 = b""
    if command.data:
        cryptogram = sm_cipher.encrypt(keys, sm_cipher.pad(keys, command.data))
        # Odd INS carries BER-TLV data objects: DO'85' without padding indicator (ISO/IEC 7816-4 §10.2).
        do87 = tlv.encode(0x85, cryptogram) if command.ins & 1 else tlv.encode(0x87, b"\x01" + cryptogram)
    do97 = b""
    if command.le is not None:
        if extended or command.le > 256:
            do97 = b"\x97\x02" + (command.le % 65536).to_bytes(2, "big")
        else:
            do97 = b"\x97\x01" + bytes([command.le % 256])
    mac = sm_cipher.mac(keys, sm_cipher.pad(keys, sm_cipher.ssc_bytes(keys) + sm_cipher.pad(keys, header)
                                            + do87 + do97))
    body = do87 + do97 + b"\x8e\x08" + mac
    return Command(cla, command.ins, command.p1, command.p2, body, le=65536 if extended else 256).encode(extended)


def unwrap_response(keys: SessionKeys, raw: bytes) -> Response:
    """Check and decrypt a protected response (increments the SSC). Raises SecureMessagingError."""
    sm_cipher.increment_ssc(keys)
    try:
        if len(raw) < 2:
            raise SecureMessagingError("response shorter than a status word")
        sw_plain = int.from_bytes(raw[-2:], "big")
        body = bytes(raw[:-2])
        if not body:
            raise SecureMessagingError(f"chip answered SW {sw_plain:04X} without secure messaging")
        cryptogram: tuple[int, bytes] | None = None
        do99: bytes | None = None
        mac: bytes | None = None
        mac_end = 0
        pos = 0
        while pos < len(body):
            item = tlv.read_tlv(body, pos)
            if mac is not None:
                raise SecureMessagingError("data after DO'8E'")
            if item.tag in (0x85, 0x87) and cryptogram is None and do99 is None:
                cryptogram = (item.tag, item.value)
            elif item.tag == 0x99 and do99 is None:
                do99 = item.value
            elif item.tag == 0x8E:
                mac, mac_end = item.value, pos
            else:
                raise SecureMessagingError(f"unexpected data object {item.tag:X} in response")
            pos = item.end
        if mac is None or len(mac) != 8:
            raise SecureMessagingError("response without an 8-byte DO'8E'")
        if do99 is None or len(do99) != 2:
            raise SecureMessagingError("response without DO'99'")
        expected = sm_cipher.mac(keys, sm_cipher.pad(keys, sm_cipher.ssc_bytes(keys) + body[:mac_end]))
        if not hmac.compare_digest(expected, mac):
            raise SecureMessagingError("response MAC does not verify")
        data = b""
        if cryptogram is not None:
            tag, value = cryptogram
            if tag == 0x87:
                if not value or value[0] != 0x01:
                    raise SecureMessagingError("DO'87' without padding indicator 01")
                value = value[1:]
            data = sm_cipher.unpad(keys, sm_cipher.decrypt(keys, value))
        return Response(data, int.from_bytes(do99, "big"))
    except SecureMessagingError:
        raise
    except MalformedCardData as exc:  # TLV and padding errors inside the response
        raise SecureMessagingError(str(exc.detail or exc)) from exc


class SecureChannel:
    """A BAC or PACE session over a transport; unusable after the first secure-messaging error."""

    def __init__(self, transport: Transport, keys: SessionKeys, extended: bool = False) -> None:
        self._transport = transport
        self._keys: SessionKeys | None = keys
        self.extended = extended

    def transmit(self, command: Command) -> Response:
        """Send `command` protected; return the verified, decrypted response."""
        if self._keys is None:
            raise SecureMessagingError("secure messaging session was dropped")
        try:
            raw = self._transport.transmit(wrap_command(self._keys, command, self.extended))
            return unwrap_response(self._keys, raw)
        except SecureMessagingError:
            self.drop()
            raise

    @property
    def active(self) -> bool:
        """False once the session was dropped (after an error, or by its owner)."""
        return self._keys is not None

    def drop(self) -> None:
        """Forget the session keys."""
        self._keys = None
