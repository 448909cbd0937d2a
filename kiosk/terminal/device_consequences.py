"""What a failing device means for citizens: items shown as temporarily unavailable, or the whole terminal out of
service, and the alert the district gets with the next heartbeat.

Citizens see consequences, not errors: "The printer has run out of paper, so documents cannot be printed here
right now" beside the items that print, never "media-empty-error". The input is the devices' live states as
`kiosk.terminal.device_health.device_health` reads them every few seconds (the same dict the heartbeat carries).

Which items need the A4 printer: every item whose module prints documents. A module says so with an optional
`prints_documents` class attribute; the built-in modules that print none are listed here, and a module that says
nothing is assumed to print (a citizen is better told up front than after giving their data). With no receipt
printer fitted, receipts are printed on the A4 printer too, so then every item needs it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from contract.catalog.model import Catalog
from kiosk.services.registry import ModuleRegistry

READER_DOWN = "out_of_service.reader"
CAMERA_DOWN = "out_of_service.camera"
A4_PAPER_OUT = "unavailable.a4_paper"
A4_DOWN = "unavailable.a4_printer"
RECEIPT_PAPER_OUT = "unavailable.receipt_paper"
RECEIPT_DOWN = "unavailable.receipt_printer"

# Built-in modules whose result is a message and a receipt, not an A4 document (kiosk/services/builtin).
PRINTS_NO_DOCUMENTS = frozenset({"appointment-booking", "status-query"})
# kiosk.devices.printer.PrinterState values that stop a printer from printing.
PRINTER_DOWN_STATES = frozenset({"offline", "paused", "error"})


@dataclass(frozen=True)
class DeviceConsequences:
    out_of_service: str | None = None  # message key: no session may start (reader or camera down)
    unavailable: dict[str, str] = field(default_factory=dict)  # item id -> message key of the one-sentence reason

    @property
    def alert(self) -> dict[str, Any] | None:
        """What the district is told with the next heartbeat (None: nothing citizens would notice)."""
        if self.out_of_service is None and not self.unavailable:
            return None
        return {"out_of_service": self.out_of_service, "unavailable_items": sorted(self.unavailable),
                "reasons": sorted(set(self.unavailable.values()))}


def prints_documents(module: Any, module_id: str) -> bool:
    declared = getattr(module, "prints_documents", None)
    if isinstance(declared, bool):
        return declared
    return module_id not in PRINTS_NO_DOCUMENTS


def _printer_reason(state: str, paper_out: str, down: str) -> str | None:
    if state == "paper_out":
        return paper_out
    if state in PRINTER_DOWN_STATES:
        return down
    return None


def device_consequences(health: dict[str, Any], catalog: Catalog, modules: ModuleRegistry,
                        receipt_printer_fitted: bool) -> DeviceConsequences:
    """The consequences of the live device states `health` ({"reader": ReaderState value, "printer": ...,
    "receipt_printer": ..., "camera": CameraState value or "none"})."""
    if health.get("reader") == "no_reader":
        return DeviceConsequences(out_of_service=READER_DOWN)
    if health.get("camera") == "unavailable":
        return DeviceConsequences(out_of_service=CAMERA_DOWN)
    a4 = _printer_reason(str(health.get("printer", "")), A4_PAPER_OUT, A4_DOWN)
    receipt = (_printer_reason(str(health.get("receipt_printer", "")), RECEIPT_PAPER_OUT, RECEIPT_DOWN)
               if receipt_printer_fitted else None)
    unavailable: dict[str, str] = {}
    for item in catalog.items:
        if not item.enabled:
            continue
        module = modules.get(item.module)
        prints = prints_documents(module, item.module)
        if a4 is not None and (prints or not receipt_printer_fitted):
            unavailable[item.id] = a4
        elif receipt is not None and not prints:
            unavailable[item.id] = receipt  # its only output is the receipt
    return DeviceConsequences(unavailable=unavailable)
