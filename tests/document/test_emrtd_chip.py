"""The emulated chip's READ BINARY against ISO/IEC 7816-4, command bytes in, response bytes out, no reader code.

Fixed points (ISO/IEC 7816-4 §11.2.3, as summarised in the project's field notes): with the odd INS (B1) the
command data field is DO'54' (the offset) and the response data field is DO'53' wrapping the bytes read; Le
bounds that whole field, so Le = DF (223) brings `53 81 DC` + 220 bytes and Le = 03 brings `53 01 xx`. The end
of the file reached before Ne bytes is the warning 6282; an offset past the end is 6B00. Every expected answer
below is written out by hand from those rules.
"""

from __future__ import annotations

import pytest

from kiosk.devices.document.mrz import access_key_from_mrz

from .conftest import PASSPORT_MRZ
from .emrtd_chip import EmrtdChip

FID = bytes.fromhex("0102")
CONTENT = bytes((i * 7 + 3) % 251 for i in range(70_000))  # 70,000 bytes: offsets need a 3-byte DO'54' too
SELECT_APP = bytes.fromhex("00A4040C07A0000002471001")
SELECT_FILE = bytes.fromhex("00A4020C020102")
OK = bytes.fromhex("9000")
KEY = access_key_from_mrz(PASSPORT_MRZ)


def _chip(**options) -> EmrtdChip:
    chip = EmrtdChip({0x0102: CONTENT, 0x0101: bytes(range(10))}, KEY, plain_access=True, **options)
    assert chip.process(SELECT_APP) == OK
    assert chip.process(SELECT_FILE) == OK
    return chip


def test_odd_ins_le_223_brings_220_bytes_in_do53() -> None:
    answer = _chip().process(bytes.fromhex("00B10000" "04" "54028000" "DF"))
    assert answer == bytes.fromhex("5381DC") + CONTENT[32768:32768 + 220] + OK
    assert len(answer) == 223 + 2


def test_odd_ins_le_3_brings_one_byte() -> None:
    answer = _chip().process(bytes.fromhex("00B10000" "04" "54028000" "03"))
    assert answer == bytes.fromhex("5301") + CONTENT[32768:32769] + OK


def test_odd_ins_le_00_means_256() -> None:
    answer = _chip().process(bytes.fromhex("00B10000" "04" "54028000" "00"))
    assert answer == bytes.fromhex("5381FD") + CONTENT[32768:32768 + 253] + OK  # 3 + 253 = 256


def test_odd_ins_header_growth_leaves_a_byte_unused() -> None:
    # Le = 130: 128 bytes would need 53 81 80 (131 in all), so the card sends 127 bytes in 53 7F (129 in all).
    answer = _chip().process(bytes.fromhex("00B10000" "04" "54028000" "82"))
    assert answer == bytes.fromhex("537F") + CONTENT[32768:32768 + 127] + OK


def test_odd_ins_extended_le() -> None:
    # Le = 1004 (4100): 53 82 10 00 + 4096 bytes
    answer = _chip().process(bytes.fromhex("00B10000" "000004" "54028000" "1004"))
    assert answer == bytes.fromhex("53821000") + CONTENT[32768:32768 + 4096] + OK
    # Le = 0000 (65536) at a 3-byte offset: everything left, 70000 - 65536 = 4464 bytes, end reached early
    answer = _chip().process(bytes.fromhex("00B10000" "000005" "5403010000" "0000"))
    assert answer == bytes.fromhex("53821170") + CONTENT[65536:] + bytes.fromhex("6282")


def test_end_of_file_before_ne_is_6282_with_the_data() -> None:
    chip = _chip()
    last = len(CONTENT) - 5  # 69995 = 01116B
    assert chip.process(bytes.fromhex("00B10000" "05" "540301116B" "DF")) == (
        bytes.fromhex("5305") + CONTENT[-5:] + bytes.fromhex("6282"))
    # Exactly enough room for the last 5 bytes (2 + 5 = 7): Ne bytes were read, no warning.
    assert chip.process(bytes.fromhex("00B10000" "05" "540301116B" "07")) == (
        bytes.fromhex("5305") + CONTENT[last:] + OK)
    # Even INS: 10-byte file, 16 asked from offset 4
    chip.process(bytes.fromhex("00A4020C020101"))
    assert chip.process(bytes.fromhex("00B00004" "10")) == bytes(range(4, 10)) + bytes.fromhex("6282")
    assert chip.process(bytes.fromhex("00B00004" "06")) == bytes(range(4, 10)) + OK


def test_offset_past_the_end_is_6b00() -> None:
    chip = _chip()
    assert chip.process(bytes.fromhex("00B10000" "05" "5403011170" "DF")) == bytes.fromhex("6B00")  # = 70000
    assert chip.process(bytes.fromhex("00B10000" "05" "5403020000" "DF")) == bytes.fromhex("6B00")
    chip.process(bytes.fromhex("00A4020C020101"))
    assert chip.process(bytes.fromhex("00B0000A" "DF")) == bytes.fromhex("6B00")


def test_options_for_what_chips_in_the_field_answer() -> None:
    # "always": 6282 whenever a read reaches the end, even with exactly Ne bytes
    chip = _chip(end_of_file="always")
    assert chip.process(bytes.fromhex("00B10000" "05" "540301116B" "07")) == (
        bytes.fromhex("5305") + CONTENT[-5:] + bytes.fromhex("6282"))
    assert chip.process(bytes.fromhex("00B10000" "04" "54028000" "DF"))[-2:] == OK  # not at the end: no warning
    # "never": plain 9000 with fewer bytes
    chip = _chip(end_of_file="never")
    assert chip.process(bytes.fromhex("00B10000" "05" "540301116B" "DF")) == (
        bytes.fromhex("5305") + CONTENT[-5:] + OK)
    # past the end: 6282 without data instead of 6B00
    chip = _chip(past_end="6282")
    assert chip.process(bytes.fromhex("00B10000" "05" "5403011170" "DF")) == bytes.fromhex("6282")


def test_malformed_offset_data_object_and_missing_le() -> None:
    chip = _chip()
    assert chip.process(bytes.fromhex("00B10000" "04" "55028000" "DF")) == bytes.fromhex("6A80")  # not DO'54'
    assert chip.process(bytes.fromhex("00B10000" "05" "54028000FF" "DF")) == bytes.fromhex("6A80")  # trailing
    assert chip.process(bytes.fromhex("00B10000" "04" "54028000")) == bytes.fromhex("6700")  # no Le
    assert chip.process(bytes.fromhex("00B10000" "04" "54028000" "01")) == bytes.fromhex("6700")  # no room


def test_reads_are_logged_and_bac_chips_refuse_plain_reads() -> None:
    chip = _chip()
    chip.process(bytes.fromhex("00B10000" "04" "54028000" "DF"))
    assert [(r.ins, r.offset, r.le, r.count, r.sw) for r in chip.reads] == [(0xB1, 32768, 223, 220, 0x9000)]
    bac_chip = EmrtdChip({0x0102: CONTENT}, KEY)
    assert bac_chip.process(SELECT_APP) == OK
    assert bac_chip.process(SELECT_FILE) == bytes.fromhex("6982")


@pytest.mark.parametrize("extended", [False, True])
def test_short_chip_refuses_extended_apdus(extended: bool) -> None:
    chip = _chip(extended_length=extended)
    answer = chip.process(bytes.fromhex("00B10000" "000004" "54028000" "1004"))
    assert (answer[-2:] == OK) == extended
