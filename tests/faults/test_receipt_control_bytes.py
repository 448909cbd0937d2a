"""District answers and citizens' input reach the ESC/POS printer as text, never as printer commands."""

from __future__ import annotations

from kiosk.devices.printer.escpos import receipt_bytes
from kiosk.documents.printable import Receipt

GS_CUT = b"\x1dV"  # GS V: cut the paper (Epson ESC/POS command reference)
ESC_INIT = b"\x1b@"  # ESC @: initialise the printer
DRAWER_KICK = b"\x1bp\x00\x19"  # ESC p m t1: pulse the cash-drawer pin
BUZZER = b"\x1bB"  # ESC B n t: sound the buzzer


def _hostile_receipt() -> Receipt:
    # What a compromised or buggy district could answer: a cut, a re-initialise and a drawer kick inside text.
    return Receipt(title="受理回执\x1b@",
                   lines=(("申请号 Reference", "SQ2026\x1dV\x00" + "123"), ("状态 Status", "已受理\x1bp\x00\x19 ok"),
                          ("备注 Note", "line one\nline two\x7f\x9b")),
                   tracking_number="SC01-000042\x10\x04\x04", footer="请保留本回执\x1bB\x05\x02")


def test_control_bytes_in_receipt_text_never_reach_the_printer() -> None:
    data = receipt_bytes(_hostile_receipt())
    # The receipt's own framing: one initialise at the start, one cut at the end, nothing in between.
    assert data.count(ESC_INIT) == 1 and data.startswith(ESC_INIT)
    assert data.count(GS_CUT) == 1 and data.rindex(GS_CUT) > len(data) - 8
    assert DRAWER_KICK not in data
    assert b"\x10\x04\x04" not in data  # DLE EOT: a real-time status request
    assert BUZZER not in data


def test_the_text_itself_is_kept_without_its_control_characters() -> None:
    # Written out by hand: the same receipt as a citizen should see it, controls removed, line breaks as spaces.
    clean = Receipt(title="受理回执@",
                    lines=(("申请号 Reference", "SQ2026V123"), ("状态 Status", "已受理p ok"),
                           ("备注 Note", "line one line two")),
                    tracking_number="SC01-000042", footer="请保留本回执B")
    assert receipt_bytes(_hostile_receipt()) == receipt_bytes(clean)
