"""Command and response APDUs (ISO/IEC 7816-4), short and extended length, and the transport seam.

A `Transport` is anything that sends one command APDU and returns the response bytes (data + SW1 SW2): the PC/SC
card connection in production, the emulator directly in unit tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from kiosk.errors import MalformedCardData

SW_OK = 0x9000


class Transport(Protocol):
    def transmit(self, apdu: bytes) -> bytes:
        """Send one command APDU; return response data followed by SW1 SW2."""
        ...


@dataclass(frozen=True)
class Command:
    """A command APDU. `le` None: no response data expected; 0 < le <= 65536: expected length (256 / 65536 = max)."""

    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes = b""
    le: int | None = None

    def encode(self, extended: bool = False) -> bytes:
        """Encode as case 1-4 APDU; extended length when asked or when the sizes require it."""
        header = bytes([self.cla, self.ins, self.p1, self.p2])
        ext = extended or len(self.data) > 255 or (self.le is not None and self.le > 256)
        body = b""
        if self.data:
            body += (b"\x00" + len(self.data).to_bytes(2, "big")) if ext else bytes([len(self.data)])
            body += self.data
        if self.le is not None:
            if ext:
                le = b"" if self.data else b"\x00"
                body += le + (self.le % 65536).to_bytes(2, "big")
            else:
                body += bytes([self.le % 256])
        return header + body


@dataclass(frozen=True)
class Response:
    data: bytes
    sw: int

    @classmethod
    def parse(cls, raw: bytes) -> Response:
        """Split response bytes into data and status word."""
        if len(raw) < 2:
            raise MalformedCardData("response shorter than a status word")
        return cls(bytes(raw[:-2]), int.from_bytes(raw[-2:], "big"))


class PlainChannel:
    """Commands sent as they are, without secure messaging: for files a card serves before any access control
    (EF.ATR/INFO, EF.CardAccess) and for cards without it. Same shape as the secure channel."""

    def __init__(self, transport: Transport, extended: bool = False) -> None:
        self._transport = transport
        self.extended = extended

    def transmit(self, command: Command) -> Response:
        return Response.parse(self._transport.transmit(command.encode(self.extended)))
