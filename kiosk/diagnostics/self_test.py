"""The daily self-test: every device's internal check, recorded as a technician's run would be.

The daily maintenance (kiosk.terminal.maintenance) calls it between sessions, so the history
(`kiosk diagnostics history`) and the heartbeat show each device's state of the night even when no technician
came by.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from kiosk.config import Config
from kiosk.devices.health import Level
from kiosk.diagnostics.runner import record_runs, run_checks, software_version
from kiosk.store.diagnostics import DiagnosticsRecords


def self_test(config: Config, engine: Engine) -> dict[str, Any]:
    """Run and record every internal check; returns device -> health (pass | warn | fail)."""
    runs = run_checks(config, Level.INTERNAL)
    record_runs(DiagnosticsRecords(engine), runs, software_version())
    return {"checks": {run.status.device: run.status.health.value for run in runs}}
