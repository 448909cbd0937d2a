"""The demo's A4 'printer' (a folder of PDFs): healthy when the folder is writable; its test page is a file."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from kiosk.devices.health import DeviceStatus, Level, MediaState
from kiosk.devices.status_ids import device_status

DEVICE = "printer"


class PdfFolderHealth:
    device = DEVICE

    def __init__(self, folder: Path, kiosk_id: str = "") -> None:
        self._folder = Path(folder)
        self._kiosk_id = kiosk_id

    def check(self, level: Level) -> DeviceStatus:
        existing = self._folder
        while not existing.exists() and existing != existing.parent:  # made at the first print
            existing = existing.parent
        if not existing.is_dir() or not os.access(existing, os.W_OK):
            return device_status(DEVICE, "PRN-A4-ERROR", f"PDF folder {self._folder} is not writable")
        facts = {"folder": str(self._folder)}
        if level is not Level.EXTERNAL:
            return device_status(DEVICE, "PRN-A4-PDF-FOLDER", f"demo printer writing PDFs to {self._folder}",
                                 media={"paper": MediaState.FULL}, facts=facts)
        from kiosk.devices.printer.pdf_folder import PdfFolderPrinter
        from kiosk.documents.test_page import render_test_page
        from kiosk.errors import PrinterError

        page = render_test_page("A4 test page / A4 测试页", self._kiosk_id, dt.datetime.now(dt.UTC), "pdf-folder")
        try:
            outcome = PdfFolderPrinter(self._folder).print_document(page)
        except (PrinterError, OSError) as exc:
            return device_status(DEVICE, "PRN-A4-TEST-FAILED", f"test page into {self._folder}: {exc}", facts=facts)
        facts["file"] = outcome.location
        return device_status(DEVICE, "PRN-A4-TEST-PRINTED", f"test page written to {outcome.location}",
                             media={"paper": MediaState.FULL}, facts=facts)
