"""deploy/xorg.conf.d/10-kiosk-lockdown.conf on a real X.Org server: Ctrl+Alt+Backspace no longer kills it.

The server is Debian's Xorg with the dummy video driver (no screen needed), reading the snippet from its config
directory as /etc/X11/xorg.conf.d would. The worst case is set up on purpose: the keyboard gets the
`terminate:ctrl_alt_bksp` layout option, which binds the zap action to Ctrl+Alt+Backspace; the keys are then
pressed through XTEST. Without the snippet the server dies ("Server zapped"), which shows the keys do reach
it; with the snippet it lives on.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LOCKDOWN = REPO / "deploy" / "xorg.conf.d" / "10-kiosk-lockdown.conf"
TOOLS = ("Xorg", "xdotool", "setxkbmap", "xinput")

# Only the video side: the server flags must come from the snippet alone (a ServerFlags section in the main
# file would take precedence over the config directory's, see deploy/README.md).
DUMMY_SCREEN = """
Section "Device"
    Identifier "dummy"
    Driver "dummy"
    VideoRam 32000
EndSection
Section "Screen"
    Identifier "screen"
    Device "dummy"
    DefaultDepth 24
    SubSection "Display"
        Depth 24
        Modes "1280x1024"
    EndSubSection
EndSection
"""


@dataclass
class XServer:
    process: subprocess.Popen
    display: str
    log: Path

    def run(self, *args: str, check: bool = True) -> str:
        return subprocess.run(list(args), env=dict(os.environ, DISPLAY=self.display), capture_output=True,
                              text=True, check=check, timeout=30).stdout

    def exited_within(self, seconds: float) -> bool:
        try:
            self.process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            return False
        return True


@pytest.fixture()
def start_xorg(tmp_path: Path) -> Iterator:
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if missing:
        pytest.fail(f"{', '.join(missing)} missing: scripts/bootstrap.sh installs the X server and its tools")
    servers: list[XServer] = []

    def start(snippets: list[Path]) -> XServer:
        folder = tmp_path / f"x{len(servers)}"
        (folder / "xorg.conf.d").mkdir(parents=True)
        (folder / "xorg.conf").write_text(DUMMY_SCREEN, encoding="utf-8")
        for snippet in snippets:
            shutil.copy2(snippet, folder / "xorg.conf.d" / snippet.name)
        read_fd, write_fd = os.pipe()
        log = folder / "Xorg.log"
        # -sharevts / -novtswitch: never take this machine's console away from anyone
        process = subprocess.Popen(
            ["Xorg", "-displayfd", str(write_fd), "-config", str(folder / "xorg.conf"), "-configdir",
             str(folder / "xorg.conf.d"), "-logfile", str(log), "-nolisten", "tcp", "-noreset", "-sharevts",
             "-novtswitch", "-keeptty"], pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(write_fd)
        with os.fdopen(read_fd) as pipe:
            number = pipe.readline().strip()
        assert number, f"Xorg did not start: {log.read_text() if log.exists() else ''}"
        server = XServer(process, f":{number}", log)
        servers.append(server)
        return server

    yield start
    for server in servers:
        if server.process.poll() is None:
            server.process.terminate()
            server.process.wait(timeout=10)


def press_zap(server: XServer) -> None:
    """Bind the zap action to Ctrl+Alt+Backspace on the XTEST keyboard, then press those keys through it."""
    keyboard = server.run("xinput", "list", "--id-only", "Virtual core XTEST keyboard").strip()
    server.run("setxkbmap", "-device", keyboard, "-option", "terminate:ctrl_alt_bksp")
    server.run("xdotool", "key", "ctrl+alt+BackSpace", check=False)  # fails when the server dies under it


def test_without_the_lockdown_ctrl_alt_backspace_kills_the_server(start_xorg):
    server = start_xorg([])
    press_zap(server)
    assert server.exited_within(10)
    assert "Server zapped" in server.log.read_text()


def test_with_the_lockdown_ctrl_alt_backspace_is_ignored(start_xorg):
    server = start_xorg([LOCKDOWN])
    log = server.log.read_text()
    for option in ("DontZap", "DontVTSwitch", "DontZoom", "BlankTime"):
        assert f'(**) Option "{option}"' in log, option  # read from the snippet, not a default
    press_zap(server)
    assert not server.exited_within(3)
    time.sleep(0.2)
    assert "Server zapped" not in server.log.read_text()
    assert server.run("xinput", "list", "--name-only")  # and it still answers clients
