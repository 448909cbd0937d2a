"""PACE on the real stack: pyscard -> private pcscd -> vpcd -> the emulated chip speaking PACE, short APDUs."""

from __future__ import annotations

import dataclasses
import json
import threading

import pytest

from kiosk.core.identity import PassiveAuth
from kiosk.devices.document.pace import CardAccessNumber
from kiosk.errors import WrongAccessKey

from .conftest import PASSPORT_MRZ
from .pace_chip import PaceChip
from .test_stack import kiosk_cli, reader_for

pytestmark = pytest.mark.pcsc
CAN = "305917"


def insert_pace_chip(slot, document, **pace_options):
    pace = PaceChip(document.access_key, can=CAN, **pace_options)
    return slot.insert(document, extended_length=False, pace=pace, bac_enabled=False)


def test_pace_with_the_mrz_short_apdus(slot, passport, trust_dir, jpeg_photo) -> None:
    card = insert_pace_chip(slot, passport)
    result = reader_for(trust_dir).read_document(passport.access_key, threading.Event())
    assert result.access_control == "PACE" and not result.extended_length
    assert result.identity.photo == jpeg_photo
    assert result.identity.passive_auth == PassiveAuth.VALID, result.identity.passive_auth_detail
    assert card.chip.pace is not None and card.chip.pace.successes == 1
    assert all(read.le <= 0xDF for read in card.chip.reads)


def test_pace_with_the_can_on_nist_p256(slot, id_card, trust_dir, jp2_photo) -> None:
    insert_pace_chip(slot, id_card, parameter_id=12)
    result = reader_for(trust_dir).read_document(CardAccessNumber(CAN), threading.Event())
    assert result.access_control == "PACE"
    assert result.identity.document_number == "D23145890" and result.identity.photo == jp2_photo
    assert result.identity.passive_auth == PassiveAuth.VALID


def test_cli_reads_with_the_can_and_refuses_a_wrong_one(slot, passport, trust_dir) -> None:
    card = insert_pace_chip(slot, passport)
    wrong = kiosk_cli(slot.daemon, "read", "--can", "305918", "--trust-store", str(trust_dir), "--json")
    assert wrong.returncode == 5, wrong.stderr
    assert "wrong access key" in wrong.stderr and "PACE password" in wrong.stderr
    assert wrong.stdout == ""
    proc = kiosk_cli(slot.daemon, "read", "--can", CAN, "--trust-store", str(trust_dir), "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert (out["access_control"], out["document_number"], out["passive_auth"]) == ("PACE", "L898902C3", "VALID")
    assert card.chip.pace is not None and (card.chip.pace.failures, card.chip.pace.successes) == (1, 1)


def test_cli_mrz_on_a_pace_chip_and_argument_errors(slot, passport, trust_dir) -> None:
    insert_pace_chip(slot, passport)
    proc = kiosk_cli(slot.daemon, "read", "--mrz", PASSPORT_MRZ, "--trust-store", str(trust_dir), "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["access_control"] == "PACE"
    both = kiosk_cli(slot.daemon, "read", "--can", CAN, "--mrz", PASSPORT_MRZ, "--json")
    assert both.returncode == 2 and "either --can or the MRZ" in both.stderr
    letters = kiosk_cli(slot.daemon, "read", "--can", "30591A", "--json")
    assert letters.returncode == 2 and "decimal digits" in letters.stderr


def test_wrong_mrz_then_right_mrz_on_the_same_card(slot, passport, trust_dir) -> None:
    insert_pace_chip(slot, passport)
    reader = reader_for(trust_dir)
    with pytest.raises(WrongAccessKey):
        reader.read_document(dataclasses.replace(passport.access_key, document_number="L898902C4"),
                             threading.Event())
    assert reader.read_document(passport.access_key, threading.Event()).access_control == "PACE"
