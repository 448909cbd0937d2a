"""Parsers and protocol pieces against the ICAO 9303 worked examples and hand-made edge cases."""

from __future__ import annotations

import pytest

from kiosk.devices.document import bac, dg2, tlv
from kiosk.devices.document.apdu import Command
from kiosk.devices.document.emrtd import atr_supports_extended_length
from kiosk.devices.document.mrz import (
    access_key_from_fields,
    access_key_from_mrz,
    bac_key_seed_input,
    check_digit,
    parse_mrz,
)
from kiosk.devices.document.secure_messaging import unwrap_response, wrap_command
from kiosk.errors import MalformedCardData, SecureMessagingError

# ICAO 9303 specimens (Part 4 TD3, Part 5 TD1, Part 6 TD2)
TD3 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
TD1 = "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<"
TD2 = "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6"


def test_check_digits() -> None:
    assert check_digit("L898902C3") == "6"
    assert check_digit("740812") == "2"
    assert check_digit("120415") == "9"
    assert check_digit("<<<<<<") == "0"


@pytest.mark.parametrize(("text", "fmt", "number"), [(TD3, "TD3", "L898902C3"), (TD1, "TD1", "D23145890"),
                                                     (TD2, "TD2", "D23145890")])
def test_mrz_formats(text: str, fmt: str, number: str) -> None:
    m = parse_mrz(text)
    assert (m.format, m.document_number, m.date_of_birth, m.date_of_expiry) == (fmt, number, "740812", "120415")
    assert (m.surname, m.given_names, m.nationality, m.sex) == ("ERIKSSON", "ANNA MARIA", "UTO", "F")
    assert parse_mrz(text.replace("\n", "")) == m  # concatenated form


def test_mrz_one_wrong_character_is_caught() -> None:
    with pytest.raises(MalformedCardData, match="date of birth"):
        parse_mrz(TD3.replace("7408122F", "7408132F"))
    with pytest.raises(MalformedCardData, match="composite"):
        parse_mrz(TD3[:-1] + "1")
    with pytest.raises(MalformedCardData):
        parse_mrz(TD3[:-3])


def test_td1_long_document_number() -> None:
    # 9303-5 §4.2.4: a 12-character number continues in the optional field, its check digit after it.
    number = "D23145890123"
    cd = check_digit(number)
    l1 = f"I<UTO{number[:9]}<{number[9:]}{cd}<".ljust(30, "<")
    l2 = "7408122F1204159UTO<<<<<<<<<<<"
    l2 += check_digit(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29])
    m = parse_mrz(l1 + l2 + "ERIKSSON<<ANNA<MARIA<<<<<<<<<<")
    assert m.document_number == number


def test_access_key_helpers() -> None:
    key = access_key_from_mrz(TD3)
    assert (key.document_number, key.date_of_birth, key.date_of_expiry) == ("L898902C3", "740812", "120415")
    assert "L898902" not in repr(key)
    assert access_key_from_fields(" l898902c3 ", "740812", "120415") == key
    with pytest.raises(MalformedCardData):
        access_key_from_fields("L898902C3", "7408", "120415")


def test_bac_key_derivation_worked_example() -> None:
    # ICAO 9303-11 Appendix D.2
    key = access_key_from_fields("L898902C", "690806", "940623")
    assert bac_key_seed_input(key) == b"L898902C<369080619406236"
    seed = bac.bac_seed(key)
    assert seed.hex().upper() == "239AB9CB282DAF66231DC5A4DF6BFBAE"
    assert bac.derive_key(seed, 1).hex().upper() == "AB94FDECF2674FDFB9B391F85D7F76F2"
    assert bac.derive_key(seed, 2).hex().upper() == "7962D9ECE03D1ACD4C76089DCE131543"


def _appendix_session() -> bac.SessionKeys:
    return bac.SessionKeys(bytes.fromhex("979EC13B1CBFE9DCD01AB0FED307EAE5"),
                           bytes.fromhex("F1CB1F1FB5ADF208806B89DC579DC1F8"), 0x887022120C06C226)


def test_secure_messaging_worked_example() -> None:
    # ICAO 9303-11 Appendix D.4: SELECT EF.COM, then READ BINARY of its first 4 bytes
    keys = _appendix_session()
    apdu = wrap_command(keys, Command(0x00, 0xA4, 0x02, 0x0C, bytes.fromhex("011E")))
    assert apdu.hex().upper() == "0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800"
    resp = unwrap_response(keys, bytes.fromhex("990290008E08FA855A5D4C50A8ED9000"))
    assert (resp.data, resp.sw) == (b"", 0x9000)
    apdu = wrap_command(keys, Command(0x00, 0xB0, 0x00, 0x00, le=4))
    assert apdu.hex().upper() == "0CB000000D9701048E08ED6705417E96BA5500"
    resp = unwrap_response(keys, bytes.fromhex("8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000"))
    assert (resp.data.hex().upper(), resp.sw) == ("60145F01", 0x9000)


def test_secure_messaging_rejects_a_bad_mac() -> None:
    keys = _appendix_session()
    keys.ssc += 1
    with pytest.raises(SecureMessagingError, match="MAC"):
        unwrap_response(keys, bytes.fromhex("990290008E08FA855A5D4C50A8ED9001"[:-4] + "9000").replace(b"\xed", b"\xee"))
    with pytest.raises(SecureMessagingError):
        unwrap_response(keys, bytes.fromhex("6988"))


def test_tlv_bounds() -> None:
    assert tlv.read_tlv(bytes.fromhex("5F1F03414243")).value == b"ABC"
    assert tlv.read_tlv(b"\x04\x84\x00\x00\x00\x02ab").value == b"ab"
    for bad in ("5F", "5F1F", "5F1F05414243", "0485FFFFFFFFFF", "0480", "04840FFFFFFF00", "1FFFFFFF0100"):
        with pytest.raises(MalformedCardData):
            tlv.read_tlv(bytes.fromhex(bad))
    assert tlv.encode(0x5F2E, b"x" * 70000)[:6] == bytes.fromhex("5F2E83011170")


def test_dg2_roundtrip_and_magic() -> None:
    jpeg = b"\xff\xd8\xff\xe0" + b"x" * 500
    face = dg2.parse_dg2(dg2.build_dg2(jpeg, False, 240, 320))
    assert (face.data, face.format, face.width, face.height) == (jpeg, "jpeg", 240, 320)
    jp2 = b"\x00\x00\x00\x0cjP  \r\n\x87\n" + b"y" * 300
    assert dg2.parse_dg2(dg2.build_dg2(jp2, True, 240, 320)).format == "jpeg2000"
    with pytest.raises(MalformedCardData):
        dg2.parse_dg2(dg2.build_dg2(b"GIF89a" + b"z" * 10, False, 1, 1))


def test_extended_length_from_atr() -> None:
    assert atr_supports_extended_length(bytes.fromhex("3B858001807300004000"))
    assert not atr_supports_extended_length(bytes.fromhex("3B858001807300000000"))
    assert not atr_supports_extended_length(b"\x3b")


def test_extended_apdu_encoding() -> None:
    assert Command(0x0C, 0xB0, 0, 0, b"\x01\x02", le=65536).encode(True).hex() == "0cb00000000002010200" + "00"
    assert Command(0x00, 0xB0, 0, 0, le=256).encode().hex() == "00b0000000"


def test_t0_status_words_are_handled_by_the_transport() -> None:
    from kiosk.devices.document.pcsc import PcscTransport

    class Scripted(PcscTransport):
        def __init__(self, answers: list[bytes]) -> None:
            self.sent: list[bytes] = []
            self.answers = answers

        def _transmit_once(self, apdu: bytes) -> bytes:
            self.sent.append(apdu)
            return self.answers.pop(0)

    t = Scripted([bytes.fromhex("6104"), bytes.fromhex("0102030461 02".replace(" ", "")),
                  bytes.fromhex("05069000")])
    assert t.transmit(bytes.fromhex("0CB0000000")) == bytes.fromhex("010203040506") + b"\x90\x00"
    assert t.sent[1] == bytes.fromhex("00C0000004") and t.sent[2] == bytes.fromhex("00C0000002")
    t = Scripted([bytes.fromhex("6C08"), bytes.fromhex("11223344556677889000")])
    assert t.transmit(bytes.fromhex("0084000000")) == bytes.fromhex("11223344556677889000")
    assert t.sent[1] == bytes.fromhex("0084000008")


def test_the_td2_fixture_generator_prints_the_specimen() -> None:
    from .documents import td2_mrz

    assert td2_mrz("D23145890", "740812", "120415", "ERIKSSON", "ANNA MARIA") == TD2
