"""ASGI entry for multi-worker serving (`kiosk-district serve --workers N`): uvicorn imports this in each worker
process, so the settings travel in the environment (KIOSK_DISTRICT_SETTINGS, JSON of DistrictSettings)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from fastapi import FastAPI

from contract.eventlog import EventLog
from district.settings import DistrictSettings

ENV = "KIOSK_DISTRICT_SETTINGS"


def settings_to_env(settings: DistrictSettings) -> str:
    """The settings as the JSON string workers read from KIOSK_DISTRICT_SETTINGS."""
    return json.dumps({k: (str(v) if isinstance(v, Path) else v) for k, v in settings.__dict__.items()})


def app() -> FastAPI:
    """uvicorn factory: one app per worker process, built from KIOSK_DISTRICT_SETTINGS."""
    from district.app import create_app

    raw = json.loads(os.environ[ENV])
    for key in ("keys_dir", "sources_file"):
        if raw.get(key):
            raw[key] = Path(raw[key])
    return create_app(DistrictSettings(**raw), eventlog=EventLog(component="district"))
