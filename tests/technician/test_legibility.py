"""The technicians' screens through the citizens' legibility walk (kiosk.ui.legibility.audit, the one check):
the PIN pad and its verdict, every page of the mode, and the sheet that refuses to leave, in both languages on
the three panels kiosks ship with. Technicians work at the normal mode's panel, so its limits apply: text at
least 4.5:1 against what it is drawn on (WCAG 1.4.3, measured on the rendered pixels), every touch target at
least 15 mm at the configured DPI, no text clipped or elided, nothing beyond the panel.

The simulated devices are healthy and their A4 printer has no CUPS queue; the walk also shows every health
colour the pages use (pass, warn, fail), by giving the devices page and the leave sheet runs in each health, and
a paused CUPS queue with jobs on the printer page: rendered by the pages' own code.
"""

from __future__ import annotations

import dataclasses
from itertools import cycle

import pytest
from PySide6.QtWidgets import QApplication

from kiosk.core.session import LanguageChosen
from kiosk.devices.health import Health
from kiosk.devices.printer.cups_queue import QueueJob, QueueView
from kiosk.terminal.technician_mode import LeaveOutcome, ModeState
from kiosk.ui.legibility import audit
from tests.shell.drive import tap
from tests.shell.test_legibility import NORMAL, PANELS
from tests.technician.drive import PIN, hold_corner, open_page, type_pin
from tests.technician.test_entry import technician_shell

# what each page shows once its facts arrived (they are fetched on a worker thread when the page opens)
LOADED = {
    "devices": lambda p: bool(p.runs),
    "checks": lambda p: p.question.isVisible(),
    "camera": lambda p: bool(p.fps.text()),
    "reader": lambda p: p.last is not None,
    "printer": lambda p: bool(p.summary.text()),
    "network": lambda p: p.last is not None,
    "logs": lambda p: bool(p.entries),
    "report": lambda p: p.readiness is not None,
}


def laid_out(window) -> None:
    QApplication.processEvents()
    window.layout().activate()
    QApplication.processEvents()


def in_every_health(runs: list) -> list:
    return [dataclasses.replace(run, status=dataclasses.replace(run.status, health=health))
            for run, health in zip(runs, cycle(Health), strict=False)]


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_every_technicians_screen_is_legible_on_every_panel(qtbot, open_shell, tmp_path, district, language):
    window, config = technician_shell(open_shell, tmp_path, district)
    window.terminal.dispatch(LanguageChosen(language))  # the layer is built in the language the shell installed
    qtbot.waitUntil(lambda: window.terminal.session.language == language, timeout=5000)
    panel = window.technician
    dpi = config.ui.dpi
    failures: list[str] = []

    def walk(name: str) -> None:
        for width, height in PANELS:
            window.setFixedSize(width, height)
            laid_out(window)
            failures.extend(f"{width}x{height} {name}: {f}"
                            for f in audit(panel, dpi, NORMAL["contrast"], NORMAL["target_mm"]))

    window.setFixedSize(*PANELS[0])
    hold_corner(qtbot, window)
    qtbot.waitUntil(lambda: panel.isVisible() and panel.stack.currentWidget() is panel.pin_pad, timeout=5000)
    walk("pin")
    type_pin(qtbot, window, "135792")
    qtbot.waitUntil(panel.pin_pad.verdict.isVisible, timeout=5000)
    walk("pin-wrong")
    panel.pages["devices"].runs = []
    type_pin(qtbot, window, PIN)
    qtbot.waitUntil(lambda: window.terminal.technician.state is ModeState.ACTIVE
                    and panel.stack.currentWidget() is panel.workspace, timeout=15000)
    for name, loaded in LOADED.items():
        page = panel.pages[name]
        if name != "devices":
            open_page(qtbot, window, name)
        if name == "checks":
            tap(qtbot, window, "check-external")  # a test page on the printer, then the question to confirm
        qtbot.waitUntil(lambda page=page, loaded=loaded: loaded(page), timeout=15000)
        qtbot.wait(100)  # a table's new cells are shown by a queued call once their layout runs
        walk(name)
    devices = panel.pages["devices"]
    open_page(qtbot, window, "devices")
    qtbot.waitUntil(lambda: bool(devices.runs) and devices.refresh.isEnabled(), timeout=60000)
    runs = in_every_health(devices.runs)
    devices._show((runs, window.terminal.technician.latest()))
    qtbot.wait(100)
    walk("devices-every-health")
    open_page(qtbot, window, "printer")
    printer = panel.pages["printer"]
    printer.deactivate()  # no polling of the simulated printer over the queue shown here
    printer._show(QueueView(queue="kiosk-a4", state="stopped", accepting=True, reasons=("paused", "media-empty-error"),
                            message="Out of paper", jobs=(
                                QueueJob(12, "pending", ("job-incoming",)),
                                QueueJob(13, "held", ("job-hold-until-specified",), "Held by the technician"))))
    for b in (printer.resume, printer.purge):
        b.show()  # what a CUPS queue's page offers
    qtbot.wait(100)
    walk("printer-queue")
    failing = [run for run in runs if run.status.health is not Health.PASS]
    panel.leave_sheet.show_outcome(LeaveOutcome(returned=False, runs=runs, failing=failing), language)
    panel.stack.setCurrentWidget(panel.leave_sheet)
    walk("leave-refused")
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures[:60])
