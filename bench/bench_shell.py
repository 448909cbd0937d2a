"""Shell benchmarks: cold start to the attract screen, idle RSS, a full simulated journey's own time."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cold_start() -> tuple[float, float]:
    """Seconds from exec to the 'attract-shown' log line, and RSS (MB) after 3 s idle on the attract screen."""
    data = Path(tempfile.mkdtemp(prefix="kiosk-bench-"))
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    started = time.monotonic()
    proc = subprocess.Popen([str(REPO / ".venv" / "bin" / "kiosk"), "run", "--windowed", "--data", str(data),
                             "--quit-after", "6"], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                            env=env)
    shown = None
    assert proc.stderr is not None
    for line in proc.stderr:
        if '"attract-shown"' in line:
            shown = time.monotonic() - started
            break
    time.sleep(3.0)
    rss = _rss_mb(proc.pid)
    proc.communicate(timeout=30)
    if shown is None:
        raise RuntimeError("the shell never showed the attract screen")
    return shown, rss


def journey_ms() -> float:
    """One whole journey on simulated devices with every simulated delay at zero: the terminal's own time."""
    sys.path.insert(0, str(REPO))
    from contract.eventlog import NullEventLog
    from district.settings import DistrictSettings
    from kiosk.assembly import assemble
    from kiosk.config import load_config
    from kiosk.core.session import Cancel, Confirmed, FormSubmitted, ItemChosen, Start, State
    from tests.sync.district_process import ThreadedDistrict

    tmp = Path(tempfile.mkdtemp(prefix="kiosk-bench-"))
    district = ThreadedDistrict(DistrictSettings(db_url=f"sqlite:///{tmp / 'd.db'}", demo=True)).start()
    config = load_config(None, {"terminal": {"data_dir": str(tmp / "k"), "district_url": district.url},
                                "simulated": {"read_delay_s": 0.0, "face_delay_s": 0.0, "print_delay_s": 0.0},
                                "ui": {"voice": False}})
    from kiosk.link.enrollment import enroll

    enroll(config.data_dir, district.url, config.terminal.kiosk_id)  # citizen data goes to enrolled kiosks only
    terminal = assemble(config, log=NullEventLog())

    def wait(state: State) -> None:
        deadline = time.monotonic() + 30
        while terminal.session.state is not state or terminal.session.busy:
            if time.monotonic() > deadline:
                raise RuntimeError(f"journey stuck before {state}")
            time.sleep(0.0005)

    runs = []
    try:
        for _ in range(6):
            t0 = time.perf_counter()
            terminal.dispatch(Start())
            wait(State.MENU)
            terminal.dispatch(ItemChosen("si-contribution-record", True))
            terminal.dispatch(FormSubmitted({"months": "36"}))
            terminal.dispatch(Confirmed())
            wait(State.DONE)
            runs.append((time.perf_counter() - t0) * 1000)
            terminal.dispatch(Cancel())
            wait(State.ATTRACT)
    finally:
        terminal.close()
        district.stop()
    return statistics.median(runs[1:])  # the first run pays for imports and font registration


def run() -> list[dict]:
    shown, rss = cold_start()
    return [
        {"name": "shell cold start to attract screen", "value": round(shown, 3), "unit": "s", "target": 3.0,
         "better": "lower"},
        {"name": "shell idle RSS on attract (face models not loaded)", "value": round(rss, 1), "unit": "MB",
         "target": 250, "better": "lower"},
        {"name": "full simulated journey, terminal's own time (median of 5)", "value": round(journey_ms(), 1),
         "unit": "ms", "target": None, "better": "lower"},
    ]


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
