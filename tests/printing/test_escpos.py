"""ESC/POS receipts to a TCP 'thermal printer' on 127.0.0.1: GB18030 text, native QR, cut, paper status."""

from __future__ import annotations

import re
import socket
import threading

import pytest

from kiosk.devices.printer import PrinterState
from kiosk.devices.printer.escpos import EscPosReceiptPrinter, display_width, wrap_columns
from kiosk.documents.printable import Receipt
from kiosk.errors import PrinterOffline, PrinterOutOfPaper
from tests.printing.cupsd import free_port

RECEIPT = Receipt(title="受理回执 · 社会保险参保缴费证明",
                  lines=(("证件号 ID", "330***********1234"), ("状态 Status", "已受理，待提交区中心")),
                  tracking_number="SC01-000042", footer="请保留本回执。Keep this receipt.")


class ThermalPrinter:
    """Answers DLE EOT 4 with `paper_status` and records everything else it receives."""

    def __init__(self, paper_status: int = 0x12) -> None:
        self.paper_status = paper_status
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        self.data: list[bytes] = []
        self.done = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                chunks = []
                while True:
                    data = conn.recv(65536)
                    if not data:
                        break
                    if data == b"\x10\x04\x04":
                        conn.sendall(bytes([self.paper_status]))
                        continue
                    chunks.append(data)
                if chunks:
                    self.data.append(b"".join(chunks))
                    self.done.set()

    def close(self) -> None:
        self.sock.close()


@pytest.fixture()
def thermal():
    printer = ThermalPrinter()
    yield printer
    printer.close()


def test_receipt_bytes_over_tcp(thermal):
    printer = EscPosReceiptPrinter("127.0.0.1", thermal.port, header="上城区政务服务中心")
    assert printer.status().state is PrinterState.READY
    printer.print_receipt(RECEIPT)
    assert thermal.done.wait(5)
    (data,) = thermal.data
    assert data.startswith(b"\x1b\x40")  # ESC @
    segments = re.findall(rb"\x1c\x26(.*?)\x1c\x2e", data, re.S)  # FS & ... FS .: the Chinese-mode text
    text = "".join(s.decode("gb18030") for s in segments)
    assert "受理回执 · 社会保险参保缴费证明".replace(" ", "") in text.replace(" ", "")
    assert "受理回执".encode("gb18030") in segments[1]  # title right after the header line
    assert b"330***********1234" in data and "已受理，待提交区中心".encode("gb18030") in data
    assert "请保留本回执。Keep this receipt.".encode("gb18030") in data
    assert "社保".encode() not in data  # no UTF-8 leaked
    qr_store = b"\x1d(k" + (len(b"SC01-000042") + 3).to_bytes(2, "little") + b"1P0SC01-000042"
    assert qr_store in data and b"\x1d(k\x03\x001Q0" in data  # store and print the native QR
    assert data.index(b"\x1ba\x01") < data.index(qr_store)  # centred before the QR
    assert data.rstrip(b"\x00").endswith(b"\x1dV\x00") or b"\x1dV" in data[-8:]  # paper cut at the end


def test_paper_out_is_reported(thermal):
    thermal.paper_status = 0x72
    printer = EscPosReceiptPrinter("127.0.0.1", thermal.port)
    assert printer.status().state is PrinterState.PAPER_OUT
    with pytest.raises(PrinterOutOfPaper):
        printer.print_receipt(RECEIPT)
    assert thermal.data == []


def test_switched_off_printer_is_offline():
    printer = EscPosReceiptPrinter("127.0.0.1", free_port(), timeout_s=1)
    assert printer.status().state is PrinterState.OFFLINE
    with pytest.raises(PrinterOffline):
        printer.print_receipt(RECEIPT)


def test_wrapping_counts_double_width():
    assert display_width("社保ab") == 6
    lines = wrap_columns("社会保险参保缴费证明" * 3, 20)
    assert all(display_width(line) <= 20 for line in lines) and "".join(lines) == "社会保险参保缴费证明" * 3
