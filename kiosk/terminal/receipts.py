"""The receipt printed for services whose module returns none of its own.

Bilingual on purpose: the citizen reads it in their language and the counter staff, who may be asked about it
later, read it in theirs. Only the masked document number is printed.
"""

from __future__ import annotations

import datetime as dt

from kiosk.documents.printable import Receipt


def default_receipt(title: str, masked_document: str, copies: int, tracking_number: str, issued: dt.datetime,
                    office_name: str) -> Receipt:
    return Receipt(title=f"{title} · 办理回执",
                   lines=(("事项 Service", title), ("证件 Document", masked_document),
                          ("份数 Copies", str(copies)), ("时间 Time", issued.strftime("%Y-%m-%d %H:%M"))),
                   tracking_number=tracking_number, qr_text=tracking_number, footer=office_name)
