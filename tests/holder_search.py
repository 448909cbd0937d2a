"""An attacker's search for an ID number behind a digest, over the digits a certificate leaves unprinted.

A resident ID number (GB 11643-1999) is 6 address digits, 8 birth-date digits, 3 sequence digits and an
ISO 7064 MOD 11-2 check character. A certificate prints the first 3 and the last 4: the hidden 11 are 3 address
digits and a birth date, about 1000 × 36 500 = 3.7e7 candidates, which the known check character cuts by 11.
Tests search a small slice of that space (a few address codes, a few birth years) that contains the number.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Iterator

from contract.document_signing import b64u

WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]
CHECK = "10X98765432"


def check_character(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of an 18-character resident ID number."""
    return CHECK[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def candidates(masked: str, address_digits: Iterable[int], birth_years: Iterable[int],
               use_check: bool = True) -> Iterator[str]:
    """Every number matching `masked` ('330***********1234') with the hidden address digits and birth years given."""
    head, tail = masked[:3], masked[-4:]
    for address in address_digits:
        for year in birth_years:
            day = dt.date(year, 1, 1)
            while day.year == year:
                first17 = f"{head}{address:03d}{day:%Y%m%d}{tail[:3]}"
                if not use_check or check_character(first17) == tail[-1]:
                    yield first17 + tail[-1]
                day += dt.timedelta(days=1)


def recover(target: str, digest: Callable[[str], str], numbers: Iterable[str]) -> list[str]:
    """The numbers whose digest is `target`."""
    return [n for n in numbers if digest(n) == target]


def old_qr_holder_hash(serial: str, number: str) -> str:
    """main's QR holder hash before the register: SHA-256 salted with the public serial."""
    return b64u(hashlib.sha256(f"kiosk-doc-holder-v1:{serial}:{number.strip().upper()}".encode()).digest())


def old_transaction_holder(number: str) -> str:
    """main's transaction `holder` before the register: SHA-256 with one constant salt."""
    return hashlib.sha256(f"kiosk-holder-v1:{number.strip().upper()}".encode()).hexdigest()
