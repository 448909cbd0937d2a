"""DG11 / DG12 (ICAO 9303-10 §4.7.11, §4.7.12) parsed from bytes written out by hand, and a Chinese name from
DG11 greeting the holder in the shell on the real reader (pcscd + vpcd + emulator)."""

from __future__ import annotations

import threading

import pytest

from kiosk.config import DocumentConfig
from kiosk.core.identity import Identity, national_name
from kiosk.core.session import State
from kiosk.devices.document.pcsc import PcscDocumentReader
from kiosk.devices.document.personal_details import parse_dg11, parse_dg12
from kiosk.devices.document.security_infos import parse_dg14, parse_dg15
from kiosk.errors import MalformedCardData
from tests.shell.conftest import district, open_shell, shell_config  # noqa: F401 - fixtures
from tests.shell.drive import find, tap, wait_state

from .documents import build_document, td3_mrz
from .test_fuzz import _fuzz

ZHANG = "张<<三丰".encode()  # primary identifier << secondary identifier, in national characters
PLACE = "浙江<杭州".encode()
AUTHORITY = "杭州市公安局出入境管理局".encode()


def _tlv(tag: bytes, value: bytes) -> bytes:
    assert len(value) < 0x80
    return tag + bytes([len(value)]) + value


# DG11 as 9303-10 §4.7.11 lays it out: 6B { 5C tag list, 5F0E name, A0 { 02 count, 5F0F other name... },
# 5F2B full date of birth, 5F11 place of birth }.
DG11 = _tlv(b"\x6b", _tlv(b"\x5c", bytes.fromhex("5f0e a0 5f2b 5f11".replace(" ", "")))
            + _tlv(b"\x5f\x0e", ZHANG)
            + _tlv(b"\xa0", _tlv(b"\x02", b"\x01") + _tlv(b"\x5f\x0f", b"ZHANG<<SANFENG"))
            + _tlv(b"\x5f\x2b", b"19820101") + _tlv(b"\x5f\x11", PLACE))
# DG12 (§4.7.12): 6C { 5C tag list, 5F19 issuing authority, 5F26 date of issue, 5F55 personalization time }.
DG12 = _tlv(b"\x6c", _tlv(b"\x5c", bytes.fromhex("5f195f265f55")) + _tlv(b"\x5f\x19", AUTHORITY)
            + _tlv(b"\x5f\x26", b"20230707") + _tlv(b"\x5f\x55", b"20230707101500"))


def test_dg11_elements() -> None:
    assert parse_dg11(DG11) == {"full_name": "张<<三丰", "other_names": "ZHANG<<SANFENG",
                                "full_date_of_birth": "19820101", "place_of_birth": "浙江<杭州"}


def test_dg12_elements() -> None:
    assert parse_dg12(DG12) == {"issuing_authority": "杭州市公安局出入境管理局", "date_of_issue": "20230707",
                                "personalization_time": "20230707101500"}


@pytest.mark.parametrize("parse,data", [(parse_dg11, DG12), (parse_dg12, DG11), (parse_dg11, DG11[:-3]),
                                        (parse_dg12, b"\x6c\x84\xff\xff\xff\xff")])
def test_malformed_details_are_typed_errors(parse, data) -> None:
    with pytest.raises(MalformedCardData):
        parse(data)


def test_fuzz_dg11_dg12_dg14_dg15() -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    from .genuine_chip import dg14, dg15

    key = ec.generate_private_key(ec.BrainpoolP256R1()).public_key()
    parsers = {0x6B: parse_dg11, 0x6C: parse_dg12, 0x6E: parse_dg14, 0x6F: parse_dg15}

    def target(data: bytes) -> None:
        if data and data[0] in parsers:
            parsers[data[0]](data)

    _fuzz(2_000, [DG11, DG12, dg14(key, aa_hash="sha256", key_id=1), dg15(key)], target)


@pytest.mark.parametrize("raw,shown", [("张<<三丰", "张三丰"), ("欧阳<<娜娜", "欧阳娜娜"),
                                       ("ERIKSSON<<ANNA<MARIA", "ERIKSSON ANNA MARIA"), ("", "")])
def test_national_name(raw, shown) -> None:
    assert national_name(raw) == shown


def test_display_name_prefers_chinese_and_is_wiped() -> None:
    ident = Identity("E12345678", "ZHANG", "SANFENG", extra={"full_name": "张<<三丰"})
    assert (ident.full_name, ident.display_name) == ("ZHANG SANFENG", "张三丰")
    assert Identity("X", "ERIKSSON", "ANNA", extra={"full_name": "ERIKSSON<<ANNA"}).display_name == "ERIKSSON ANNA"
    ident.wipe()
    assert ident.display_name == "" and ident.extra == {}


CHINESE_MRZ = td3_mrz("E12345678", "820101", "330707", "ZHANG", "SANFENG", nationality="CHN", sex="M")


@pytest.fixture(scope="module")
def chinese_passport(pki, jpeg_photo):
    return build_document(pki, CHINESE_MRZ, jpeg_photo, extra_groups={11: DG11, 12: DG12})


@pytest.mark.pcsc
def test_dg11_dg12_read_from_the_chip(slot, chinese_passport, trust_dir) -> None:
    slot.insert(chinese_passport)
    reader = PcscDocumentReader(DocumentConfig(trust_store=trust_dir))
    ident = reader.read_document(chinese_passport.access_key, threading.Event()).identity
    assert ident.passive_auth.value == "VALID"  # DG11 and DG12 hashed by the SOD like the others
    assert ident.full_name == "ZHANG SANFENG" and ident.display_name == "张三丰"
    assert ident.extra["place_of_birth"] == "浙江<杭州" and ident.extra["issuing_authority"] == AUTHORITY.decode()
    assert ident.extra["date_of_issue"] == "20230707"


@pytest.mark.pcsc
def test_shell_greets_with_the_chinese_name_and_wipes_it(qtbot, tmp_path, district, slot, chinese_passport,
                                                         trust_dir, open_shell) -> None:
    from .test_shell_reader import enter

    config = shell_config(tmp_path / "kiosk", district.url, devices={"document_reader": "pcsc"},
                          document={"trust_store": str(trust_dir)}, terminal={"demo": True})
    window = open_shell(config)
    terminal = window.terminal
    slot.insert(chinese_passport)
    wait_state(qtbot, window, State.READING_DOCUMENT, timeout_ms=15000)
    qtbot.waitUntil(lambda: terminal.session.needs_access_key and find(window, "mrz-doc").isVisible(),
                    timeout=5000)
    enter(qtbot, window, "mrz-doc", "E12345678")
    enter(qtbot, window, "mrz-dob", "820101")
    enter(qtbot, window, "mrz-exp", "330707")
    tap(qtbot, window, "submit-key")
    wait_state(qtbot, window, State.MENU, timeout_ms=20000)
    identity = terminal.session.identity
    greeting = window.screens[State.MENU].greeting.text()
    assert "张**" in greeting and "Z****" not in greeting
    tap(qtbot, window, "cancel")
    wait_state(qtbot, window, State.ATTRACT)
    assert identity.extra == {} and identity.display_name == ""  # session over: DG11/DG12 details wiped
