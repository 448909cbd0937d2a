"""What failing devices mean for citizens, from the live states the shell reads (kiosk.terminal.device_health's
dict), over the shipped catalog and the built-in modules."""

from __future__ import annotations

import pytest

from contract.catalog.model import load_catalog
from kiosk.catalog.source import SHIPPED_CATALOG
from kiosk.services.registry import ModuleRegistry
from kiosk.terminal.device_consequences import (
    A4_DOWN,
    A4_PAPER_OUT,
    CAMERA_DOWN,
    READER_DOWN,
    RECEIPT_PAPER_OUT,
    device_consequences,
)

HEALTHY = {"reader": "no_card", "printer": "ready", "receipt_printer": "ready", "camera": "streaming"}


@pytest.fixture(scope="module")
def shipped():
    modules = ModuleRegistry.discover()
    return load_catalog(SHIPPED_CATALOG, modules.ids()), modules


def receipt_only_items(catalog) -> set[str]:
    return {item.id for item in catalog.items if item.enabled and item.module in ("appointment-booking", "status-query")}


def test_healthy_devices_change_nothing(shipped):
    catalog, modules = shipped
    result = device_consequences(HEALTHY, catalog, modules, receipt_printer_fitted=True)
    assert result.out_of_service is None and result.unavailable == {} and result.alert is None


@pytest.mark.parametrize(("change", "reason"), [({"reader": "no_reader"}, READER_DOWN),
                                                ({"camera": "unavailable"}, CAMERA_DOWN)])
def test_no_reader_or_no_camera_puts_the_terminal_out_of_service(shipped, change, reason):
    catalog, modules = shipped
    result = device_consequences({**HEALTHY, **change}, catalog, modules, receipt_printer_fitted=True)
    assert result.out_of_service == reason and result.alert["out_of_service"] == reason


def test_a4_out_of_paper_with_a_receipt_printer_spares_the_receipt_only_items(shipped):
    catalog, modules = shipped
    result = device_consequences({**HEALTHY, "printer": "paper_out"}, catalog, modules, receipt_printer_fitted=True)
    enabled = {item.id for item in catalog.items if item.enabled}
    spared = receipt_only_items(catalog)
    assert spared and set(result.unavailable) == enabled - spared
    assert set(result.unavailable.values()) == {A4_PAPER_OUT} and result.out_of_service is None


def test_a4_down_without_a_receipt_printer_stops_every_item(shipped):
    catalog, modules = shipped
    result = device_consequences({**HEALTHY, "printer": "paused", "receipt_printer": "ready"}, catalog, modules,
                                 receipt_printer_fitted=False)
    assert set(result.unavailable) == {item.id for item in catalog.items if item.enabled}
    assert set(result.unavailable.values()) == {A4_DOWN}


def test_receipt_paper_end_stops_only_the_receipt_only_items(shipped):
    catalog, modules = shipped
    result = device_consequences({**HEALTHY, "receipt_printer": "paper_out"}, catalog, modules,
                                 receipt_printer_fitted=True)
    assert set(result.unavailable) == receipt_only_items(catalog)
    assert set(result.unavailable.values()) == {RECEIPT_PAPER_OUT}
    assert result.alert == {"out_of_service": None, "unavailable_items": sorted(result.unavailable),
                            "reasons": [RECEIPT_PAPER_OUT]}
