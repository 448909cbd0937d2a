"""The status model's tables and decoders, checked against the standards' own words.

- Every status id a check can report is declared once, with a health and both fixes (a technician quotes it).
- IPP printer-state-reasons: RFC 8011 5.4.12 keywords and suffixes ("-report", "-warning", "-error"; no suffix
  means error); printer-state 3 idle, 4 processing, 5 stopped (RFC 8011 5.4.11).
- ESC/POS DLE EOT: every answer has bits 1 and 4 set and bits 0 and 7 clear (Epson ESC/POS reference).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kiosk.devices.health import DeviceState, Health, MediaState, PowerState
from kiosk.devices.printer.cups_health import split_reason, status_from_ipp
from kiosk.devices.printer.escpos_health import RealTimeStatus, status_from_bytes, valid_status_byte
from kiosk.devices.status_ids import STATUS_IDS

KIOSK = Path(__file__).resolve().parents[2] / "kiosk"


def test_every_status_id_is_declared_with_both_fixes():
    for status_id, entry in STATUS_IDS.items():
        assert re.fullmatch(r"[A-Z0-9]+(-[A-Z0-9]+)+", status_id), status_id
        assert entry.fix_en.strip() and entry.fix_zh.strip(), status_id
        assert re.search(r"[\u4e00-\u9fff]", entry.fix_zh), status_id
        if entry.health is Health.FAIL:
            assert entry.fix_en != "Nothing to do.", status_id


def test_every_status_id_used_in_the_source_is_declared():
    used: set[str] = set()
    for path in [*KIOSK.glob("devices/**/*health*.py"), *KIOSK.glob("diagnostics/*.py")]:
        used |= set(re.findall(r'"((?:RDR|CAM|FACE|PRN|VOICE|NET|DISK|CLK|TECH|DIAG)-[A-Z0-9-]+)"',
                               path.read_text(encoding="utf-8")))
    assert len(used) > 40
    assert used - set(STATUS_IDS) == set()


@pytest.mark.parametrize(("reason", "expected"), [
    ("media-empty-error", ("media-empty", "error")), ("toner-low-report", ("toner-low", "report")),
    ("media-low-warning", ("media-low", "warning")), ("door-open", ("door-open", "error")),
    ("cups-waiting-for-job-completed", ("cups-waiting-for-job-completed", "report"))])
def test_reason_suffixes(reason: str, expected: tuple[str, str]):
    assert split_reason(reason) == expected


@pytest.mark.parametrize(("state", "reasons", "accepting", "status_id", "paper"), [
    (3, ["none"], True, "PRN-A4-OK", MediaState.UNKNOWN),
    (4, ["none"], True, "PRN-A4-PRINTING", MediaState.UNKNOWN),
    (3, ["media-low-warning"], True, "PRN-A4-MEDIA-LOW", MediaState.LOW),
    (5, ["media-empty-error"], True, "PRN-A4-MEDIA-EMPTY", MediaState.OUT),
    (5, ["media-needed"], True, "PRN-A4-MEDIA-EMPTY", MediaState.OUT),
    (5, ["media-jam-error", "media-empty-error"], True, "PRN-A4-MEDIA-JAM", MediaState.JAMMED),
    (5, ["door-open-error"], True, "PRN-A4-DOOR-OPEN", MediaState.UNKNOWN),
    (3, ["toner-low-report"], True, "PRN-A4-TONER-LOW", MediaState.UNKNOWN),
    (5, ["toner-empty-error"], True, "PRN-A4-TONER-EMPTY", MediaState.UNKNOWN),
    (5, ["paused"], True, "PRN-A4-PAUSED", MediaState.UNKNOWN),
    (3, ["none"], False, "PRN-A4-REJECTING", MediaState.UNKNOWN),
    (4, ["offline-report"], True, "PRN-A4-OFFLINE", MediaState.UNKNOWN),
    (5, ["other-error"], True, "PRN-A4-ERROR", MediaState.UNKNOWN),
    (4, ["cups-waiting-for-job-completed"], True, "PRN-A4-PRINTING", MediaState.UNKNOWN),
])
def test_ipp_attributes_to_status(state, reasons, accepting, status_id, paper):
    status = status_from_ipp("kiosk-a4", {"printer-state": state, "printer-state-reasons": reasons,
                                          "printer-is-accepting-jobs": accepting})
    assert (status.status_id, status.media["paper"]) == (status_id, paper)
    assert "kiosk-a4" in status.text


def test_toner_low_with_paper_out_reports_the_paper_first():
    status = status_from_ipp("q", {"printer-state": 5, "printer-state-reasons": ["toner-low-warning",
                                                                                   "media-empty-error"]})
    assert status.status_id == "PRN-A4-MEDIA-EMPTY" and status.media["toner"] is MediaState.LOW


def test_dle_eot_fixed_bits():
    assert valid_status_byte(0x12) and valid_status_byte(0x7E)
    assert not valid_status_byte(0x00) and not valid_status_byte(0xFF) and not valid_status_byte(0x13)


def test_dle_eot_garbage_is_reported_as_no_status_not_as_paper():
    status = status_from_bytes(RealTimeStatus(0xFF, 0xFF, None, 0xFF), "10.0.0.9:9100")
    assert status.status_id == "PRN-RCP-NO-STATUS" and "FF" in status.text
    assert status.media["paper"] is MediaState.UNKNOWN


def test_autocutter_error_is_named():
    # n=1 offline (bit 3); n=2 error occurred (bit 6); n=3 autocutter error (bit 3); n=4 paper present.
    status = status_from_bytes(RealTimeStatus(0x1A, 0x52, 0x1A, 0x12), "p:9100")
    assert status.status_id == "PRN-RCP-ERROR" and "autocutter error" in status.text
    assert (status.state, status.power) == (DeviceState.ERROR, PowerState.ONLINE)


def test_the_documentation_lists_every_status_id():
    doc = (KIOSK.parent / "docs" / "diagnostics.md").read_text(encoding="utf-8")
    assert [sid for sid in STATUS_IDS if f"`{sid}`" not in doc] == []
