"""Publishing a catalog the way every kiosk will judge it: one validator, versions that only go up, rollback.

The catalog is checked with the contract's own validator (contract.catalog.model.parse_catalog) against the module
ids the fleet runs (contract.catalog.modules plus the district's department modules), so a catalog a kiosk would
refuse is refused here first, with every problem listed. A published version must be higher than the one published
before: kiosks refuse anything else, so accepting it would only strand them. A rollback is a new, higher version
carrying older content, because every published catalog stays stored in the repository.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from contract.catalog.modules import fleet_modules
from district.catalog_rollout import publish_version, rollback
from district.tuf_repository import OperatorKeys, Published, TufRepository

MODULES_ENV = "KIOSK_DISTRICT_MODULES"


@dataclass(frozen=True)
class Publication:
    published: Published
    previous_version: int | None
    rewritten_from: int | None = None  # the file's own version when --bump or a rollback rewrote it


def district_fleet_modules(options: Iterable[str], environ: Mapping[str, str] = os.environ) -> set[str]:
    """Module ids kiosks of this district run: built-in ones, `--module` options and KIOSK_DISTRICT_MODULES
    (comma-separated), the department packages installed across the fleet."""
    from_env = environ.get(MODULES_ENV, "").split(",")
    return fleet_modules([*options, *from_env])


def publish_catalog(repository: TufRepository, keys: OperatorKeys, data: bytes, modules: set[str],
                    bump: bool = False) -> Publication:
    """Validate `data` (CatalogInvalid lists every problem) and publish it to every kiosk; VersionNotHigher
    unless its version is above every version ever offered. `bump`: publish it as that version + 1 instead."""
    done = publish_version(repository, keys, data, modules, group=None, bump=bump)
    return Publication(done.published, done.previous_fleet_version, done.rewritten_from)


def rollback_catalog(repository: TufRepository, keys: OperatorKeys, to_version: int,
                     modules: set[str], group: str | None = None) -> Publication:
    """Publish the content once published as `to_version` again, as a version above every one offered (kiosks
    only accept higher versions). Re-validated: a module dropped from the fleet since then makes it invalid now."""
    done = rollback(repository, keys, to_version, modules, group)
    return Publication(done.published, done.previous_fleet_version, to_version)
