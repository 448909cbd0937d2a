"""The receipt printer's health from ESC/POS real-time status (DLE EOT n), and a test receipt with a QR code.

Epson's ESC/POS reference, DLE EOT: every status byte has bit 0 = 0, bit 1 = 1, bit 4 = 1, bit 7 = 0; the rest:
- n = 1, printer status: bit 3 offline.
- n = 2, offline cause: bit 2 cover open, bit 3 paper fed by the feed button, bit 5 printing stopped by paper
  end, bit 6 an error occurred.
- n = 3, error cause: bit 3 autocutter error, bit 5 unrecoverable error, bit 6 automatically recoverable error.
- n = 4, roll paper sensor: bits 2-3 both set = paper near end; bits 5-6 both set = paper end (no paper).
Network printers often do not answer real-time status over TCP: no answer is reported as such (the kiosk cannot
see the paper), not as a fault.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass

from kiosk.devices.health import DeviceStatus, Level, MediaState
from kiosk.devices.status_ids import device_status

DEVICE = "receipt"
DLE_EOT = b"\x10\x04"


def valid_status_byte(value: int) -> bool:
    """Whether `value` has DLE EOT's fixed bits (0 and 7 clear, 1 and 4 set)."""
    return value & 0x93 == 0x12


@dataclass(frozen=True)
class RealTimeStatus:
    """The answers to DLE EOT 1, 2, 3 (only asked after an error) and 4; None = not answered."""

    printer: int | None
    offline_cause: int | None
    error_cause: int | None
    paper: int | None


def status_from_bytes(rt: RealTimeStatus, where: str) -> DeviceStatus:
    """The receipt printer's DeviceStatus from its real-time status bytes (pure)."""
    answered = {n: b for n, b in (("1", rt.printer), ("2", rt.offline_cause), ("3", rt.error_cause),
                                  ("4", rt.paper)) if b is not None}
    facts = {"address": where, "dle_eot": {n: f"{b:02X}" for n, b in answered.items()}}
    bad = {n: b for n, b in answered.items() if not valid_status_byte(b)}
    if rt.printer is None or bad:
        why = "no answer to DLE EOT 1" if rt.printer is None else \
            "answers that are not DLE EOT status bytes: " + ", ".join(f"n={n}: {b:02X}" for n, b in bad.items())
        return device_status(DEVICE, "PRN-RCP-NO-STATUS", f"receipt printer {where} connected; {why}",
                             media={"paper": MediaState.UNKNOWN}, facts=facts)
    paper = MediaState.UNKNOWN
    if rt.paper is not None:
        paper = MediaState.OUT if rt.paper & 0x60 == 0x60 else (
            MediaState.LOW if rt.paper & 0x0C == 0x0C else MediaState.FULL)
    cause = rt.offline_cause or 0
    if cause & 0x20:
        paper = MediaState.OUT
    media = {"paper": paper}
    offline = bool(rt.printer & 0x08)
    said = f"receipt printer {where}: {'offline' if offline else 'online'}"
    if cause & 0x04:
        return device_status(DEVICE, "PRN-RCP-COVER-OPEN", f"{said}, cover open", media=media, facts=facts)
    if paper is MediaState.OUT:
        return device_status(DEVICE, "PRN-RCP-PAPER-END", f"{said}, paper end", media=media, facts=facts)
    if cause & 0x40 or offline:
        error = rt.error_cause or 0
        kinds = [k for bit, k in ((0x08, "autocutter error"), (0x20, "unrecoverable error"),
                                  (0x40, "auto-recoverable error")) if error & bit]
        return device_status(DEVICE, "PRN-RCP-ERROR", f"{said}, {', '.join(kinds) or 'error'}", media=media,
                             facts=facts)
    if paper is MediaState.LOW:
        return device_status(DEVICE, "PRN-RCP-PAPER-NEAR-END", f"{said}, paper near end", media=media, facts=facts)
    return device_status(DEVICE, "PRN-RCP-OK", f"{said}, paper present", media=media, facts=facts)


class EscPosReceiptHealth:
    """HealthCheck of a network ESC/POS printer."""

    device = DEVICE

    def __init__(self, host: str, port: int = 9100, timeout_s: float = 1.0, kiosk_id: str = "") -> None:
        self._host = host
        self._port = port
        self._timeout = timeout_s
        self._kiosk_id = kiosk_id

    @property
    def _where(self) -> str:
        return f"{self._host}:{self._port}"

    def query(self) -> RealTimeStatus | str:
        """The real-time status bytes, or the connection error as text."""
        try:
            conn = socket.create_connection((self._host, self._port), timeout=self._timeout)
        except OSError as exc:
            return f"receipt printer {self._where} cannot be reached: {exc}"
        with conn:
            conn.settimeout(self._timeout)

            def ask(n: int) -> int | None:
                try:
                    conn.sendall(DLE_EOT + bytes([n]))
                    answer = conn.recv(1)
                except OSError:
                    return None
                return answer[0] if answer else None

            printer = ask(1)
            if printer is None:
                return RealTimeStatus(None, None, None, None)
            offline_cause = ask(2)
            error_cause = ask(3) if offline_cause is not None and offline_cause & 0x40 else None
            return RealTimeStatus(printer, offline_cause, error_cause, ask(4))

    def check(self, level: Level) -> DeviceStatus:
        answer = self.query()
        if isinstance(answer, str):
            return device_status(DEVICE, "PRN-RCP-OFFLINE", answer, media={"paper": MediaState.UNKNOWN},
                                 facts={"address": self._where})
        internal = status_from_bytes(answer, self._where)
        if level is not Level.EXTERNAL or internal.health.value == "fail":
            return internal
        return self._test_receipt(internal)

    def _test_receipt(self, internal: DeviceStatus) -> DeviceStatus:
        import datetime as dt

        from kiosk.devices.printer.escpos import EscPosReceiptPrinter
        from kiosk.documents.printable import Receipt
        from kiosk.errors import PrinterError

        stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        receipt = Receipt(title="测试小票 Test receipt",
                          lines=(("终端 Kiosk", self._kiosk_id or "-"), ("时间 Time", stamp)),
                          qr_text=f"kiosk-test-receipt|{self._kiosk_id}|{stamp}",
                          footer="二维码和文字清晰即正常。Sharp text and QR code: the printer works.")
        try:
            EscPosReceiptPrinter(self._host, self._port, timeout_s=max(self._timeout, 3.0)).print_receipt(receipt)
        except PrinterError as exc:
            return device_status(DEVICE, "PRN-RCP-OFFLINE", f"test receipt on {self._where}: {exc.detail}",
                                 facts=internal.facts)
        if internal.health.value != "pass":
            return internal
        return device_status(DEVICE, "PRN-RCP-TEST-PRINTED", f"test receipt with QR code sent to {self._where}",
                             media=internal.media, facts=internal.facts)


class ReceiptNotFittedHealth:
    """No thermal printer: receipts go to the A4 printer, whose own check covers them."""

    device = DEVICE

    def check(self, level: Level) -> DeviceStatus:
        return device_status(DEVICE, "PRN-RCP-NOT-FITTED", "no receipt printer configured; receipts print on A4")
