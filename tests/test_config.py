"""Configuration: one TOML file, every key documented, typos and wrong types refused with the key named."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.commands.config import defaults_toml
from kiosk.config import Config, load_config
from kiosk.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]


def test_reference_file_lists_every_default_and_is_current():
    reference = REPO / "assets" / "config" / "kiosk.toml"
    assert reference.read_text(encoding="utf-8") == defaults_toml(), \
        "assets/config/kiosk.toml is stale: regenerate it with `kiosk config defaults`"
    loaded = load_config(reference)
    assert loaded.devices == Config().devices and loaded.session == Config().session
    assert loaded.terminal.data_dir == reference.parent / "data"


def test_demo_config_loads():
    config = load_config(REPO / "assets" / "config" / "demo.toml")
    assert config.devices.document_reader == "simulated" and config.terminal.demo


@pytest.mark.parametrize("body,needle", [
    ("[sesion]\ninactivity_s = 3\n", "unknown config section [sesion]"),
    ("[session]\ninactivity = 3\n", "unknown key 'inactivity' in [session]"),
    ("[session]\ninactivity_s = 'soon'\n", "[session] inactivity_s must be float"),
    ("[ui]\nvoice = 1\n", "[ui] voice must be bool"),
    ("[session\n", "config.toml"),
])
def test_bad_config_is_refused_naming_the_key(tmp_path, body, needle):
    path = tmp_path / "config.toml"
    path.write_text(body)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert needle in str(err.value)


def test_paths_resolve_against_the_file_and_ints_widen_to_floats(tmp_path):
    path = tmp_path / "k.toml"
    path.write_text('[terminal]\ndata_dir = "var"\n[session]\ninactivity_s = 30\n')
    config = load_config(path)
    assert config.data_dir == tmp_path / "var"
    assert config.session.inactivity_s == 30.0 and isinstance(config.session.inactivity_s, float)


def test_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml")


def _closed_keys() -> list[tuple[str, str, tuple[str, ...]]]:
    """Every key of the configuration whose value is one of a closed set (declared `Literal[...]`)."""
    import dataclasses
    import typing

    found = []
    for section in dataclasses.fields(Config):
        cls = typing.get_type_hints(Config)[section.name]
        for key, hint in typing.get_type_hints(cls).items():
            if typing.get_origin(hint) is typing.Literal:
                found.append((section.name, key, typing.get_args(hint)))
    return found


def test_every_enum_like_key_is_declared_as_a_closed_set():
    declared = {(section, key) for section, key, _ in _closed_keys()}
    assert declared >= {("terminal", "language"), ("devices", "document_reader"), ("devices", "camera"),
                        ("devices", "face"), ("devices", "printer"), ("devices", "receipt_printer"),
                        ("simulated", "face_result")}


@pytest.mark.parametrize("section,key,allowed", _closed_keys(), ids=lambda v: v if isinstance(v, str) else "")
def test_unknown_enum_value_is_an_error_naming_the_key(tmp_path, section, key, allowed):
    """Issue 17.2: `face_result = "matc"` used to become MATCH; an unknown reader kind, a silent fallback."""
    path = tmp_path / "config.toml"
    path.write_text(f'[{section}]\n{key} = "{allowed[0]}-typo"\n')
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert f"[{section}] {key} must be one of {' | '.join(allowed)}" in str(err.value)
    path.write_text(f'[{section}]\n{key} = "{allowed[-1]}"\n')
    assert getattr(getattr(load_config(path), section), key) == allowed[-1]


def test_simulated_face_check_never_turns_an_unknown_result_into_a_match():
    from kiosk.devices.face.simulated import SimulatedFaceVerifier

    with pytest.raises(ConfigError, match="face_result"):
        SimulatedFaceVerifier(0.0, "MATCH")


def test_the_shared_technicians_pin_is_gone(tmp_path):
    """Issue 17.3: every kiosk shipped `diagnostics_pin = "2468"`; an old config says where the PIN went."""
    assert "2468" not in defaults_toml()
    path = tmp_path / "config.toml"
    path.write_text('[ui]\ndiagnostics_pin = "2468"\n')
    with pytest.raises(ConfigError, match="kiosk technician set-pin"):
        load_config(path)


def test_defaults_fail_closed():
    config = Config()
    assert config.document.block_unknown_issuer and config.document.block_invalid and not config.terminal.demo
    assert config.blocks_unknown_issuer
    relaxed = load_config(None, {"document": {"block_unknown_issuer": False}})
    assert relaxed.blocks_unknown_issuer, "outside demo mode the block cannot be turned off"
    demo = load_config(None, {"terminal": {"demo": True}, "document": {"block_unknown_issuer": False}})
    assert not demo.blocks_unknown_issuer
