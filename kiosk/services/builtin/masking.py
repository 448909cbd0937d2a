"""Masking of the form values printed on copies and receipts (a printout may be left at the kiosk)."""

from __future__ import annotations

from contract.privacy import mask_document_number


def mask_phone(phone: str) -> str:
    """'13800001234' -> '138****1234'; other lengths keep only the last 4 digits."""
    p = phone.strip()
    if len(p) == 11:
        return p[:3] + "****" + p[-4:]
    return "*" * max(len(p) - 4, 0) + p[-4:]


def mask_number(value: str) -> str:
    """Bank account and ID numbers: first 3 and last 4 characters (contract.privacy.mask_document_number)."""
    return mask_document_number(value)
