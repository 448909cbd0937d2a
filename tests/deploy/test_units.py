"""deploy/: the systemd units pass `systemd-analyze verify`, and the users, folders, PAM stack and configuration
they rely on are what the installer gets.

`systemd-analyze verify` loads each unit with every unit it names, and refuses a unit whose ExecStart program
does not exist or is not executable. The kiosk's programs live where the installer puts them (/opt/kiosk/.venv)
and this machine has no such folder, so the units are verified against a temporary root
(`systemd-analyze verify --root`): its unit folder is a copy of this machine's (the real sysinit.target,
getty@.service, postgresql.service ...), the units are installed in its /etc/systemd/system as deploy/README.md
says, the kiosk's console scripts are copies of this checkout's real ones, and the system programs (cage, xinit,
env, Xorg) are copies of the real binaries from Debian's packages, which scripts/bootstrap.sh installs.
"""

from __future__ import annotations

import os
import pwd
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
INSTALLED_BIN = "/opt/kiosk/.venv/bin/"
INSTALLED_CHECKOUT = "/opt/kiosk/"  # the clone deploy/README.md makes; its .venv holds the console scripts
PROGRAM_DIRS = ("/usr/bin/", "/usr/sbin/", "/bin/", "/sbin/", INSTALLED_CHECKOUT)
SHELL_UNITS = ("kiosk-shell.service", "kiosk-shell-x11.service")


def parse_unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """Sections -> keys -> values (a key may repeat), with systemd's comment and continuation rules."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] | None = None
    pending = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = pending + raw.strip()
        pending = ""
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
            continue
        assert current is not None, f"{path.name}: assignment outside a section: {line}"
        key, value = line.split("=", 1)
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def programs(unit: dict[str, dict[str, list[str]]]) -> list[str]:
    """Every program a unit's Exec lines start, including those handed on (cage -- env ... kiosk, xinit)."""
    found = []
    for key, values in unit.get("Service", {}).items():
        if key.startswith("Exec"):
            for value in values:
                found += [t for t in shlex.split(value.lstrip("-@:+!"))
                          if t.startswith(PROGRAM_DIRS) and not t.startswith("/etc/")]
    return found


def console_scripts() -> set[str]:
    return set(tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"])


@pytest.fixture(scope="module")
def verify_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("root")
    shutil.copytree("/usr/lib/systemd/system", root / "usr/lib/systemd/system", symlinks=True)
    (root / "etc/systemd/system").mkdir(parents=True)
    scripts = console_scripts()
    venv_bin = Path(sys.executable).parent
    for unit_file in UNITS:
        shutil.copy2(unit_file, root / "etc/systemd/system" / unit_file.name)
        for program in programs(parse_unit(unit_file)):
            target = root / program.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            if program.startswith(INSTALLED_BIN):
                name = program.removeprefix(INSTALLED_BIN)
                assert name in scripts, f"{unit_file.name} runs {name}, which pyproject.toml does not install"
                shutil.copy2(venv_bin / name, target)
            elif program.startswith(INSTALLED_CHECKOUT):
                shutil.copy2(REPO / program.removeprefix(INSTALLED_CHECKOUT), target)  # a file of this checkout
            else:
                if not Path(program).is_file():
                    pytest.fail(f"{unit_file.name} runs {program}, which is not installed here "
                                "(scripts/bootstrap.sh installs the packages the units use)")
                shutil.copy2(program, target)
    return root


def verify(root: Path, unit_name: str) -> subprocess.CompletedProcess:
    if shutil.which("systemd-analyze") is None:
        pytest.fail("systemd-analyze is missing: apt-get install systemd (scripts/bootstrap.sh)")
    return subprocess.run(["systemd-analyze", "verify", f"--root={root}", unit_name], capture_output=True,
                          text=True, timeout=120, check=False)


@pytest.mark.parametrize("unit_file", UNITS, ids=[u.name for u in UNITS])
def test_systemd_analyze_verify_passes_without_a_warning(verify_root: Path, unit_file: Path):
    result = verify(verify_root, unit_file.name)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "" and result.stderr.strip() == ""


def test_the_verification_catches_a_broken_unit(verify_root: Path):
    """The harness can fail: a misspelt key is a warning, a program missing from the root an error."""
    good = (verify_root / "etc/systemd/system/kiosk-sync.service").read_text(encoding="utf-8")
    broken = verify_root / "etc/systemd/system/kiosk-broken.service"
    broken.write_text(good.replace("WatchdogSec=", "WatchdogSecs="), encoding="utf-8")
    try:
        assert "Unknown key" in verify(verify_root, broken.name).stderr
        broken.write_text(good.replace(INSTALLED_BIN + "kiosk-sync", INSTALLED_BIN + "kiosk-synk"), encoding="utf-8")
        result = verify(verify_root, broken.name)
        assert result.returncode != 0 and "kiosk-synk" in result.stderr
    finally:
        broken.unlink()


@pytest.mark.parametrize("name", SHELL_UNITS)
def test_shell_units_are_supervised_by_the_watchdog_and_escalate_to_a_reboot(name: str):
    unit = parse_unit(DEPLOY / "systemd" / name)
    service, section = unit["Service"], unit["Unit"]
    assert service["Type"] == ["notify"] and service["Restart"] == ["always"]
    assert service["WatchdogSec"] and service["NotifyAccess"] == ["all"]  # the kiosk is cage's/xinit's child
    assert section["StartLimitAction"] == ["reboot"] and section["StartLimitBurst"]
    assert service["KillMode"] == ["mixed"]  # stop signals the shell (MAINPID), never cage itself
    command = shlex.split(service["ExecStart"][0])
    kiosk = command.index(INSTALLED_BIN + "kiosk")
    # the kiosk process takes the watchdog that systemd addressed to the compositor's PID
    assert command[kiosk - 3:kiosk] == ["/usr/bin/env", "-u", "WATCHDOG_PID"]
    assert command[kiosk + 1:kiosk + 4] == ["run", "--config", "/etc/kiosk/kiosk.toml"]
    assert "--windowed" not in command
    # auto-login: a PAM session on the tty it takes over from the login prompt
    tty = service["TTYPath"][0].removeprefix("/dev/")
    assert f"getty@{tty}.service" in section["Conflicts"][0].split()
    assert (DEPLOY / "pam.d" / service["PAMName"][0]).is_file()
    assert service["User"] == ["kiosk"]


def test_cage_keeps_vt_switching_off():
    command = shlex.split(parse_unit(DEPLOY / "systemd" / "kiosk-shell.service")["Service"]["ExecStart"][0])
    assert command[0] == "/usr/bin/cage" and "-s" not in command[:command.index("--")]  # -s allows VT switching


def test_sync_unit_is_supervised_by_the_watchdog():
    service = parse_unit(DEPLOY / "systemd" / "kiosk-sync.service")["Service"]
    assert service["Type"] == ["notify"] and service["Restart"] == ["always"] and service["WatchdogSec"]
    assert service["ExecStart"] == [INSTALLED_BIN + "kiosk-sync --config /etc/kiosk/kiosk.toml"]
    assert service["User"] == ["kiosk"] and service["ReadWritePaths"] == ["/var/lib/kiosk"]


def test_district_unit_runs_uvicorn_workers_on_postgresql_with_every_setting_defined():
    unit = parse_unit(DEPLOY / "systemd" / "kiosk-district.service")
    assert "postgresql.service" in unit["Unit"]["Requires"][0].split()
    assert "postgresql.service" in unit["Unit"]["After"][0].split()
    command = unit["Service"]["ExecStart"][0]
    assert command.startswith(INSTALLED_BIN + "kiosk-district serve ") and "--workers" in command
    env_file = DEPLOY / "kiosk-district" / "district.env"
    assert unit["Service"]["EnvironmentFile"] == ["/etc/kiosk-district/district.env"]
    defined = dict(line.split("=", 1) for line in env_file.read_text(encoding="utf-8").splitlines()
                   if line and not line.startswith("#"))
    used = {token[2:-1] for token in command.split() if token.startswith("${")}
    assert used == set(defined)
    assert defined["DISTRICT_DB"].startswith("postgresql://") and int(defined["DISTRICT_WORKERS"]) >= 2


def test_sysusers_and_tmpfiles_create_the_users_and_private_folders(tmp_path: Path):
    """Run the real systemd-sysusers and systemd-tmpfiles on a temporary root, as the installer does on /."""
    for kind in ("sysusers.d", "tmpfiles.d"):
        (tmp_path / "etc" / kind).mkdir(parents=True)
        shutil.copy2(DEPLOY / kind / "kiosk.conf", tmp_path / "etc" / kind / "kiosk.conf")
    subprocess.run(["systemd-sysusers", f"--root={tmp_path}"], check=True, capture_output=True, timeout=60)
    subprocess.run(["systemd-tmpfiles", f"--root={tmp_path}", "--create"], check=True, capture_output=True,
                   timeout=60)
    users = {}
    for line in (tmp_path / "etc" / "passwd").read_text().splitlines():
        entry = pwd.struct_passwd(line.split(":"))
        users[entry.pw_name] = entry
    assert set(users) == {"kiosk", "kiosk-district"}
    assert all(u.pw_shell == "/usr/sbin/nologin" for u in users.values())
    expected = {"var/lib/kiosk": (0o700, "kiosk", "kiosk"),
                "var/lib/kiosk-district": (0o700, "kiosk-district", "kiosk-district"),
                "var/lib/kiosk-district/keys": (0o700, "kiosk-district", "kiosk-district"),
                "etc/kiosk": (0o750, None, "kiosk"), "etc/kiosk-district": (0o750, None, "kiosk-district")}
    for folder, (mode, owner, group) in expected.items():
        st = os.stat(tmp_path / folder)
        assert st.st_mode & 0o7777 == mode, folder
        assert st.st_uid == (int(users[owner].pw_uid) if owner else 0), folder
        assert st.st_gid == int(users[group].pw_gid), folder


def test_units_and_configuration_agree_on_paths(tmp_path):
    """The config the units name is valid once its trust store is installed, keeps its data where tmpfiles
    creates the private folder, and the services' users own that folder."""
    from tests.document.documents import make_pki

    shipped = (DEPLOY / "kiosk/kiosk.toml").read_text(encoding="utf-8")
    bare = subprocess.run([sys.executable, "-m", "kiosk", "config", "check", str(DEPLOY / "kiosk/kiosk.toml")],
                          cwd=REPO, capture_output=True, text=True, timeout=60, check=False)
    if not Path("/etc/kiosk/csca").is_dir():  # a build machine: the installer's CSCA step has not run
        assert bare.returncode != 0 and "[document] trust_store" in bare.stderr, bare.stderr
    csca = tmp_path / "csca"
    csca.mkdir()
    (csca / "csca.pem").write_bytes(make_pki().csca_pem())
    installed = tmp_path / "kiosk.toml"
    installed.write_text(shipped.replace('"/etc/kiosk/csca"', f'"{csca}"'), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "kiosk", "config", "check", str(installed)],
                            cwd=REPO, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    config = tomllib.loads((DEPLOY / "kiosk/kiosk.toml").read_text(encoding="utf-8"))
    tmpfiles = [line.split() for line in (DEPLOY / "tmpfiles.d/kiosk.conf").read_text().splitlines()
                if line and not line.startswith("#")]
    data = next(t for t in tmpfiles if t[1] == config["terminal"]["data_dir"])
    assert data[2:5] == ["0700", "kiosk", "kiosk"]
    assert config["terminal"]["data_dir"] in parse_unit(DEPLOY / "systemd/kiosk-sync.service")["Service"][
        "ReadWritePaths"]


def test_the_pam_stack_names_modules_that_exist():
    """A misspelt module makes systemd fail to open the session: the shell would never start."""
    module_dirs = [Path("/usr/lib/x86_64-linux-gnu/security"), Path("/lib/x86_64-linux-gnu/security"),
                   Path("/usr/lib/security"), Path("/lib/security")]
    stack = [line.split() for line in (DEPLOY / "pam.d/kiosk-shell").read_text().splitlines()
             if line and not line.startswith("#")]
    assert {entry[0] for entry in stack} == {"auth", "account", "session"}
    assert "pam_systemd.so" in {entry[2] for entry in stack}  # registers the session with logind on the seat
    for entry in stack:
        assert any((d / entry[2]).is_file() for d in module_dirs), entry


def test_the_update_path_unit_verifies_and_starts_the_installer(verify_root: Path):
    shutil.copy2(DEPLOY / "systemd" / "kiosk-update.path", verify_root / "etc/systemd/system/kiosk-update.path")
    done = verify(verify_root, "kiosk-update.path")
    assert done.returncode == 0, done.stderr
    unit = parse_unit(DEPLOY / "systemd" / "kiosk-update.path")
    assert unit["Path"]["Unit"] == ["kiosk-update.service"]
    assert unit["Path"]["PathExists"] == ["/var/lib/kiosk/updates/apply"]  # kiosk.update.incoming.APPLY_REQUEST
