"""The reader's READ BINARY chunking (kiosk/devices/document/read_binary.py) against cards that follow ISO/IEC 7816-4.

`StandardCard` below is a few lines written from the standard's text (§5.1 command APDU cases, §11.2.3 READ
BINARY), with its own APDU parsing and its own BER length encoding: it shares no code with the reader. It holds one
EF; B0 answers the bytes read, B1 answers DO'53' wrapping the bytes read, both bounded by Ne over the whole
response data field; the end of the file before Ne bytes is 6282 and an offset past the end is 6B00 (or what
the options say). The tests check the file read byte for byte and the commands the reader sent.

The same properties are then checked inside BAC secure messaging against the project's emulated chip, for every
tail length 0-4 past a chunk boundary, short and extended.
"""

from __future__ import annotations

import random
from itertools import pairwise

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.devices.document import bac, emrtd
from kiosk.devices.document.apdu import Command, PlainChannel
from kiosk.devices.document.mrz import access_key_from_mrz
from kiosk.devices.document.read_binary import MAX_FILE, FileReader, TruncatedFile
from kiosk.devices.document.secure_messaging import SecureChannel
from kiosk.errors import CardError, MalformedCardData

from .conftest import PASSPORT_MRZ
from .documents import build_document, make_pki
from .emrtd_chip import EmrtdChip


def ber_length(n: int) -> bytes:
    """ISO/IEC 8825-1 §8.1.3 definite length, minimal form."""
    if n < 0x80:
        return bytes([n])
    octets = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(octets)]) + octets


def ef_of_size(total: int, seed: int = 0) -> bytes:
    """A file of exactly `total` bytes: tag 75 (or 7F61 where no length fits one tag byte), length, value."""
    for tag in (b"\x75", b"\x7f\x61"):
        for length_size in (1, 2, 3, 4):
            value_len = total - len(tag) - length_size
            if value_len >= 0 and len(ber_length(value_len)) == length_size:
                return tag + ber_length(value_len) + random.Random(seed or total).randbytes(value_len)
    raise ValueError(total)


class StandardCard:
    """One selected EF answering READ BINARY as ISO/IEC 7816-4 describes; records (ins, offset, Ne, extended, SW)."""

    def __init__(self, content: bytes, end_of_file: str = "before-le", past_end: int = 0x6B00) -> None:
        self.content = content
        self.end_of_file = end_of_file  # "before-le" (the standard), "always" or "never"
        self.past_end = past_end
        self.log: list[tuple[int, int, int, bool, int]] = []
        self.raw: list[bytes] = []

    def transmit(self, apdu: bytes) -> bytes:
        self.raw.append(apdu)
        ins, p1, p2, body = apdu[1], apdu[2], apdu[3], apdu[4:]
        extended = len(body) >= 3 and body[0] == 0
        data, ne = b"", 0
        if len(body) == 1:  # case 2 short
            ne = body[0] or 256
        elif extended and len(body) == 3:  # case 2 extended
            ne = int.from_bytes(body[1:], "big") or 65536
        elif extended:  # case 3/4 extended
            nc = int.from_bytes(body[1:3], "big")
            data, rest = body[3:3 + nc], body[3 + nc:]
            ne = (int.from_bytes(rest, "big") or 65536) if rest else 0
        elif body:  # case 3/4 short
            data, rest = body[1:1 + body[0]], body[1 + body[0]:]
            ne = (rest[0] or 256) if rest else 0
        if ins == 0xA4:
            return b"\x90\x00"
        if ins == 0xB0:
            offset = (p1 << 8) | p2
        else:
            assert data[0] == 0x54 and data[1] == len(data) - 2, data.hex()
            offset = int.from_bytes(data[2:], "big")
        remaining = len(self.content) - offset
        if remaining <= 0:
            self.log.append((ins, offset, ne, extended, self.past_end))
            return self.past_end.to_bytes(2, "big")
        count = min(ne, remaining)
        if ins == 0xB1:
            while 1 + len(ber_length(count)) + count > ne:
                count -= 1
            field = b"\x53" + ber_length(count) + self.content[offset:offset + count]
        else:
            field = self.content[offset:offset + count]
        at_end = count == remaining
        warn = at_end and (self.end_of_file == "always" or (self.end_of_file == "before-le" and len(field) < ne))
        sw = 0x6282 if warn else 0x9000
        self.log.append((ins, offset, ne, extended, sw))
        return field + sw.to_bytes(2, "big")


def read(card: StandardCard, chunk: int = emrtd.SHORT_CHUNK, extended: bool = False) -> bytes:
    return FileReader(PlainChannel(card, extended), chunk).read_file(0x0102)


def check_read(content: bytes, chunk: int = emrtd.SHORT_CHUNK, extended: bool = False, **card_options) -> StandardCard:
    card = StandardCard(content, **card_options)
    assert read(card, chunk, extended) == content
    assert all(offset < len(content) for _, offset, _, _, _ in card.log), "read at or past the end of the file"
    assert all(ext == extended for _, _, _, ext, _ in card.log)
    assert all(ne <= chunk for _, _, ne, _, _ in card.log)
    return card


# --- the commands themselves --------------------------------------------------------------------------------

def test_odd_ins_commands_carry_do54_and_le_223() -> None:
    content = ef_of_size(34_000)
    card = check_read(content)
    b1 = [raw for raw in card.raw if raw[1] == 0xB1]
    assert len(b1) > 2, "too few odd-INS reads for a 34,000-byte file"
    for raw in b1[:-1]:  # full chunks: 00 B1 00 00 04 54 02 <offset> DF
        assert raw[:7] == bytes.fromhex("00B10000045402") and len(raw) == 10 and raw[-1] == 0xDF
    b1_offsets = [offset for ins, offset, _, _, _ in card.log if ins == 0xB1]
    assert 0 < b1_offsets[0] - 0x7FFF <= emrtd.SHORT_CHUNK  # B0 carried the reads up to the switch
    # every full odd-INS read brought 220 bytes (53 81 DC): the next offset is 220 further on
    assert {b - a for a, b in pairwise(b1_offsets)} == {220}


@pytest.mark.parametrize("tail", [1, 2, 3, 4, 5, 127, 128, 220])
def test_last_odd_ins_read_asks_for_the_tail_and_its_do53_header(tail: int) -> None:
    card = check_read(ef_of_size(34_000))
    full = [offset for ins, offset, _, _, _ in card.log if ins == 0xB1]
    boundary = full[-2] + 220  # where the reader's last chunk would start
    content = ef_of_size(boundary + tail)
    card = check_read(content)
    last_ins, last_offset, last_ne, _, last_sw = card.log[-1]
    header = 2 if tail < 128 else 3
    assert (last_ins, last_offset, last_ne, last_sw) == (0xB1, boundary, tail + header, 0x9000)
    if tail == 1:
        assert card.raw[-1][-1] == 0x03  # Le = 3: 53 01 xx


def test_offsets_past_64k_use_a_three_byte_do54() -> None:
    card = check_read(ef_of_size(70_000))
    b1 = [raw for raw in card.raw if raw[1] == 0xB1]
    for raw in b1:  # 00 B1 00 00 Lc 54 L offset Le
        size = raw[6]
        offset = int.from_bytes(raw[7:7 + size], "big")
        assert raw[4] == 2 + size and (size == 3) == (offset > 0xFFFF), raw.hex()
    assert any(raw[6] == 3 for raw in b1) and any(raw[6] == 2 for raw in b1)


def test_extended_length_commands_and_chunks() -> None:
    card = check_read(ef_of_size(100_000), chunk=emrtd.EXTENDED_CHUNK, extended=True)
    b1 = [entry for entry in card.log if entry[0] == 0xB1]
    assert all(ne == 4096 for _, _, ne, _, _ in b1[:-1])
    offsets = [offset for _, offset, _, _, _ in b1]
    assert {b - a for a, b in pairwise(offsets)} == {4092}  # 53 82 0F FC + 4092 bytes


# --- sizes ---------------------------------------------------------------------------------------------------

def test_every_size_across_the_odd_ins_switch_short_apdus() -> None:
    """Every file size from 32,700 to 33,250 bytes: all residues of both chunk lengths (223 and 220)."""
    for total in range(32_700, 33_251):
        check_read(ef_of_size(total, seed=1))


@pytest.mark.parametrize("total", [2, 5, 7, 8, 9, 129, 130, 131, 258, 259, 32_767, 32_768, 32_769, 65_535,
                                   65_536, 65_537, 65_540, 131_072, MAX_FILE - 1, MAX_FILE])
@pytest.mark.parametrize("extended", [False, True])
def test_sizes_up_to_the_cap(total: int, extended: bool) -> None:
    chunk = emrtd.EXTENDED_CHUNK if extended else emrtd.SHORT_CHUNK
    check_read(ef_of_size(total), chunk=chunk, extended=extended)


def test_file_above_the_cap_is_refused_after_its_header() -> None:
    card = StandardCard(ef_of_size(MAX_FILE + 1))
    with pytest.raises(MalformedCardData, match="claims 262145 bytes"):
        read(card)
    assert len(card.log) == 1


@settings(max_examples=200, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_any_size_any_chunk_any_end_of_file_answer(data) -> None:
    extended = data.draw(st.booleans())
    chunk = data.draw(st.integers(3, 0x1000 if extended else 256))
    total = data.draw(st.integers(2, min(MAX_FILE, chunk * 600)))
    end_of_file = data.draw(st.sampled_from(["before-le", "always", "never"]))
    past_end = data.draw(st.sampled_from([0x6B00, 0x6282]))
    padding = data.draw(st.sampled_from([b"", b"\x00" * 3, b"\xff" * 300]))  # EFs are often larger than their TLV
    content = ef_of_size(total)
    card = StandardCard(content + padding, end_of_file=end_of_file, past_end=past_end)
    assert read(card, chunk, extended) == content
    assert all(offset < total for _, offset, _, _, _ in card.log)


# --- what the card answers -----------------------------------------------------------------------------------

@pytest.mark.parametrize("end_of_file", ["before-le", "always", "never"])
def test_6282_at_the_end_is_taken_with_its_data(end_of_file: str) -> None:
    card = check_read(ef_of_size(5), end_of_file=end_of_file)  # the 8-byte header read meets the end at once
    assert card.log[-1][4] == (0x9000 if end_of_file == "never" else 0x6282)
    card = check_read(ef_of_size(40_001), end_of_file=end_of_file)
    assert card.log[-1][4] == (0x6282 if end_of_file == "always" else 0x9000)


@pytest.mark.parametrize("end_of_file", ["before-le", "always", "never"])
@pytest.mark.parametrize("past_end", [0x6B00, 0x6282])
@pytest.mark.parametrize("missing", [1, 4, 300])
@pytest.mark.parametrize("declared", [1000, 40_000])
def test_file_shorter_than_its_header_is_a_typed_error(end_of_file: str, past_end: int, missing: int,
                                                       declared: int) -> None:
    content = ef_of_size(declared)[:-missing]
    card = StandardCard(content, end_of_file=end_of_file, past_end=past_end)
    with pytest.raises(TruncatedFile, match=f"ends at byte {len(content)}, before the {declared} bytes"):
        read(card)
    assert card.log[-1][1] == len(content)  # it stopped at the first answer past the end


def test_6b00_on_the_first_read_is_an_empty_file() -> None:
    card = StandardCard(b"")
    with pytest.raises(TruncatedFile, match="empty"):
        read(card)


class Scripted:
    """Answers SELECT with 9000, then READ BINARY with the scripted bytes in turn."""

    def __init__(self, *answers: bytes) -> None:
        self.answers = list(answers)

    def transmit(self, apdu: bytes) -> bytes:
        return b"\x90\x00" if apdu[1] == 0xA4 else self.answers.pop(0)


HEAD = bytes.fromhex("75828200") + bytes(4)  # declares 0x8200 + 4 = 33,284 bytes


def _past_b0(*b1_answers: bytes) -> Scripted:
    """Serves the B0 reads of a 33,284-byte file, then the given B1 answers."""
    b0 = [HEAD + b"\x90\x00"]
    offset = 8
    while offset <= 0x7FFF:
        b0.append(bytes(223) + b"\x90\x00")
        offset += 223
    return Scripted(*b0, *b1_answers)


@pytest.mark.parametrize("answer, message", [
    (bytes.fromhex("7303") + bytes(3) + b"\x90\x00", "not one DO'53'"),
    (bytes.fromhex("5303") + bytes(4) + b"\x90\x00", "not one DO'53'"),  # a byte after the DO
    (bytes.fromhex("5310") + bytes(3) + b"\x90\x00", "runs past"),
    (bytes.fromhex("5300") + b"\x90\x00", "returned no data"),  # no progress must not loop
    (b"\x90\x00", "returned no data"),
])
def test_malformed_odd_ins_answers(answer: bytes, message: str) -> None:
    with pytest.raises(MalformedCardData, match=message) as caught:
        FileReader(PlainChannel(_past_b0(answer)), emrtd.SHORT_CHUNK).read_file(0x0102)
    assert not isinstance(caught.value, TruncatedFile)


def test_more_than_asked_is_taken_up_to_the_declared_end() -> None:
    # A chip that counts Le in data bytes (53 81 DF + 223): the bytes are used, and the file still ends at 33,284.
    big = bytes.fromhex("5381DF") + bytes(range(223)) + b"\x90\x00"
    card = _past_b0(*([big] * 10))
    data = FileReader(PlainChannel(card), emrtd.SHORT_CHUNK).read_file(0x0102)
    assert len(data) == 33_284 and data.endswith(bytes(range(223))[:33_284 - 32_789 - 2 * 223])


def test_other_status_words_are_card_errors() -> None:
    with pytest.raises(CardError, match="answered 6982") as caught:
        FileReader(PlainChannel(_past_b0(b"\x69\x82")), emrtd.SHORT_CHUNK).read_file(0x0102)
    assert not isinstance(caught.value, MalformedCardData)


def test_chunk_too_small_for_do53() -> None:
    with pytest.raises(ValueError, match="DO'53'"):
        FileReader(PlainChannel(StandardCard(b"")), 2)


# --- inside BAC secure messaging, on the emulated chip ----------------------------------------------------------

@pytest.fixture(scope="module")
def small_document():
    return build_document(make_pki("ec"), PASSPORT_MRZ, b"\xff\xd8\xff\xe0" + bytes(500))


class _Direct:
    def __init__(self, chip: EmrtdChip) -> None:
        self.chip = chip

    def transmit(self, apdu: bytes) -> bytes:
        return self.chip.process(apdu)


def test_do53_travels_inside_the_protected_response(small_document) -> None:
    content = ef_of_size(40_000)
    chip = EmrtdChip({**small_document.files, 0x0102: content}, small_document.access_key)
    transport = _Direct(chip)
    emrtd.select_lds1(transport)
    channel = SecureChannel(transport, bac.authenticate(transport, access_key_from_mrz(PASSPORT_MRZ)))
    assert channel.transmit(Command(0x00, 0xA4, 0x02, 0x0C, b"\x01\x02")).sw == 0x9000
    resp = channel.transmit(Command(0x00, 0xB1, 0x00, 0x00, bytes.fromhex("54028000"), le=0xDF))
    assert (resp.sw, resp.data) == (0x9000, bytes.fromhex("5381DC") + content[32768:32768 + 220])


def _boundaries(document, extended: bool) -> list[int]:
    """Offsets where the reader starts its odd-INS chunks in a long file, as the chip logged them."""
    chip = EmrtdChip({**document.files, 0x0102: ef_of_size(60_000)}, document.access_key, extended_length=extended)
    emrtd.read_document(_Direct(chip), document.access_key, extended=extended)
    return [r.offset for r in chip.reads if r.ins == 0xB1]  # only DG2 is long enough for odd-INS reads


@pytest.mark.parametrize("extended", [False, True])
def test_every_tail_past_a_chunk_boundary_through_bac(small_document, extended: bool) -> None:
    boundaries = _boundaries(small_document, extended)
    sizes = {32_767, 32_768, 32_769}
    for boundary in (boundaries[0], boundaries[1], boundaries[-1]):
        sizes |= {boundary + tail for tail in range(5)}
    for total in sorted(sizes):
        content = ef_of_size(total)
        chip = EmrtdChip({**small_document.files, 0x0102: content}, small_document.access_key,
                         extended_length=extended)
        files = emrtd.read_document(_Direct(chip), small_document.access_key, extended=extended)
        assert files.data_groups[2] == content, total
        # This chip warns (6282) when a read meets the end before Ne bytes and refuses (6B00) reads past it:
        # only 9000 means every Le was exactly what remained, DO'53' header included.
        assert all(r.sw == 0x9000 for r in chip.reads), f"{total}: the reader asked past the end"
