"""Machine-readable zone: check digits, TD1/TD2/TD3 parsing (ICAO 9303-3/4/5/6) and the BAC access key.

`access_key_from_mrz` is what the UI and the CLI call with the two or three printed lines (or the
document number, birth date and expiry typed in); every field is validated with its check digit so that an OCR
or typing error is caught here rather than as a failed MUTUAL AUTHENTICATE on the chip.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kiosk.core.identity import AccessKey
from kiosk.errors import MalformedCardData

_WEIGHTS = (7, 3, 1)
_VALID = re.compile(r"^[0-9A-Z<]*$")
_DATE = re.compile(r"^[0-9]{6}$")


def char_value(ch: str) -> int:
    """Value of one MRZ character for check digits: digits as is, A=10..Z=35, '<' = 0."""
    if "0" <= ch <= "9":
        return ord(ch) - 48
    if "A" <= ch <= "Z":
        return ord(ch) - 55
    if ch == "<":
        return 0
    raise MalformedCardData(f"MRZ: invalid character {ch!r}")


def check_digit(field: str) -> str:
    """ICAO 9303-3 §4.9 check digit (weights 7-3-1, modulo 10)."""
    return str(sum(char_value(c) * _WEIGHTS[i % 3] for i, c in enumerate(field)) % 10)


def _checked(field: str, digit: str, what: str) -> None:
    # '<' as check digit is allowed only for an all-filler optional field
    if digit == "<" and field.strip("<") == "":
        return
    if digit != check_digit(field):
        raise MalformedCardData(f"MRZ: check digit of {what} is wrong")


@dataclass(frozen=True)
class MrzData:
    """The fields of a machine-readable zone."""

    format: str  # TD1 | TD2 | TD3
    document_code: str
    issuing_state: str
    document_number: str
    date_of_birth: str
    sex: str
    date_of_expiry: str
    nationality: str
    surname: str
    given_names: str
    optional_data: str

    def __repr__(self) -> str:
        return f"MrzData(format={self.format!r})"

    def access_key(self) -> AccessKey:
        """The BAC access key of this document."""
        return AccessKey(self.document_number, self.date_of_birth, self.date_of_expiry)


def normalize(text: str) -> str:
    """Join the MRZ lines (newline-separated or already concatenated) into one uppercase string."""
    return "".join(line.strip() for line in text.strip().splitlines()).replace(" ", "").upper()


def _names(field: str) -> tuple[str, str]:
    surname, _, given = field.partition("<<")
    return surname.replace("<", " ").strip(), given.replace("<", " ").strip()


def _doc_number(number: str, digit: str, optional: str) -> tuple[str, str]:
    """Document number with the TD1/TD2 long-number rule (9303-5 §4.2.4: '<' in the check digit position)."""
    if digit == "<" and optional:
        rest = optional.split("<", 1)[0]
        if len(rest) < 2:
            raise MalformedCardData("MRZ: truncated long document number")
        full, digit = number + rest[:-1], rest[-1]
        _checked(full, digit, "document number")
        return full, optional[len(rest):]
    _checked(number, digit, "document number")
    return number.rstrip("<"), optional


def parse_mrz(text: str) -> MrzData:
    """Parse a TD1 (3x30), TD2 (2x36) or TD3 (2x44) MRZ and verify every check digit."""
    mrz = normalize(text)
    if not _VALID.match(mrz):
        raise MalformedCardData("MRZ: characters outside 0-9, A-Z and '<'")
    if len(mrz) == 90:
        return _parse_td1(mrz)
    if len(mrz) == 72:
        return _parse_td2(mrz)
    if len(mrz) == 88:
        return _parse_td3(mrz)
    raise MalformedCardData(f"MRZ: {len(mrz)} characters is neither TD1 (90), TD2 (72) nor TD3 (88)")


def _dates_sex(line: str, pos: int) -> tuple[str, str, str]:
    dob, sex, exp = line[pos:pos + 6], line[pos + 7], line[pos + 8:pos + 14]
    _checked(dob, line[pos + 6], "date of birth")
    _checked(exp, line[pos + 14], "date of expiry")
    if not _DATE.match(exp):
        raise MalformedCardData("MRZ: date of expiry is not YYMMDD")
    if sex not in "MFX<":
        raise MalformedCardData("MRZ: invalid sex field")
    return dob, sex.replace("<", "X"), exp


def _parse_td1(m: str) -> MrzData:
    l1, l2, l3 = m[:30], m[30:60], m[60:90]
    number, optional1 = _doc_number(l1[5:14], l1[14], l1[15:30])
    dob, sex, exp = _dates_sex(l2, 0)
    _checked(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29], l2[29], "composite")
    surname, given = _names(l3)
    return MrzData("TD1", l1[0:2].rstrip("<"), l1[2:5].rstrip("<"), number, dob, sex, exp,
                   l2[15:18].rstrip("<"), surname, given, (optional1 + l2[18:29]).strip("<"))


def _parse_td2(m: str) -> MrzData:
    l1, l2 = m[:36], m[36:72]
    number, optional = _doc_number(l2[0:9], l2[9], l2[28:35])
    dob, sex, exp = _dates_sex(l2, 13)
    _checked(l2[0:10] + l2[13:20] + l2[21:35], l2[35], "composite")
    surname, given = _names(l1[5:36])
    return MrzData("TD2", l1[0:2].rstrip("<"), l1[2:5].rstrip("<"), number, dob, sex, exp,
                   l2[10:13].rstrip("<"), surname, given, optional.strip("<"))


def _parse_td3(m: str) -> MrzData:
    l1, l2 = m[:44], m[44:88]
    _checked(l2[0:9], l2[9], "document number")
    dob, sex, exp = _dates_sex(l2, 13)
    _checked(l2[28:42], l2[42], "personal number")
    _checked(l2[0:10] + l2[13:20] + l2[21:43], l2[43], "composite")
    surname, given = _names(l1[5:44])
    return MrzData("TD3", l1[0:2].rstrip("<"), l1[2:5].rstrip("<"), l2[0:9].rstrip("<"), dob, sex, exp,
                   l2[10:13].rstrip("<"), surname, given, l2[28:42].strip("<"))


def access_key_from_mrz(text: str) -> AccessKey:
    """The BAC access key from a printed MRZ (2 or 3 lines, concatenated or newline-separated).

    Raises MalformedCardData naming the first field whose check digit fails.
    """
    return parse_mrz(text).access_key()


def access_key_from_fields(document_number: str, date_of_birth: str, date_of_expiry: str) -> AccessKey:
    """The BAC access key from typed-in fields; dates are YYMMDD."""
    number = document_number.strip().upper().replace(" ", "")
    if not number or not _VALID.match(number) or len(number) > 22:
        raise MalformedCardData("document number must be 1-22 characters 0-9, A-Z")
    for what, value in (("date of birth", date_of_birth), ("date of expiry", date_of_expiry)):
        if not _DATE.match(value.strip()):
            raise MalformedCardData(f"{what} must be YYMMDD")
    return AccessKey(number, date_of_birth.strip(), date_of_expiry.strip())


def bac_key_seed_input(key: AccessKey) -> bytes:
    """MRZ_information of 9303-11 §9.7.1: number (filled to 9) + check digit, birth date + cd, expiry + cd."""
    number = key.document_number.upper().ljust(9, "<")
    return (number + check_digit(number) + key.date_of_birth + check_digit(key.date_of_birth)
            + key.date_of_expiry + check_digit(key.date_of_expiry)).encode("ascii")
