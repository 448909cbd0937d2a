"""The real sync daemon (`kiosk-sync`) under a notify socket in the abstract namespace: READY=1 when its loop
runs, WATCHDOG=1 from the loop at half of WATCHDOG_USEC, and silence while the loop is stuck in a request to a
district that accepts the connection and never answers."""

from __future__ import annotations

import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

from tests.supervision.notify_listener import NotifyListener, gaps, is_ping, is_ready
from tests.supervision.test_shell_watchdog import clean_environment

REPO = Path(__file__).resolve().parents[2]
WATCHDOG_USEC = 2_000_000  # keep-alives expected every 1 to 1.25 s; systemd would act after 2 s without one
REQUEST_TIMEOUT_S = 4.0  # how long a request to the silent district blocks the loop: well above 2 s


def write_config(folder: Path, district_port: int) -> Path:
    path = folder / "kiosk.toml"
    path.write_text(f"""
[terminal]
kiosk_id = "sc-watchdog-01"
data_dir = "data"
district_url = "http://127.0.0.1:{district_port}"

[sync]
heartbeat_s = 3.0
catalog_poll_s = 3.0
request_timeout_s = {REQUEST_TIMEOUT_S}
""", encoding="utf-8")
    return path


def pings_after(listener: NotifyListener, t: float) -> list[float]:
    return [n.at for n in listener.received() if is_ping(n) and n.at > t]


def test_sync_daemon_pings_from_its_loop_and_falls_silent_while_the_loop_is_blocked(tmp_path: Path):
    # The district's port: bound but not listening refuses connections at once; listening without ever
    # accepting lets a request in and leaves it unanswered until the daemon's request timeout.
    district = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    district.bind(("127.0.0.1", 0))
    config = write_config(tmp_path, district.getsockname()[1])
    with NotifyListener.abstract() as listener:
        env = clean_environment(**listener.environment(watchdog_usec=WATCHDOG_USEC))
        daemon = subprocess.Popen([sys.executable, "-m", "sync.daemon_cli", "--config", str(config)], cwd=REPO,
                                  env=env, stdout=subprocess.DEVNULL,
                                  stderr=(tmp_path / "sync.stderr").open("wb"))
        try:
            ready = listener.wait_for(is_ready, 60)
            assert ready.pid == daemon.pid and listener.received()[0] == ready
            assert ready.fields["STATUS"] == "sync loop running"
            # the district refuses quickly: the loop runs freely and pings at the configured rate
            listener.wait_for(lambda _n: len(pings_after(listener, ready.at)) >= 8, 20)
            free = [ready.at, *pings_after(listener, ready.at)]
            assert {n.pid for n in listener.received()} == {daemon.pid}
            assert 0.95 <= statistics.median(gaps(free)) <= 1.35, gaps(free)
            assert max(gaps(free)) < WATCHDOG_USEC / 1e6, gaps(free)

            # now the district swallows requests: the next heartbeat blocks the loop, and the pings stop
            district.listen(16)
            blocked_from = time.monotonic()
            deadline = blocked_from + 30
            silence = 0.0
            while silence < REQUEST_TIMEOUT_S - 0.3 and time.monotonic() < deadline:
                time.sleep(0.2)
                silence = max(gaps([blocked_from, *pings_after(listener, blocked_from)]), default=0.0)
            assert silence >= REQUEST_TIMEOUT_S - 0.3, gaps(pings_after(listener, blocked_from))
            assert daemon.poll() is None  # the process was alive: only the loop was stuck

            # refused again: the loop runs and the pings are back
            district.close()
            back = time.monotonic() + 2 * REQUEST_TIMEOUT_S + 1  # a request in flight may still time out
            time.sleep(back - time.monotonic())
            listener.wait_for(lambda _n: len(pings_after(listener, back)) >= 4, 20)
            assert max(gaps(pings_after(listener, back))) < WATCHDOG_USEC / 1e6
        finally:
            district.close()
            daemon.send_signal(signal.SIGTERM)
            rc = daemon.wait(timeout=20)
        listener.wait_for(lambda n: n.fields.get("STOPPING") == "1", 10)
    assert rc == 0, (tmp_path / "sync.stderr").read_text()


def test_sync_daemon_refuses_a_malformed_watchdog_timeout(tmp_path: Path):
    config = write_config(tmp_path, 9)
    with NotifyListener.abstract() as listener:
        env = clean_environment(NOTIFY_SOCKET=listener.address, WATCHDOG_USEC="thirty seconds")
        result = subprocess.run([sys.executable, "-m", "sync.daemon_cli", "--config", str(config)], cwd=REPO,
                                env=env, capture_output=True, text=True, timeout=60, check=False)
        assert listener.received() == []
    assert result.returncode == 2 and "WATCHDOG_USEC" in result.stderr
