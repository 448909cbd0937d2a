"""Reading a whole elementary file with READ BINARY in chunks (ISO/IEC 7816-4 §11.2.3), sized by its TLV header.

Offsets up to 32767 fit in P1-P2 of the even instruction (B0), whose response data field is the bytes read.
Beyond, the odd instruction (B1) carries the offset in DO'54', and its response data field is DO'53' wrapping
the bytes read. Le (Ne) bounds the whole response data field, DO'53''s tag and length included: Le = 223 brings
220 bytes (`53 81 DC` ...), Le = 3 one byte (`53 01 xx`). So a B1 read asks for what remains plus that header
(capped by the chunk size), and each step advances by what the card actually returned, never by what was asked.
The file ends where its outer TLV header says, whatever the card holds after it (EFs are often padded).

Status words: 6282 (end of file reached before Ne bytes) still carries data, which is taken; 6B00 (offset past
the end) or an end-of-file warning without data before the declared length means the file is shorter than its
header claims: `TruncatedFile`, never a loop or a silent short file.
"""

from __future__ import annotations

from typing import Protocol

from kiosk.devices.document import tlv
from kiosk.devices.document.apdu import Command, Response
from kiosk.errors import CardError, MalformedCardData

EVEN_INS_MAX_OFFSET = 0x7FFF  # P1 bit 8 set means a short EF identifier, so B0 offsets stop at 15 bits
MAX_FILE = 0x10000 * 4  # a DG2 above 256 KB is not a passport photo: refuse rather than read forever
HEADER_READ = 8  # enough for a 3-byte tag and a 5-byte length
MIN_CHUNK = 3  # the smallest Le that brings a byte through B1: DO'53' with a one-byte length and one byte
SW_OK = 0x9000
SW_END_OF_FILE = 0x6282  # "end of file or record reached before reading Ne bytes": a warning, data follows
SW_OFFSET_OUTSIDE = 0x6B00  # "wrong parameters P1-P2": for READ BINARY, the offset lies outside the EF


class Channel(Protocol):
    """Where commands go: the BAC secure channel on a chip, a plain channel on files without access control."""

    def transmit(self, command: Command) -> Response:
        ...


class TruncatedFile(MalformedCardData):
    """The card's file ends before the length its own TLV header declares."""


def do53_header_size(count: int) -> int:
    """Bytes of DO'53''s tag and BER length in front of `count` data bytes."""
    return 2 + (count > 0x7F) + (count > 0xFF) + (count > 0xFFFF)


def odd_ins_le(remaining: int, budget: int) -> int:
    """Le of a B1 read: room for DO'53''s header and all `remaining` bytes, but at most `budget`."""
    return min(budget, remaining + do53_header_size(remaining))


def offset_data_object(offset: int) -> bytes:
    """DO'54' with the offset in as few bytes as it needs (at least two, as B0's P1-P2 would carry it)."""
    size = max(2, (offset.bit_length() + 7) // 8)
    return tlv.encode(0x54, offset.to_bytes(size, "big"))


def do53_value(field: bytes, offset: int) -> bytes:
    """The bytes read, from a B1 response data field that must be exactly one DO'53' (empty field: none)."""
    if not field:
        return b""
    item = tlv.read_tlv(field)
    if item.tag != 0x53 or item.end != len(field):
        raise MalformedCardData(f"READ BINARY at {offset}: response data field is not one DO'53'")
    return item.value


class FileReader:
    """SELECT and READ BINARY of elementary files through a channel, `chunk` = the largest Le to ask."""

    def __init__(self, channel: Channel, chunk: int, max_file: int = MAX_FILE) -> None:
        if chunk < MIN_CHUNK:
            raise ValueError(f"READ BINARY chunk of {chunk} bytes cannot carry data through DO'53'")
        self._channel = channel
        self._chunk = chunk
        self._max_file = max_file

    def select(self, fid: int) -> None:
        resp = self._channel.transmit(Command(0x00, 0xA4, 0x02, 0x0C, fid.to_bytes(2, "big")))
        if resp.sw != SW_OK:
            raise CardError(f"SELECT of file {fid:04X} answered {resp.sw:04X}")

    def read_chunk(self, offset: int, wanted: int) -> tuple[bytes, int]:
        """Up to `wanted` bytes at `offset` (fewer when the card returns fewer) and the status word."""
        odd = offset > EVEN_INS_MAX_OFFSET
        if odd:
            command = Command(0x00, 0xB1, 0x00, 0x00, offset_data_object(offset), le=odd_ins_le(wanted, self._chunk))
        else:
            command = Command(0x00, 0xB0, offset >> 8, offset & 0xFF, le=min(self._chunk, wanted))
        resp = self._channel.transmit(command)
        if resp.sw == SW_OFFSET_OUTSIDE:
            return b"", resp.sw
        if resp.sw not in (SW_OK, SW_END_OF_FILE):
            raise CardError(f"READ BINARY at {offset} answered {resp.sw:04X}")
        return (do53_value(resp.data, offset) if odd else resp.data), resp.sw

    def read_file(self, fid: int) -> bytes:
        """The whole file, sized from its outer TLV header."""
        self.select(fid)
        data = bytearray()
        while True:  # one read, unless the chunk is smaller than the file's tag and length
            head, sw = self.read_chunk(len(data), HEADER_READ - len(data))
            if not head and not data:
                raise TruncatedFile(f"file {fid:04X} is empty (READ BINARY answered {sw:04X})")
            data += head
            try:
                _, total = tlv.header_length(bytes(data))
                break
            except MalformedCardData:
                if not head or sw != SW_OK or len(data) >= HEADER_READ:
                    raise
        if total > self._max_file:
            raise MalformedCardData(f"file {fid:04X} claims {total} bytes")
        while len(data) < total:
            chunk, sw = self.read_chunk(len(data), total - len(data))
            if not chunk:
                if sw == SW_OK:
                    raise MalformedCardData(f"READ BINARY at {len(data)} returned no data")
                raise TruncatedFile(f"file {fid:04X} ends at byte {len(data)}, before the {total} bytes its "
                                    f"header declares (READ BINARY answered {sw:04X})")
            data += chunk
        return bytes(data[:total])
