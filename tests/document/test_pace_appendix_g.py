"""ICAO 9303-11 Appendix G (PACE-ECDH-GM-AES-CBC-CMAC-128 on brainpoolP256r1, MRZ password), byte for byte.

Every value below is the worked example's, as printed in the standard (also BSI TR-03110 / TR-SAC Appendix D.3,
the same example), never the output of the code under test. They were taken from two open-source projects that
reproduce the appendix in their own tests, and agree between them:
  - RfidResearchGroup/proxmark3, client/src/emrtd/emrtd_pacetest.c ("ICAO Doc 9303 Part 11 Appendix G"):
    MRZ, K, K_π, nonce s and z, SK/PK.Map, G', SK/PK.DH, K, KS_Enc, KS_MAC, T_IFD, T_IC;
  - ZeroPass/dmrtd, test/pace_test_ecdh.dart ("Appendix D.3 to Part 11 of ICAO 9303"): the same values plus the
    chip's mapping and ephemeral private keys, H, EF.CardAccess, the token input objects and the APDUs of the
    whole exchange (command and response bytes);
  - a third, the Java package name.velikodniy.jcexpress.pace (IcaoAppendixG1PaceTest, "copied from the public
    ICAO worked example", 8th edition G.1), agrees on every value and every APDU, and gives the MSE:Set AT with
    DO'84' (parameter id 0D) for a chip listing several domain parameters.
The scripted chip below answers with the example's responses and checks that the terminal sends the example's
commands exactly, so the MSE:Set AT and GENERAL AUTHENTICATE encodings are checked as well as the arithmetic.
"""

from __future__ import annotations

import hashlib

import pytest

from kiosk.core.identity import AccessKey
from kiosk.devices.document import pace, sm_cipher
from kiosk.devices.document.bac import SessionKeys
from kiosk.devices.document.card_access import parse_security_infos
from kiosk.devices.document.ec_arith import BRAINPOOL_P256R1 as BP256
from kiosk.devices.document.mrz import bac_key_seed_input
from kiosk.errors import MalformedCardData, WrongAccessKey

KEY = AccessKey("T22000129", "640812", "101031")
MRZ_INFORMATION = b"T22000129364081251010318"
K_MRZ = "7E2D2A41C74EA0B38CD36F863939BFA8E9032AAD"
K_PI = "89DED1B26624EC1E634C1989302849DD"
NONCE_Z = "95A3A016522EE98D01E76CB6B98B42C3"
NONCE_S = "3F00C4D39D153F2B2A214A078D899B22"
SK_MAP_IFD = 0x7F4EF07B9EA82FD78AD689B38D0BC78CF21F249D953BC46F4C6E19259C010F99
PK_MAP_IFD = ("047ACF3EFC982EC45565A4B155129EFBC74650DCBFA6362D896FC70262E0C2CC5E"
              "544552DCB6725218799115B55C9BAA6D9F6BC3A9618E70C25AF71777A9C4922D")
SK_MAP_IC = 0x498FF49756F2DC1587840041839A85982BE7761D14715FB091EFA7BCE9058560
PK_MAP_IC = ("04824FBA91C9CBE26BEF53A0EBE7342A3BF178CEA9F45DE0B70AA601651FBA3F57"
             "30D8C879AAA9C9F73991E61B58F4D52EB87A0A0C709A49DC63719363CCD13C54")
H = ("60332EF2450B5D247EF6D3868397D398852ED6E8CAF6FFEEF6BF85CA57057FD5"
     "0840CA7415BAF3E43BD414D35AA4608B93A2CAF3A4E3EA4E82C9C13D03EB7181")
G_MAPPED = ("048CED63C91426D4F0EB1435E7CB1D74A46723A0AF21C89634F65A9AE87A9265E2"
            "8C879506743F8611AC33645C5B985C80B5F09A0B83407C1B6A4D857AE76FE522")
SK_DH_IFD = 0xA73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595
PK_DH_IFD = ("042DB7A64C0355044EC9DF190514C625CBA2CEA48754887122F3A5EF0D5EDD301C"
             "3556F3B3B186DF10B857B58F6A7EB80F20BA5DC7BE1D43D9BF850149FBB36462")
SK_DH_IC = 0x107CF58696EF6155053340FD633392BA81909DF7B9706F226F32086C7AFF974A
PK_DH_IC = ("049E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2D28C1D9EC65DF6DB"
            "7764B22277A2EDDC3C265A9F018F9CB852E111B768B326904B59A0193776F094")
SHARED_SECRET = "28768D20701247DAE81804C9E780EDE582A9996DB4A315020B2733197DB84925"
KS_ENC = "F5F0E35C0D7161EE6724EE513A0D9A7F"
KS_MAC = "FE251C7858B356B24514B3BD5F4297D1"
TOKEN_INPUT_IFD = "7F494F060A04007F000702020402028641" + PK_DH_IC  # T_IFD is over the chip's key
TOKEN_INPUT_IC = "7F494F060A04007F000702020402028641" + PK_DH_IFD
T_IFD = "C2B0BD78D94BA866"
T_IC = "3ABB9674BCE93C08"
EF_CARD_ACCESS = "31143012060A04007F0007020204020202010202010D"
OID = "0.4.0.127.0.7.2.2.4.2.2"  # id-PACE-ECDH-GM-AES-CBC-CMAC-128

# The exchange of Appendix G: (terminal's command, chip's response).
EXCHANGE = [
    ("0022C1A40F800A04007F00070202040202830101", "9000"),
    ("10860000027C0000", "7C128010" + NONCE_Z + "9000"),
    ("10860000457C43814104" + PK_MAP_IFD[2:] + "00", "7C43824104" + PK_MAP_IC[2:] + "9000"),
    ("10860000457C43834104" + PK_DH_IFD[2:] + "00", "7C43844104" + PK_DH_IC[2:] + "9000"),
    ("008600000C7C0A8508" + T_IFD + "00", "7C0A8608" + T_IC + "9000"),
]


def point(hex_point: str) -> tuple[int, int]:
    raw = bytes.fromhex(hex_point)
    if raw[0] == 0x04:
        raw = raw[1:]
    return int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")


class ScriptedChip:
    """Answers the example's responses, refusing any command that is not the example's next one."""

    def __init__(self, exchange: list[tuple[str, str]]) -> None:
        self.exchange = list(exchange)
        self.sent: list[str] = []

    def transmit(self, apdu: bytes) -> bytes:
        expected, answer = self.exchange.pop(0)
        self.sent.append(apdu.hex().upper())
        assert apdu.hex().upper() == expected
        return bytes.fromhex(answer)


def example_scalars():
    keys = iter([SK_MAP_IFD, SK_DH_IFD])
    return lambda curve: next(keys)


def test_password_and_its_key() -> None:
    assert bac_key_seed_input(KEY) == MRZ_INFORMATION
    assert pace.password_bytes(KEY).hex().upper() == K_MRZ
    info = parse_security_infos(bytes.fromhex(EF_CARD_ACCESS)).pace[0]
    assert (info.oid, info.version, info.parameter_id) == (OID, 2, 13)
    assert (info.key_agreement, info.mapping, info.cipher, info.key_length) == ("ECDH", "GM", "AES", 16)
    assert pace.password_key(KEY, info).hex().upper() == K_PI
    assert pace.decrypt_nonce(bytes.fromhex(K_PI), bytes.fromhex(NONCE_Z), "AES").hex().upper() == NONCE_S


def test_mapping_key_agreement_and_tokens() -> None:
    assert BP256.encode_point(BP256.multiply(SK_MAP_IFD, BP256.generator)).hex().upper() == PK_MAP_IFD
    assert BP256.encode_point(BP256.multiply(SK_MAP_IC, BP256.generator)).hex().upper() == PK_MAP_IC
    shared = BP256.multiply(SK_MAP_IFD, point(PK_MAP_IC))
    assert shared == point(H) == BP256.multiply(SK_MAP_IC, point(PK_MAP_IFD))
    mapped = pace.map_generator(BP256, bytes.fromhex(NONCE_S), shared)
    assert BP256.encode_point(mapped).hex().upper() == G_MAPPED
    assert BP256.encode_point(BP256.multiply(SK_DH_IFD, mapped)).hex().upper() == PK_DH_IFD
    assert BP256.encode_point(BP256.multiply(SK_DH_IC, mapped)).hex().upper() == PK_DH_IC
    secret = BP256.multiply(SK_DH_IFD, point(PK_DH_IC))
    assert secret is not None and secret[0].to_bytes(32, "big").hex().upper() == SHARED_SECRET
    # The same through the fixed-base and ECDH shortcuts (OpenSSL) the terminal takes.
    assert BP256.encode_point(BP256.multiply_generator(SK_MAP_IFD)).hex().upper() == PK_MAP_IFD
    assert BP256.ecdh_x(SK_DH_IFD, point(PK_DH_IC)).hex().upper() == SHARED_SECRET
    assert BP256.ecdh_x(SK_DH_IC, point(PK_DH_IFD)).hex().upper() == SHARED_SECRET
    assert pace.kdf(bytes.fromhex(SHARED_SECRET), 1, "AES", 16).hex().upper() == KS_ENC
    assert pace.kdf(bytes.fromhex(SHARED_SECRET), 2, "AES", 16).hex().upper() == KS_MAC
    assert pace.token_input(OID, bytes.fromhex(PK_DH_IC)).hex().upper() == TOKEN_INPUT_IFD
    assert pace.token_input(OID, bytes.fromhex(PK_DH_IFD)).hex().upper() == TOKEN_INPUT_IC
    assert pace.auth_token(bytes.fromhex(KS_MAC), OID, bytes.fromhex(PK_DH_IC), "AES").hex().upper() == T_IFD
    assert pace.auth_token(bytes.fromhex(KS_MAC), OID, bytes.fromhex(PK_DH_IFD), "AES").hex().upper() == T_IC


def test_the_whole_exchange_byte_for_byte() -> None:
    chip = ScriptedChip(EXCHANGE)
    info = parse_security_infos(bytes.fromhex(EF_CARD_ACCESS)).pace[0]
    keys = pace.establish(chip, KEY, info, scalars=example_scalars())
    assert chip.sent == [command for command, _ in EXCHANGE]
    assert (keys.k_enc.hex().upper(), keys.k_mac.hex().upper(), keys.ssc, keys.algorithm) == (
        KS_ENC, KS_MAC, 0, "AES")


def test_mse_names_the_domain_parameters_when_the_chip_lists_several() -> None:
    with_84 = [("0022C1A412800A04007F0007020204020283010184010D", "9000"), *EXCHANGE[1:]]
    info = parse_security_infos(bytes.fromhex(EF_CARD_ACCESS)).pace[0]
    pace.establish(ScriptedChip(with_84), KEY, info, ambiguous=True, scalars=example_scalars())


def test_a_wrong_chip_token_is_refused() -> None:
    forged = EXCHANGE[:-1] + [(EXCHANGE[-1][0], "7C0A8608" + "3ABB9674BCE93C09" + "9000")]
    info = parse_security_infos(bytes.fromhex(EF_CARD_ACCESS)).pace[0]
    with pytest.raises(MalformedCardData, match="token"):
        pace.establish(ScriptedChip(forged), KEY, info, scalars=example_scalars())


def test_the_chip_refusing_the_terminal_token_is_a_wrong_password() -> None:
    refused = EXCHANGE[:-1] + [(EXCHANGE[-1][0], "6300")]
    info = parse_security_infos(bytes.fromhex(EF_CARD_ACCESS)).pace[0]
    with pytest.raises(WrongAccessKey):
        pace.establish(ScriptedChip(refused), KEY, info, scalars=example_scalars())


def test_a_point_off_the_curve_is_refused() -> None:
    off = PK_MAP_IC[:-2] + "55"
    bad = EXCHANGE[:2] + [(EXCHANGE[2][0], "7C43824104" + off[2:] + "9000")]
    info = parse_security_infos(bytes.fromhex(EF_CARD_ACCESS)).pace[0]
    with pytest.raises(MalformedCardData, match="not on the curve"):
        pace.establish(ScriptedChip(bad), KEY, info, scalars=example_scalars())


def test_a_zero_nonce_is_refused() -> None:
    with pytest.raises(MalformedCardData, match="infinity"):
        pace.map_generator(BP256, bytes(16), point(H))


def test_can_password_is_its_digits() -> None:
    # 9303-11 §9.7.3: f(π) of a CAN is its ISO 8859-1 characters; K_π = first 16 bytes of SHA-1(f(π) || 00000003).
    can = pace.CardAccessNumber("123456")
    assert pace.password_bytes(can) == b"123456"
    info = parse_security_infos(bytes.fromhex(EF_CARD_ACCESS)).pace[0]
    assert pace.password_key(can, info) == hashlib.sha1(b"123456\x00\x00\x00\x03").digest()[:16]
    assert pace.password_reference(can) == 2 and pace.password_reference(KEY) == 1
    with pytest.raises(ValueError):
        pace.CardAccessNumber("12a456")
    assert "123456" not in repr(can)


# AES secure messaging with the example's session keys. ICAO prints no AES secure-messaging trace; these
# protected APDUs come from proxmark3's emrtd_pacetest.c (test_sm_aes), computed there with OpenSSL/PyCryptodome
# and, its authors note, confirmed on a real document: an independent implementation to agree with.
def test_aes_secure_messaging_agrees_with_an_independent_implementation() -> None:
    from kiosk.devices.document.apdu import Command
    from kiosk.devices.document.secure_messaging import unwrap_response, wrap_command

    keys = SessionKeys(bytes.fromhex(KS_ENC), bytes.fromhex(KS_MAC), 0, "AES")
    apdu = wrap_command(keys, Command(0x00, 0xA4, 0x02, 0x0C, b"\x01\x1e"))
    assert apdu.hex().upper() == ("0CA4020C1D871101" + "EE0E4724F4465C1BE9C2F73ABDD73A3D"
                                  + "8E08" + "835D1B54575C955F" + "00")
    assert unwrap_response(keys, bytes.fromhex("990290008E08BEA7B381C494A0799000")).sw == 0x9000
    apdu = wrap_command(keys, Command(0x00, 0xB0, 0x00, 0x00, le=4))
    assert apdu.hex().upper() == "0CB000000D9701048E08AA6BA54F44DF836400"
    response = unwrap_response(keys, bytes.fromhex("871101645C0B1F998A088278D07942BBE94B60990290008E08"
                                                   "94A33C6AA2D8CCC89000"))
    assert (response.data.hex().upper(), response.sw) == ("60145F01", 0x9000)
    assert keys.ssc == 4 and sm_cipher.ssc_bytes(keys) == bytes(15) + b"\x04"


# A second independent implementation (jcexpress, vector from its own reference script): SELECT of the eMRTD
# application as the first protected command after Appendix G's PACE, SSC = 0.
def test_first_protected_select_agrees_with_a_second_implementation() -> None:
    from kiosk.devices.document.apdu import Command
    from kiosk.devices.document.secure_messaging import unwrap_response, wrap_command

    keys = SessionKeys(bytes.fromhex(KS_ENC), bytes.fromhex(KS_MAC), 0, "AES")
    apdu = wrap_command(keys, Command(0x00, 0xA4, 0x04, 0x0C, bytes.fromhex("A0000002471001")))
    assert apdu.hex().upper() == "0CA4040C1D871101752F676B09FAC86A87D632749A49C7CC8E08C18BA1FCE707BD9F00"
    assert unwrap_response(keys, bytes.fromhex("990290008E08BEA7B381C494A0799000")).sw == 0x9000
