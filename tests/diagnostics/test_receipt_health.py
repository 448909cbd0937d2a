"""The receipt printer's health from ESC/POS real-time status, against a TCP 'printer' answering DLE EOT.

The status bytes below are written from Epson's ESC/POS reference for DLE EOT n (fixed bits: bit 1 and bit 4
set, bits 0 and 7 clear), not from the kiosk's decoder:
- n=1 printer status, bit 3 = offline;  n=2 offline cause, bit 2 = cover open, bit 5 = stopped by paper end;
- n=4 roll paper sensor, bits 2-3 = near end, bits 5-6 = paper end.
"""

from __future__ import annotations

import re
import socket
import threading
from pathlib import Path

import pytest

from tests.diagnostics.cli import diagnostics, write_config
from tests.printing.cupsd import free_port

FIXED = 0b0001_0010
ONLINE_PAPER_OK = {1: FIXED, 2: FIXED, 4: FIXED}
PAPER_END = {1: FIXED | 1 << 3, 2: FIXED | 1 << 5, 4: FIXED | 0b11 << 2 | 0b11 << 5}
COVER_OPEN = {1: FIXED | 1 << 3, 2: FIXED | 1 << 2, 4: FIXED}
NEAR_END = {1: FIXED, 2: FIXED, 4: FIXED | 0b11 << 2}
QR_PRINT = bytes.fromhex("1D286B0300315130")  # GS ( k, cn 49 (QR), fn 81: print the stored symbol


class EscPosPrinter:
    """A network receipt printer on 127.0.0.1 answering DLE EOT n with `status[n]` (None: never answers)."""

    def __init__(self, status: dict[int, int] | None) -> None:
        self.status = status
        self.received = bytearray()
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._connection, args=(conn,), daemon=True).start()

    def _connection(self, conn: socket.socket) -> None:
        pending = b""
        with conn:
            while True:
                try:
                    data = conn.recv(65536)
                except OSError:
                    return
                if not data:
                    return
                pending += data
                while b"\x10\x04" in pending and len(pending) >= pending.index(b"\x10\x04") + 3:
                    at = pending.index(b"\x10\x04")
                    n = pending[at + 2]
                    self.received += pending[:at]
                    pending = pending[at + 3:]
                    if self.status is not None and n in self.status:
                        conn.sendall(bytes([self.status[n]]))
                self.received += pending
                pending = b""

    def close(self) -> None:
        self.sock.close()


@pytest.fixture()
def make_printer():
    printers: list[EscPosPrinter] = []

    def make(status):
        printers.append(EscPosPrinter(status))
        return printers[-1]

    yield make
    for p in printers:
        p.close()


def receipt(tmp_path: Path, port: int, level: str = "internal"):
    config = write_config(tmp_path / "kiosk.toml", tmp_path / "data", devices={"receipt_printer": "escpos"},
                          printer={"escpos_host": "127.0.0.1", "escpos_port": port})
    result = diagnostics("run", "--device", "receipt", "--level", level, "--config", str(config), "--json")
    return result.code, result.device("receipt")


def test_paper_end(tmp_path: Path, make_printer):
    code, line = receipt(tmp_path, make_printer(PAPER_END).port)
    assert code == 2
    assert (line["status_id"], line["media"], line["state"]) == ("PRN-RCP-PAPER-END", {"paper": "out"}, "ERROR")
    assert line["facts"]["dle_eot"] == {"1": "1A", "2": "32", "4": "7E"}
    assert "80 mm" in line["fix_en"] and "纸卷" in line["fix_zh"]


def test_cover_open(tmp_path: Path, make_printer):
    code, line = receipt(tmp_path, make_printer(COVER_OPEN).port)
    assert code == 2
    assert line["status_id"] == "PRN-RCP-COVER-OPEN" and "cover" in line["fix_en"]


def test_paper_near_end_warns(tmp_path: Path, make_printer):
    code, line = receipt(tmp_path, make_printer(NEAR_END).port)
    assert code == 1 and line["status_id"] == "PRN-RCP-PAPER-NEAR-END" and line["media"] == {"paper": "low"}


def test_printer_without_real_time_status_is_not_a_fault(tmp_path: Path, make_printer):
    code, line = receipt(tmp_path, make_printer(None).port)
    assert code == 0 and line["status_id"] == "PRN-RCP-NO-STATUS" and line["power"] == "UNKNOWN"
    assert line["media"] == {"paper": "unknown"}


def test_nothing_listening_is_offline(tmp_path: Path):
    code, line = receipt(tmp_path, free_port())
    assert code == 2 and line["status_id"] == "PRN-RCP-OFFLINE" and line["power"] == "OFF_OFFLINE"


def test_external_check_prints_a_receipt_with_a_qr_code(tmp_path: Path, make_printer):
    printer = make_printer(ONLINE_PAPER_OK)
    code, line = receipt(tmp_path, printer.port, "external")
    assert code == 0 and line["status_id"] == "PRN-RCP-TEST-PRINTED"
    data = bytes(printer.received)
    assert QR_PRINT in data
    # GS ( k pL pH 31 50 30 d1...dk: store k = pL + 256 pH - 3 bytes of QR data (function 180)
    stored = re.search(rb"\x1d\(k(..)\x31\x50\x30", data, re.S)
    assert stored is not None
    size = int.from_bytes(stored.group(1), "little") - 3
    payload = data[stored.end(): stored.end() + size]
    assert payload.startswith(b"kiosk-test-receipt|sc-test-07|")
    assert data.index(QR_PRINT) > stored.start()
    assert b"\x1dV" in data  # GS V: the paper is cut
