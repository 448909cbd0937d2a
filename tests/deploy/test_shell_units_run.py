"""The shell units' own command lines, run the way systemd would run them: kiosk-shell.service inside a real
cage, kiosk-shell-x11.service under a real xinit and Xorg.

cage runs on wlroots' headless backend (no screen, no input devices) and the shell on Qt's Wayland platform, as
on a terminal; Xorg runs with the dummy video driver and the lockdown snippet. systemd's side is played by the
test: it binds the notify socket, and it sets WATCHDOG_USEC and WATCHDOG_PID to the PID of the process it
starts (cage, xinit), exactly as systemd does for the main process.

This checks what the unit's comments claim: notifications come from the kiosk process, not from the main PID
(hence NotifyAccess=all), and the kiosk only takes the watchdog because the unit unsets WATCHDOG_PID for it;
without that, sd_watchdog_enabled(3) semantics make it stay silent and systemd would kill a healthy shell.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.deploy.test_units import INSTALLED_BIN, parse_unit
from tests.supervision.notify_listener import NotifyListener, is_ping, is_ready
from tests.supervision.test_shell_watchdog import clean_environment
from tests.sync.district_process import free_port

REPO = Path(__file__).resolve().parents[2]
UNIT = REPO / "deploy" / "systemd" / "kiosk-shell.service"
X11_UNIT = REPO / "deploy" / "systemd" / "kiosk-shell-x11.service"
WATCHDOG_USEC = 2_000_000


def unit_command(config: Path, delegate_watchdog: bool = True, unit: Path = UNIT) -> tuple[list[str], dict[str, str]]:
    """ExecStart and Environment of the unit, with the installed paths pointed at this checkout."""
    service = parse_unit(unit)["Service"]
    command = [str(Path(sys.executable).parent / "kiosk") if t == INSTALLED_BIN + "kiosk"
               else str(config) if t == "/etc/kiosk/kiosk.toml" else t
               for t in shlex.split(service["ExecStart"][0])]
    if not delegate_watchdog:
        i = command.index("-u")
        assert command[i - 1] == "/usr/bin/env" and command[i + 1] == "WATCHDOG_PID"
        del command[i - 1:i + 2]
    environment = dict(a.split("=", 1) for line in service.get("Environment", []) for a in shlex.split(line))
    return command, environment


def run_under_cage(tmp_path: Path, listener: NotifyListener, command: list[str],
                   unit_environment: dict[str, str]) -> subprocess.Popen:
    if shutil.which("cage") is None or shutil.which("Xwayland") is None:
        pytest.fail("cage and Xwayland are installed by scripts/bootstrap.sh (cage refuses to start without Xwayland)")
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    env = clean_environment(XDG_RUNTIME_DIR=str(runtime), WLR_BACKENDS="headless", WLR_RENDERER="pixman",
                            WLR_LIBINPUT_NO_DEVICES="1", **unit_environment,
                            **listener.environment(watchdog_usec=WATCHDOG_USEC))
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    # systemd sets WATCHDOG_PID to the PID it forks and then execs the unit's program in it: $$ before exec.
    # cage refuses to run as root; in a user namespace without a mapping for uid 0 it cannot regain root, and
    # the process keeps its own files.
    wrapper = ["sh", "-c", 'export WATCHDOG_PID=$$; exec unshare --user "$@"', "systemd"]
    return subprocess.Popen(wrapper + command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                            stderr=(tmp_path / "cage.stderr").open("wb"), start_new_session=True)


def write_config(tmp_path: Path) -> Path:
    config = tmp_path / "kiosk.toml"
    config.write_text(f"""
[terminal]
kiosk_id = "sc-cage-01"
data_dir = "data"
district_url = "http://127.0.0.1:{free_port()}"

[ui]
voice = false
""", encoding="utf-8")
    return config


def kill_leftovers(process: subprocess.Popen) -> None:
    """SIGKILL whatever is left of the stack (its own session), as systemd does at the end of a stop."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def test_the_shell_unit_command_notifies_from_the_kiosk_process_inside_cage(tmp_path: Path):
    command, unit_environment = unit_command(write_config(tmp_path))
    with NotifyListener.at_path(tmp_path) as listener:
        cage = run_under_cage(tmp_path, listener, command, unit_environment)
        try:
            ready = listener.wait_for(is_ready, 90)
            listener.wait_for(lambda _n: sum(map(is_ping, listener.received())) >= 3, 15)
            senders = {n.pid for n in listener.received()}
            assert len(senders) == 1 and cage.pid not in senders  # the kiosk, a child of cage: NotifyAccess=all
            assert ready.fields["STATUS"] == "attract screen shown"
            # the kiosk claims the main PID, so that `systemctl stop` (KillMode=mixed) signals it, not cage
            main_pid = int(ready.fields["MAINPID"])
            assert main_pid == ready.pid
            os.kill(main_pid, signal.SIGTERM)
            assert cage.wait(timeout=30) == 0, (tmp_path / "cage.stderr").read_text()[-3000:]
            listener.wait_for(lambda n: n.fields.get("STOPPING") == "1", 5)
        finally:
            kill_leftovers(cage)


def test_without_the_delegation_the_kiosk_leaves_cages_watchdog_alone(tmp_path: Path):
    """The control: WATCHDOG_PID names cage, so the kiosk must not ping (and systemd would restart it)."""
    command, unit_environment = unit_command(write_config(tmp_path), delegate_watchdog=False)
    with NotifyListener.at_path(tmp_path) as listener:
        cage = run_under_cage(tmp_path, listener, command, unit_environment)
        try:
            ready = listener.wait_for(is_ready, 90)
            with pytest.raises(AssertionError):
                listener.wait_for(is_ping, 3 * WATCHDOG_USEC / 1e6, after=ready.at)
        finally:
            kill_leftovers(cage)


def test_the_x11_shell_unit_command_runs_under_xinit_and_xorg(tmp_path: Path):
    """The X unit's command line with two substitutions only: a free display number instead of :0, and the
    dummy video driver (plus -sharevts, so this machine's console is left alone) since there is no GPU here."""
    from tests.deploy.test_xorg_lockdown import DUMMY_SCREEN, LOCKDOWN

    if shutil.which("xinit") is None or shutil.which("Xorg") is None:
        pytest.fail("xinit and Xorg are installed by scripts/bootstrap.sh")
    command, unit_environment = unit_command(write_config(tmp_path), unit=X11_UNIT)
    (tmp_path / "xorg.conf.d").mkdir()
    shutil.copy2(LOCKDOWN, tmp_path / "xorg.conf.d" / LOCKDOWN.name)
    (tmp_path / "xorg.conf").write_text(DUMMY_SCREEN, encoding="utf-8")
    display = next(n for n in range(20, 90) if not Path(f"/tmp/.X11-unix/X{n}").exists()
                   and not Path(f"/tmp/.X{n}-lock").exists())
    server = command.index("--") + 1
    assert command[server:server + 2] == ["/opt/kiosk/deploy/bin/kiosk-xserver", ":0"]
    command[server:server + 2] = [str(REPO / "deploy" / "bin" / "kiosk-xserver"), f":{display}"]
    command += ["-sharevts", "-config", str(tmp_path / "xorg.conf"), "-configdir", str(tmp_path / "xorg.conf.d"),
                "-logfile", str(tmp_path / "Xorg.log")]
    with NotifyListener.at_path(tmp_path) as listener:
        env = clean_environment(**unit_environment, **listener.environment(watchdog_usec=WATCHDOG_USEC))
        env.pop("DISPLAY", None)
        xinit = subprocess.Popen(["sh", "-c", 'export WATCHDOG_PID=$$; exec "$@"', "systemd", *command],
                                 cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                                 stderr=(tmp_path / "xinit.stderr").open("wb"), start_new_session=True)
        try:
            ready = listener.wait_for(is_ready, 90)
            listener.wait_for(lambda _n: sum(map(is_ping, listener.received())) >= 3, 15)
            # only the shell speaks: one READY=1, after its paint (the X server would send its own otherwise)
            assert {n.pid for n in listener.received()} == {int(ready.fields["MAINPID"])} != {xinit.pid}
            assert sum(map(is_ready, listener.received())) == 1
            assert '(**) Option "DontZap" "true"' in (tmp_path / "Xorg.log").read_text()
            os.kill(int(ready.fields["MAINPID"]), signal.SIGTERM)  # systemctl stop, KillMode=mixed
            assert xinit.wait(timeout=30) == 0, (tmp_path / "xinit.stderr").read_text()[-3000:]
        finally:
            kill_leftovers(xinit)


def test_xorg_left_with_the_notify_socket_would_claim_readiness_itself(tmp_path: Path):
    """Why deploy/bin/kiosk-xserver exists: Debian's Xorg sends READY=1 as soon as it accepts clients."""
    from tests.deploy.test_xorg_lockdown import DUMMY_SCREEN

    (tmp_path / "xorg.conf").write_text(DUMMY_SCREEN, encoding="utf-8")
    with NotifyListener.at_path(tmp_path) as listener:
        read_fd, write_fd = os.pipe()
        xorg = subprocess.Popen(["Xorg", "-displayfd", str(write_fd), "-config", str(tmp_path / "xorg.conf"),
                                 "-logfile", str(tmp_path / "Xorg.log"), "-nolisten", "tcp", "-sharevts",
                                 "-novtswitch", "-keeptty"], pass_fds=(write_fd,), env=clean_environment(
                                     **listener.environment()), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(write_fd)
        try:
            assert listener.wait_for(is_ready, 30).pid == xorg.pid
        finally:
            os.close(read_fd)
            xorg.terminate()
            xorg.wait(timeout=10)
