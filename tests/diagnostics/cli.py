"""Running `kiosk diagnostics` as a technician would (a subprocess), and writing its configuration files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


@dataclass
class CliResult:
    code: int
    lines: list[dict[str, Any]]
    stderr: str

    def device(self, name: str) -> dict[str, Any]:
        (found,) = [line for line in self.lines if line["device"] == name]
        return found


def diagnostics(*args: str, env: dict[str, str] | None = None, timeout: float = 180) -> CliResult:
    done = subprocess.run([sys.executable, "-m", "kiosk", "diagnostics", *args], cwd=REPO,
                          env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=timeout)
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return CliResult(done.returncode, lines, done.stderr)


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return json.dumps(str(value), ensure_ascii=False)


def write_config(path: Path, data_dir: Path, **sections: dict[str, Any]) -> Path:
    """A kiosk.toml at `path`: demo devices unless `sections` override them, data in `data_dir`, no district."""
    merged: dict[str, dict[str, Any]] = {"terminal": {"kiosk_id": "sc-test-07", "data_dir": str(data_dir),
                                                      "district_url": "http://127.0.0.1:9"}}
    for name, values in sections.items():
        merged.setdefault(name, {}).update(values)
    text = "".join(f"[{name}]\n" + "".join(f"{k} = {_toml(v)}\n" for k, v in values.items()) + "\n"
                   for name, values in merged.items())
    path.write_text(text, encoding="utf-8")
    return path
