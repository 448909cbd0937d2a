"""Masking of personal data for logs, screens and printed receipts."""

from __future__ import annotations

import hashlib


def mask_document_number(number: str) -> str:
    """Keep the first 3 and last 4 characters of a document number (fewer for short ones), star the rest.

    Chinese resident ID numbers (18 chars) become '330***********1234', passport numbers 'E12**5678'.
    """
    n = number.strip()
    if len(n) <= 4:
        return "*" * len(n)
    head = 3 if len(n) >= 12 else 1
    tail = 4 if len(n) >= 8 else 2
    return n[:head] + "*" * (len(n) - head - tail) + n[-tail:]


def mask_name(name: str) -> str:
    """Keep the first character of a name: '张三丰' -> '张**', 'ERIKSSON ANNA' -> 'E************'."""
    if not name:
        return ""
    return name[0] + "*" * (len(name) - 1)


def holder_digest(document_number: str, salt: str = "kiosk-holder-v1") -> str:
    """A stable, non-reversible reference to a holder (hex SHA-256), for linking records without the number."""
    return hashlib.sha256(f"{salt}:{document_number.strip().upper()}".encode()).hexdigest()
