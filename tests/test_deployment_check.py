"""Issue 17.1/17.2: `kiosk config check` refuses a real reader without a trust store and real readers paired with
simulated face checks or printers, one line per problem naming the key, unless demo mode is on."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.config import load_config
from kiosk.deployment_check import unsafe_settings
from tests.document.documents import make_pki

REPO = Path(__file__).resolve().parents[1]


def config_check(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiosk.cli", "config", "check", str(path)], cwd=REPO,
                          capture_output=True, text=True, timeout=60)


def keys_named(stderr: str, path: Path) -> list[str]:
    """The key each line of `kiosk config check`'s complaint names ("kiosk: error: FILE: KEY: reason")."""
    prefix = f"kiosk: error: {path}: "
    assert all(line.startswith(prefix) for line in stderr.splitlines()), stderr
    return [line[len(prefix):].split(": ")[0] for line in stderr.splitlines()]


@pytest.fixture(scope="module")
def csca_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("csca")
    (folder / "csca-ut.pem").write_bytes(make_pki("ec").csca_pem())
    return folder


def production(csca_dir: Path, **devices: str) -> str:
    """A real kiosk's file: every device real, a trust store; `devices` overrides lines of [devices]."""
    kinds = {"document_reader": "pcsc", "camera": "opencv", "face": "dlib", "printer": "cups", **devices}
    lines = ["[devices]", *(f'{k} = "{v}"' for k, v in kinds.items() if v),
             "[document]", f'trust_store = "{csca_dir}"']
    return "\n".join(lines) + "\n"


def test_a_real_kiosk_passes(tmp_path, csca_dir):
    path = tmp_path / "kiosk.toml"
    path.write_text(production(csca_dir))
    proc = config_check(path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"{path}: ok\n"


def test_pcsc_without_a_trust_store_is_refused(tmp_path):
    path = tmp_path / "kiosk.toml"
    path.write_text('[devices]\ndocument_reader = "pcsc"\ncamera = "opencv"\nface = "dlib"\nprinter = "cups"\n')
    proc = config_check(path)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.splitlines() == [
        f"kiosk: error: {path}: [document] trust_store: not set: a real reader (document_reader = 'pcsc') cannot "
        "tell a genuine chip from a homemade one without CSCA certificates"]


def test_pcsc_with_the_default_face_and_printer_lists_every_problem(tmp_path):
    """The issue's case: `document_reader = "pcsc"` and no `face` line ran the simulated check, which says MATCH."""
    path = tmp_path / "kiosk.toml"
    path.write_text('[devices]\ndocument_reader = "pcsc"\n')
    proc = config_check(path)
    assert proc.returncode == 2
    lines = proc.stderr.splitlines()
    keys = keys_named(proc.stderr, path)
    assert keys == ["[devices] face", "[devices] printer", "[document] trust_store"], lines
    assert "answers MATCH" in lines[0]


@pytest.mark.parametrize("devices,key", [
    ({"face": "simulated"}, "[devices] face"),
    ({"face": ""}, "[devices] face"),  # no face line at all: the default is the simulated check
    ({"printer": "pdf-folder"}, "[devices] printer"),
    ({"camera": "simulated"}, "[devices] camera"),
])
def test_pcsc_with_one_simulated_device_is_refused(tmp_path, csca_dir, devices, key):
    path = tmp_path / "kiosk.toml"
    path.write_text(production(csca_dir, **devices))
    proc = config_check(path)
    assert proc.returncode == 2
    assert keys_named(proc.stderr, path) == [key]


@pytest.mark.parametrize("setup,needle", [
    (lambda folder: None, "is not a folder"),
    (lambda folder: folder.mkdir(), "holds no CSCA certificate"),
    (lambda folder: (folder.mkdir(), (folder / "junk.pem").write_text("not a certificate")),
     "1 file(s) could not be used"),
])
def test_missing_or_empty_trust_store_is_refused(tmp_path, setup, needle):
    folder = tmp_path / "csca"
    setup(folder)
    config = load_config(None, {"devices": {"document_reader": "pcsc", "camera": "opencv", "face": "dlib",
                                            "printer": "cups"}, "document": {"trust_store": str(folder)}})
    problems = unsafe_settings(config)
    assert [p.key for p in problems] == ["[document] trust_store"] and needle in problems[0].reason


@pytest.mark.parametrize("key", ["block_unknown_issuer", "block_invalid"])
def test_turning_the_chip_checks_off_needs_demo_mode(key):
    config = load_config(None, {"document": {key: False}})
    assert [p.key for p in unsafe_settings(config)] == [f"[document] {key}"]
    demo = load_config(None, {"document": {key: False}, "terminal": {"demo": True}})
    assert unsafe_settings(demo) == []


def test_demo_mode_relaxes_and_says_so(tmp_path):
    path = tmp_path / "kiosk.toml"
    path.write_text('[terminal]\ndemo = true\n[devices]\ndocument_reader = "pcsc"\n')
    proc = config_check(path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"{path}: ok (demo mode)\n"


def test_shipped_configs_pass():
    for name in ("kiosk.toml", "demo.toml"):
        proc = config_check(REPO / "assets" / "config" / name)
        assert proc.returncode == 0, proc.stderr
