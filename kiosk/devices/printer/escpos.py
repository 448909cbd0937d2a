"""Receipts on a network thermal printer (80 mm, ESC/POS over TCP, usually port 9100), via python-escpos.

Chinese text goes out as GB18030 between explicit `FS &` (enter Chinese character mode) and `FS .` (leave it):
python-escpos' text() only switches encodings when it sees a CJK character and guesses otherwise, so the bytes
are built here. The tracking number is printed large and as a native QR code (GS ( k, alignment set first:
python-escpos' `center=True` raises for native codes); the paper is cut at the end (GS V).

Status: `DLE EOT 4` (paper roll sensor) on a short connection; no answer within the timeout counts as ready,
since many network printers do not answer real-time status over TCP.
"""

from __future__ import annotations

import socket
import unicodedata
from typing import Any

from kiosk.devices.printer import PrinterState, PrinterStatus, PrintOutcome
from kiosk.documents.printable import Receipt
from kiosk.errors import PrinterOffline, PrinterOutOfPaper

FS_CHINESE_ON = b"\x1c\x26"
FS_CHINESE_OFF = b"\x1c\x2e"
ESC_INIT = b"\x1b\x40"
DLE_EOT_PAPER = b"\x10\x04\x04"
COLUMNS = 48  # font A on 80 mm paper (576 dots / 12)


def display_width(text: str) -> int:
    """Columns `text` takes on the printer: CJK and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def wrap_columns(text: str, width: int) -> list[str]:
    """Break `text` into lines of at most `width` printer columns."""
    lines, current, used = [], "", 0
    for ch in text:
        w = display_width(ch)
        if used + w > width:
            lines.append(current.rstrip())
            current, used = ch.lstrip(), display_width(ch.lstrip())
        else:
            current += ch
            used += w
    if current.strip():
        lines.append(current.rstrip())
    return lines


def printable_text(text: str) -> str:
    """`text` without control characters (Unicode category Cc: C0, DEL, C1); line breaks and tabs become spaces.

    Receipt lines carry district answers and citizens' input: an ESC, GS or DLE in them would reach the printer
    as a command (cut the paper, open the drawer, switch code pages), since ESC/POS has no quoting.
    """
    return "".join(" " if ch in "\t\n\r\v\f" else ch for ch in text
                   if ch in "\t\n\r\v\f" or unicodedata.category(ch) != "Cc")


def chinese_line(text: str) -> bytes:
    """One line of text as GB18030 between FS & and FS ., ended by LF (control characters removed)."""
    return FS_CHINESE_ON + printable_text(text).encode("gb18030", errors="replace") + FS_CHINESE_OFF + b"\n"


def receipt_bytes(receipt: Receipt, header: str = "", columns: int = COLUMNS) -> bytes:
    """The complete ESC/POS byte stream of `receipt` (lines already masked)."""
    from escpos.printer import Dummy

    p = Dummy()
    p._raw(ESC_INIT)
    header = printable_text(header)
    if header:
        p.set(align="center", normal_textsize=True)
        for line in wrap_columns(header, columns):
            p._raw(chinese_line(line))
    p.set(align="center", bold=True, double_height=True, double_width=True)
    for line in wrap_columns(printable_text(receipt.title), columns // 2):
        p._raw(chinese_line(line))
    p.set(align="left", bold=False, normal_textsize=True)
    p._raw(chinese_line("-" * columns))
    for label, value in receipt.lines:
        p._raw(chinese_line(label))
        for line in wrap_columns(printable_text(value), columns - 2):
            p._raw(chinese_line("  " + line))
    p._raw(chinese_line("-" * columns))
    if receipt.tracking_number:
        p.set(align="center", normal_textsize=True)
        p._raw(chinese_line("受理编号 Tracking number"))
        p.set(align="center", bold=True, double_height=True, double_width=True)
        p._raw(chinese_line(receipt.tracking_number))
        p.set(align="center", bold=False, normal_textsize=True)
    qr = printable_text(receipt.qr_text or receipt.tracking_number)
    if qr:
        p.set(align="center")
        p.qr(qr, native=True, size=6 if len(qr) < 60 else 4)
    if receipt.footer:
        p.set(align="left", normal_textsize=True)
        for line in wrap_columns(printable_text(receipt.footer), columns):
            p._raw(chinese_line(line))
    p.cut()
    return p.output


class EscPosReceiptPrinter:
    """ReceiptPrinter for a network ESC/POS printer."""

    def __init__(self, host: str, port: int = 9100, timeout_s: float = 5.0, header: str = "") -> None:
        self._host = host
        self._port = port
        self._timeout = timeout_s
        self._header = header

    @classmethod
    def from_config(cls, config: Any) -> EscPosReceiptPrinter:
        """From kiosk.config.PrinterConfig (escpos_host, escpos_port)."""
        return cls(config.escpos_host, config.escpos_port)

    def _connect(self) -> socket.socket:
        try:
            return socket.create_connection((self._host, self._port), timeout=self._timeout)
        except OSError as exc:
            raise PrinterOffline(f"receipt printer {self._host}:{self._port}: {exc}") from exc

    def status(self) -> PrinterStatus:
        """READY, PAPER_OUT (paper roll sensor says so) or OFFLINE (no connection)."""
        try:
            conn = self._connect()
        except PrinterOffline as exc:
            return PrinterStatus(PrinterState.OFFLINE, exc.detail)
        with conn:
            try:
                conn.sendall(DLE_EOT_PAPER)
                conn.settimeout(0.5)
                answer = conn.recv(1)
            except OSError:
                answer = b""
        if answer and answer[0] & 0x60 == 0x60:
            return PrinterStatus(PrinterState.PAPER_OUT, "paper roll end")
        if answer and answer[0] & 0x0C == 0x0C:
            return PrinterStatus(PrinterState.READY, "paper roll near end")
        return PrinterStatus(PrinterState.READY, "" if answer else "no real-time status")

    def print_receipt(self, receipt: Receipt) -> PrintOutcome:
        """Send the receipt; PrinterOffline / PrinterOutOfPaper when it cannot print."""
        state = self.status()
        if state.state is PrinterState.OFFLINE:
            raise PrinterOffline(state.detail)
        if state.state is PrinterState.PAPER_OUT:
            raise PrinterOutOfPaper(state.detail)
        data = receipt_bytes(receipt, self._header)
        with self._connect() as conn:
            try:
                conn.sendall(data)
                conn.shutdown(socket.SHUT_WR)
            except OSError as exc:
                raise PrinterOffline(f"receipt printer {self._host}:{self._port}: {exc}") from exc
        return PrintOutcome(job_id=receipt.tracking_number or "receipt", pages=1,
                            location=f"{self._host}:{self._port}")
