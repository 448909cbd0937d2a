"""PACE between the reader and the emulated chip (no PC/SC): MRZ and CAN, both curves, AES and 3DES, failures.

The chip's side (`pace_chip.py`) is written from the standard's message formats independently of the reader's;
the Appendix G test pins the reader to the standard's own bytes.
"""

from __future__ import annotations

import dataclasses

import pytest

from kiosk.devices.document.apdu import Command, Response
from kiosk.devices.document.emrtd import read_document
from kiosk.devices.document.pace import CardAccessNumber
from kiosk.errors import MalformedCardData, WrongAccessKey

from .emrtd_chip import EmrtdChip
from .pace_chip import PaceChip

CAN = "482913"


class Direct:
    """The chip as a transport, without PC/SC."""

    def __init__(self, chip: EmrtdChip) -> None:
        self.chip = chip

    def transmit(self, apdu: bytes) -> bytes:
        return self.chip.process(apdu)


def pace_chip(document, bac: bool = True, extended_length: bool = False, **pace_options) -> EmrtdChip:
    pace = PaceChip(document.access_key, can=CAN, **pace_options)
    return EmrtdChip(document.files, document.access_key, extended_length=extended_length, pace=pace, bac_enabled=bac)


def assert_complete(files, document) -> None:
    assert files.data_groups[1] == document.files[0x0101]
    assert files.data_groups[2] == document.files[0x0102]
    assert files.sod == document.files[0x011D]


@pytest.mark.parametrize(("parameter_id", "cipher", "key_length"), [
    (13, "AES", 16), (12, "AES", 16), (13, "3DES", 16), (12, "3DES", 16), (13, "AES", 24), (12, "AES", 32),
    (15, "AES", 32), (16, "AES", 32), (17, "AES", 32), (18, "AES", 32)])
def test_pace_with_the_mrz(passport, parameter_id, cipher, key_length) -> None:
    chip = pace_chip(passport, parameter_id=parameter_id, cipher=cipher, key_length=key_length, bac=False)
    files = read_document(Direct(chip), passport.access_key)
    assert files.access_control == "PACE"
    assert_complete(files, passport)
    assert chip.pace is not None and chip.pace.successes == 1 and chip.mutual_auth_attempts == 0


def test_pace_with_the_can_and_short_apdus(passport) -> None:
    chip = pace_chip(passport, bac=False)
    files = read_document(Direct(chip), CardAccessNumber(CAN))
    assert files.access_control == "PACE" and not files.extended_length
    assert_complete(files, passport)
    assert all(r.le <= 0xDF for r in chip.reads)  # short APDUs throughout


def test_pace_with_extended_length(passport) -> None:
    files = read_document(Direct(pace_chip(passport, extended_length=True)), passport.access_key, extended=True)
    assert files.access_control == "PACE" and files.extended_length
    assert_complete(files, passport)


def test_a_chip_without_card_access_is_read_over_bac(passport) -> None:
    chip = EmrtdChip(passport.files, passport.access_key, extended_length=False)
    files = read_document(Direct(chip), passport.access_key)
    assert files.access_control == "BAC" and chip.mutual_auth_attempts == 1
    assert_complete(files, passport)


def test_a_can_cannot_open_a_bac_chip(passport) -> None:
    chip = EmrtdChip(passport.files, passport.access_key, extended_length=False)
    with pytest.raises(WrongAccessKey, match="MRZ only"):
        read_document(Direct(chip), CardAccessNumber(CAN))
    assert chip.mutual_auth_attempts == 0


def test_an_unreadable_card_access_falls_back_to_bac(passport) -> None:
    chip = pace_chip(passport)
    chip.mf_files[0x011C] = b"\x31\x05\x30\x03\x06\x01"  # truncated SecurityInfos
    files = read_document(Direct(chip), passport.access_key)
    assert files.access_control == "BAC"


@pytest.mark.parametrize("password", ["mrz", "can"])
def test_a_wrong_password_is_refused_and_the_chip_still_opens_with_the_right_one(passport, password) -> None:
    chip = pace_chip(passport, bac=False)
    if password == "mrz":
        wrong, right = dataclasses.replace(passport.access_key, date_of_birth="740813"), passport.access_key
    else:
        wrong, right = CardAccessNumber("482914"), CardAccessNumber(CAN)
    transport = Direct(chip)
    with pytest.raises(WrongAccessKey, match="PACE password"):
        read_document(transport, wrong)
    assert chip.pace is not None and chip.pace.failures == 1
    # The failed attempt left no session: a protected command is refused, nothing is readable.
    assert Response.parse(chip.process(Command(0x0C, 0xB0, 0, 0, le=4).encode())).sw == 0x6988
    files = read_document(transport, right)  # same card, no reset in between
    assert files.access_control == "PACE"
    assert_complete(files, passport)


def test_a_chip_whose_token_is_wrong_is_refused_and_can_be_read_again(passport) -> None:
    chip = pace_chip(passport, bad_token=True)
    with pytest.raises(MalformedCardData, match="token"):
        read_document(Direct(chip), passport.access_key)
    assert chip.pace is not None
    chip.pace.bad_token = False
    assert_complete(read_document(Direct(chip), passport.access_key), passport)


def test_the_chip_refuses_general_authenticate_out_of_order(passport) -> None:
    chip = pace_chip(passport)
    # Step 1 without MSE:Set AT, then the last step straight after MSE:Set AT.
    assert Response.parse(chip.process(bytes.fromhex("10860000027C0000"))).sw == 0x6985
    mse = bytes.fromhex("0022C1A40F800A04007F00070202040202830101")
    assert Response.parse(chip.process(mse)).sw == 0x9000
    assert Response.parse(chip.process(bytes.fromhex("008600000C7C0A85080000000000000000" + "00"))).sw == 0x6985
    # An unknown password reference and a protocol the chip does not offer are refused at MSE:Set AT.
    assert Response.parse(chip.process(bytes.fromhex("0022C1A40F800A04007F00070202040202830103"))).sw == 0x6A80
    assert Response.parse(chip.process(bytes.fromhex("0022C1A40F800A04007F00070202040204830101"))).sw == 0x6A80
