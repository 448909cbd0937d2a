"""Reading an eMRTD's LDS1 files over BAC secure messaging (ICAO 9303-10 and -11).

`read_document` is the whole protocol: PACE (when EF.CardAccess offers it) or SELECT of the LDS1 application and
BAC (`access_control.py`), then EF.COM, the data groups it lists that the kiosk needs and EF.SOD, each with READ
BINARY in chunks (`read_binary.py`; extended length when the card's ATR or EF.ATR/INFO says it accepts it).
DG14/DG15 come first: active and chip authentication run on them when the chip offers them (`chip_checks.py`), and
after CA the other files are read under its session keys. It returns the raw files; parsing and passive
authentication happen elsewhere.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from kiosk.core.identity import AccessKey
from kiosk.devices.document import tlv
from kiosk.devices.document.access_control import open_chip
from kiosk.devices.document.apdu import Command, Response, Transport
from kiosk.devices.document.chip_checks import ChipChecks, check_chip
from kiosk.devices.document.pace import CardAccessNumber
from kiosk.devices.document.read_binary import FileReader
from kiosk.devices.document.secure_messaging import SecureChannel
from kiosk.errors import CardError, MalformedCardData

LDS1_AID = bytes.fromhex("A0000002471001")
EF_COM = 0x011E
EF_SOD = 0x011D
EF_ATR_INFO = 0x2F01  # in the MF, readable without access control (ISO/IEC 7816-4 §8.2.1.1, 9303-10 §3.11)
SM_OVERHEAD = 32  # bytes a protected response adds around its data field: DO'87'/'85' header, padding, '99', '8E', SW
DG_FIDS = {1: 0x0101, 2: 0x0102, 11: 0x010B, 12: 0x010C, 14: 0x010E, 15: 0x010F}
# EF.COM tag list entry -> data group number (9303-10 §4.6.1)
DG_TAGS = {0x61: 1, 0x75: 2, 0x6B: 11, 0x6C: 12, 0x6E: 14, 0x6F: 15}
CHIP_SECURITY_GROUPS = {14, 15}  # DG14: chip authentication keys; DG15: active authentication key
# Chunks are Le values: the size of the whole response data field (for odd-INS reads, DO'53' included).
SHORT_CHUNK = 0xDF  # largest Le whose protected response fits a short APDU (9303-11 practice)
EXTENDED_CHUNK = 0x1000  # per read with extended length: a conservative size real chips' buffers accept


class Cancelled(CardError):
    """The caller cancelled the read."""


@dataclass
class DocumentFiles:
    """The raw files read from the chip, by data group number; EF.COM and EF.SOD separately."""

    com: bytes = b""
    sod: bytes = b""
    data_groups: dict[int, bytes] = field(default_factory=dict)
    apdus: int = 0
    apdu_bytes: int = 0
    extended_length: bool = False
    access_control: str = ""  # "BAC" | "PACE"
    chip: ChipChecks | None = None  # active and chip authentication, when the read ran them

    def __repr__(self) -> str:
        return f"DocumentFiles(dgs={sorted(self.data_groups)}, apdus={self.apdus})"


def atr_supports_extended_length(atr: bytes) -> bool:
    """True when the ATR's card capabilities (historical bytes, compact-TLV 7x, byte 3 bit 7) announce it."""
    if len(atr) < 2:
        return False
    t0 = atr[1]
    count = t0 & 0x0F
    pos, y, protocols = 2, t0 >> 4, 0
    try:
        while True:  # walk the interface bytes to find the historical bytes
            pos += (y & 0xF).bit_count()
            if not y & 0x8:
                break
            td = atr[pos - 1]
            protocols |= 1 << (td & 0x0F)
            y = td >> 4
        hist = atr[pos:pos + count]
    except IndexError:
        return False
    if not hist or hist[0] != 0x80:
        return False
    i = 1
    while i < len(hist):
        tag, length = hist[i] >> 4, hist[i] & 0x0F
        value = hist[i + 1:i + 1 + length]
        if tag == 0x7 and len(value) >= 3:
            return bool(value[2] & 0x40)
        i += 1 + length
    return False


class _CountingTransport:
    def __init__(self, inner: Transport, files: DocumentFiles, cancel: threading.Event | None) -> None:
        self._inner = inner
        self._files = files
        self._cancel = cancel

    def transmit(self, apdu: bytes) -> bytes:
        if self._cancel is not None and self._cancel.is_set():
            raise Cancelled("read cancelled")
        response = self._inner.transmit(apdu)
        self._files.apdus += 1
        self._files.apdu_bytes += len(apdu) + len(response)
        return response


def select_lds1(transport: Transport) -> None:
    """SELECT the eMRTD application by AID; CardError when the card has none."""
    resp = Response.parse(transport.transmit(Command(0x00, 0xA4, 0x04, 0x0C, LDS1_AID).encode()))
    if resp.sw != 0x9000:
        raise CardError(f"not an eMRTD: SELECT of the LDS1 application answered {resp.sw:04X}")


def listed_data_groups(com: bytes) -> set[int]:
    """Data group numbers EF.COM's tag list (5C) names, restricted to the ones the kiosk reads."""
    tags = tlv.find(com, (0x60, 0x5C))
    return {DG_TAGS[t] for t in tags if t in DG_TAGS}


@dataclass(frozen=True)
class LengthInfo:
    """What EF.ATR/INFO says about APDU lengths."""

    extended: bool
    max_response: int | None = None


def read_atr_info(transport: Transport) -> LengthInfo | None:
    """EF.ATR/INFO's card capabilities ('47') and extended length information ('7F66'); None when absent."""
    resp = Response.parse(transport.transmit(Command(0x00, 0xA4, 0x02, 0x0C, EF_ATR_INFO.to_bytes(2, "big"))
                                             .encode()))
    if resp.sw != 0x9000:
        return None
    resp = Response.parse(transport.transmit(Command(0x00, 0xB0, 0x00, 0x00, le=256).encode()))
    if resp.sw not in (0x9000, 0x6282) or not resp.data:
        return None
    try:
        objects = tlv.children(resp.data)
        capabilities = objects.get(0x47, b"")
        extended = len(capabilities) >= 3 and bool(capabilities[2] & 0x40)
        max_response = None
        if 0x7F66 in objects:
            sizes = [int.from_bytes(i.value, "big") for i in tlv.parse_all(objects[0x7F66]) if i.tag == 0x02]
            if len(sizes) >= 2:
                max_response = sizes[1]
                extended = extended or max_response > 258
    except MalformedCardData:
        return None  # an unreadable EF.ATR/INFO only costs the speed-up
    return LengthInfo(extended, max_response)


def _open_session(transport: Transport, key: AccessKey | CardAccessNumber, extended: bool,
                  files: DocumentFiles) -> SecureChannel:
    """PACE or BAC (whichever the chip offers), with the LDS1 application selected."""
    opened = open_chip(transport, key, select_lds1)
    files.access_control = opened.access_control
    channel = SecureChannel(transport, opened.keys, extended)
    if opened.select_under_sm:
        resp = channel.transmit(Command(0x00, 0xA4, 0x04, 0x0C, LDS1_AID))
        if resp.sw != 0x9000:
            raise CardError(f"not an eMRTD: SELECT of the LDS1 application answered {resp.sw:04X}")
    return channel


def read_document(transport: Transport, key: AccessKey | CardAccessNumber, extended: bool | None = False,
                  cancel: threading.Event | None = None, chunk: int | None = None) -> DocumentFiles:
    """Select, authenticate and read EF.COM, the data groups it lists that the kiosk uses, and EF.SOD; run active
    and chip authentication on DG15/DG14 when listed (`files.chip`).

    `extended`: True/False as known (e.g. from the ATR); None: ask EF.ATR/INFO first.
    """
    files = DocumentFiles()
    counted = _CountingTransport(transport, files, cancel)
    if extended is None:
        info = read_atr_info(counted)
        extended = bool(info and info.extended)
        if extended and info is not None and info.max_response and chunk is None:
            chunk = max(SHORT_CHUNK, min(EXTENDED_CHUNK, info.max_response - SM_OVERHEAD))
    files.extended_length = extended
    chunk = chunk or (EXTENDED_CHUNK if extended else SHORT_CHUNK)
    channel = _open_session(counted, key, extended, files)
    reader = FileReader(channel, chunk)
    files.com = reader.read_file(EF_COM)
    listed = listed_data_groups(files.com)
    for number in (1, 2):
        if number not in listed:
            raise MalformedCardData(f"EF.COM does not list DG{number}")
    # DG14 and DG15 first: active and chip authentication run on them, and after CA the rest comes under its keys.
    for number in sorted(listed & CHIP_SECURITY_GROUPS):
        files.data_groups[number] = reader.read_file(DG_FIDS[number])
    files.chip, next_channel = check_chip(counted, channel, files.data_groups, files.com, chunk)
    if next_channel is None:  # a failed CA leaves no session: open the chip again to read (and report) the rest
        next_channel = _open_session(counted, key, extended, files)
    channel, reader = next_channel, FileReader(next_channel, chunk)
    for number in sorted(listed - CHIP_SECURITY_GROUPS):
        files.data_groups[number] = reader.read_file(DG_FIDS[number])
    files.sod = reader.read_file(EF_SOD)
    channel.drop()
    return files
