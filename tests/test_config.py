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
    assert config.devices.document_reader == "simulated"


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
