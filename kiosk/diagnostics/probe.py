"""`kiosk config check --probe`: does every device and service the configuration names actually answer?

The same internal checks a technician runs (`kiosk diagnostics run --level internal`), read as configuration
problems: anything short of `pass` becomes one line naming the key to fix. The clock is left out: a skewed clock
is not something the configuration file can fix.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.config import Config
from kiosk.devices.health import Health, Level
from kiosk.diagnostics.runner import build_check, run_check

# Which key a technician edits when a device does not answer as configured.
KEYS = {
    "reader": "[devices] document_reader / [document] reader_name",
    "camera": "[face] camera_index / camera_source",
    "face": "[devices] face",
    "printer": "[printer] cups_queue / cups_server",
    "receipt": "[printer] escpos_host / escpos_port",
    "voice": "[ui] voice",
    "district": "[terminal] district_url",
    "disk": "[terminal] data_dir",
}


@dataclass(frozen=True)
class ProbeProblem:
    key: str
    device: str
    status_id: str
    text: str

    def __str__(self) -> str:
        return f"{self.key}: {self.device} {self.status_id}: {self.text}"


def probe_problems(config: Config) -> list[ProbeProblem]:
    problems = []
    for device, key in KEYS.items():
        run = run_check(build_check(config, device), Level.INTERNAL)
        if run.status.health is not Health.PASS:
            problems.append(ProbeProblem(key, device, run.status.status_id, run.status.text))
    return problems
