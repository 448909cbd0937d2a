"""At run time: loading the core pulls in no Qt and no device library; the CLI starts without them.

(tests/test_boundaries.py checks the same rules statically, at every nesting level.)
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FORBIDDEN = ("PySide6", "smartcard", "cv2", "dlib", "face_recognition", "cups", "escpos")
CORE = ("kiosk.core.session", "kiosk.terminal.terminal", "kiosk.store.transactions", "contract.catalog.model",
        "kiosk.catalog.source", "kiosk.services.api", "kiosk.services.registry", "kiosk.assembly", "kiosk.config",
        "contract.eventlog", "kiosk.core.identity", "kiosk.i18n.messages", "kiosk.i18n.translations")


def loaded_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys\nprint('\\n'.join(sys.modules))"],
                         cwd=REPO, capture_output=True, text=True, check=True).stdout
    return {m.split(".")[0] for m in out.split()}


def test_core_imports_no_qt_and_no_device_library():
    modules = loaded_after("\n".join(f"import {m}" for m in CORE))
    assert not modules & set(FORBIDDEN), modules & set(FORBIDDEN)


def test_cli_help_loads_no_device_library_and_lists_commands():
    modules = loaded_after("from kiosk.cli import build_parser\nbuild_parser()")
    assert not modules & set(FORBIDDEN), modules & set(FORBIDDEN)
    out = subprocess.run([sys.executable, "-m", "kiosk", "--help"], cwd=REPO, capture_output=True, text=True)
    assert out.returncode == 0 and "run" in out.stdout and "config" in out.stdout
