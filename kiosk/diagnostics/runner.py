"""Which checks a configuration has, running them at a level, recording each run, and the interactive answer.

Every device of the terminal is listed whatever the configuration: a device that is not fitted says so with
its own status id (`PRN-RCP-NOT-FITTED`), so a technician never wonders whether a line is missing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from kiosk.config import Config
from kiosk.devices.health import DeviceStatus, Health, HealthCheck, Level, worst
from kiosk.devices.status_ids import device_status
from kiosk.store.diagnostics import DiagnosticsRecords

DEVICES = ("reader", "camera", "face", "printer", "receipt", "voice", "district", "disk", "clock")
EXIT_STATUS = {Health.PASS: 0, Health.WARN: 1, Health.FAIL: 2}


@dataclass(frozen=True)
class CheckRun:
    status: DeviceStatus
    level: Level
    ms: float

    def as_json(self) -> dict[str, Any]:
        """The CLI's line: the issue's fields first, then level, recovery, media and facts."""
        body = self.status.as_json()
        return {"device": body["device"], "state": body["state"], "power": body["power"],
                "health": body["health"], "status_id": body["status_id"], "text": body["text"],
                "fix_zh": body["fix_zh"], "fix_en": body["fix_en"], "ms": round(self.ms, 1),
                "level": self.level.value, "recovery": body["recovery"], "media": body["media"],
                "facts": body["facts"]}


def build_check(config: Config, device: str) -> HealthCheck:
    """The health check of `device` as `config` has it fitted. ValueError for an unknown device name."""
    kiosk_id = config.terminal.kiosk_id
    if device == "reader":
        if config.devices.document_reader == "pcsc":
            from kiosk.devices.document.health import PcscReaderHealth

            return PcscReaderHealth(config.document.reader_name)
        from kiosk.devices.document.health import SimulatedReaderHealth

        return SimulatedReaderHealth()
    if device == "camera":
        return _camera_check(config)
    if device == "face":
        from kiosk.devices.face.health import DlibFaceHealth, SimulatedFaceHealth

        return DlibFaceHealth() if config.devices.face == "dlib" else SimulatedFaceHealth()
    if device == "printer":
        if config.devices.printer == "cups":
            from kiosk.devices.printer.cups_health import CupsPrinterHealth

            return CupsPrinterHealth(config.printer.cups_queue, config.printer.cups_server,
                                     min(config.printer.job_timeout_s, 120.0), kiosk_id)
        from kiosk.devices.printer.pdf_folder_health import PdfFolderHealth

        return PdfFolderHealth(config.printer.pdf_folder or config.data_dir / "printed", kiosk_id)
    if device == "receipt":
        from kiosk.devices.printer.escpos_health import EscPosReceiptHealth, ReceiptNotFittedHealth

        if config.devices.receipt_printer == "escpos":
            return EscPosReceiptHealth(config.printer.escpos_host, config.printer.escpos_port, kiosk_id=kiosk_id)
        return ReceiptNotFittedHealth()
    if device == "voice":
        from kiosk.devices.voice.health import EspeakHealth

        return EspeakHealth(enabled=config.ui.voice)
    if device == "district":
        from kiosk.diagnostics.district import DistrictHealth

        return DistrictHealth(config.terminal.district_url, timeout_s=min(3.0, config.sync.request_timeout_s))
    if device == "disk":
        from kiosk.diagnostics.disk import DiskHealth

        return DiskHealth(config.data_dir)
    if device == "clock":
        from kiosk.diagnostics.clock import ClockHealth

        return ClockHealth(config.data_dir)
    raise ValueError(f"unknown device {device!r} (one of {', '.join(DEVICES)})")


def _camera_check(config: Config) -> HealthCheck:
    from kiosk.devices.camera.health import CameraHealth, CameraNotFittedHealth

    if config.devices.camera == "opencv":
        source: str | int = config.face.camera_source or config.face.camera_index
    elif config.simulated.camera_source:
        source = config.simulated.camera_source
    else:
        return CameraNotFittedHealth()

    def open_camera():
        from kiosk.devices.camera.opencv import OpenCvCamera

        return OpenCvCamera.from_source(source)

    return CameraHealth(open_camera, str(source))


def run_check(check: HealthCheck, level: Level) -> CheckRun:
    """Run one check, timing it; a check that raises is reported as DIAG-CHECK-CRASHED, never propagated."""
    started = time.perf_counter()
    try:
        status = check.check(level)
    except Exception as exc:  # noqa: BLE001 - one broken check must not hide the other devices' state
        status = device_status(check.device, "DIAG-CHECK-CRASHED", f"{type(exc).__name__}: {exc}")
    return CheckRun(status, level, (time.perf_counter() - started) * 1000)


def run_checks(config: Config, level: Level, devices: list[str] | None = None) -> list[CheckRun]:
    """Run the checks of `devices` (all of DEVICES when None), in DEVICES order."""
    wanted = devices or list(DEVICES)
    return [run_check(build_check(config, name), level) for name in DEVICES if name in wanted]


def exit_status(runs: list[CheckRun]) -> int:
    """0 when all pass, 1 when any warns (and none fails), 2 when any fails."""
    return EXIT_STATUS[worst([run.status.health for run in runs])]


def record_runs(records: DiagnosticsRecords, runs: list[CheckRun], software_version: str) -> list[int]:
    """Store each run; returns their ids."""
    ids = []
    for run in runs:
        s = run.status
        ids.append(records.record(s.device, run.level.value, s.health.value, s.status_id, s.text, run.ms,
                                  software_version, {"state": s.state.value, "power": s.power.value,
                                                     "recovery": s.recovery.value,
                                                     "media": {k: v.value for k, v in s.media.items()},
                                                     "facts": s.facts}))
    return ids


def confirm(records: DiagnosticsRecords, device: str, confirmed: bool, observation: str,
            software_version: str) -> CheckRun:
    """Record the technician's interactive answer about `device` ("page printed legibly", "sound audible").

    ValueError for an unknown device or an empty observation: an interactive check says what was looked at.
    """
    if device not in DEVICES:
        raise ValueError(f"unknown device {device!r} (one of {', '.join(DEVICES)})")
    if not observation.strip():
        raise ValueError("the technician's observation must not be empty")
    status = device_status(device, "TECH-CONFIRMED" if confirmed else "TECH-REJECTED", observation.strip())
    run = CheckRun(status, Level.INTERACTIVE, 0.0)
    record_runs(records, [run], software_version)
    return run


def software_version() -> str:
    try:
        from importlib.metadata import version

        return version("kiosk")
    except Exception:  # noqa: BLE001 - a source checkout without metadata
        return "unknown"
