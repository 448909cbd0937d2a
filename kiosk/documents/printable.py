"""What services hand to the printers: rendered documents and structured receipts.

Plain values, so that service modules and document renderers never import a device; the printers
(kiosk.devices.printer) take them as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class PrintableDocument:
    """A rendered document: PDF bytes plus what the kiosk needs to track and reprint it."""

    kind: str  # certificate | form | receipt | claim
    title: str
    pdf: bytes
    serial: str = ""


@dataclass(frozen=True)
class Receipt:
    """A receipt as lines, because a thermal printer lays it out natively (ESC/POS) while the A4 fallback renders
    a small PDF."""

    title: str
    lines: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # (label, value), already masked
    tracking_number: str = ""
    qr_text: str = ""
    footer: str = ""
