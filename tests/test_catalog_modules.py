"""The contract's list of built-in module ids is the kiosk's own: what the district validates catalogs against."""

from __future__ import annotations

import tomllib
from importlib import import_module

from contract.catalog.modules import BUILTIN_MODULE_IDS, fleet_modules
from district.catalog_publishing import district_fleet_modules
from tests.sync.district_process import REPO


def test_builtin_module_ids_are_the_kiosk_built_in_entry_points():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    built_in = project["project"]["entry-points"]["kiosk.services"]
    ids = set()
    for target in built_in.values():
        module_name, _, class_name = target.partition(":")
        ids.add(getattr(import_module(module_name), class_name).id)
    assert ids == set(BUILTIN_MODULE_IDS)


def test_the_district_adds_department_modules_from_options_and_environment():
    assert fleet_modules() == set(BUILTIN_MODULE_IDS)
    got = district_fleet_modules(["housing-extract"], {"KIOSK_DISTRICT_MODULES": "tax-statement, ,parking"})
    assert got == set(BUILTIN_MODULE_IDS) | {"housing-extract", "tax-statement", "parking"}
