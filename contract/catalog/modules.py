"""The service-module ids every kiosk of the fleet runs: the built-in modules, as the contract states them.

The district never sees a kiosk's installed plugins, yet it must validate a catalog exactly as the kiosk will
(contract.catalog.model.parse_catalog with the set of module ids) so that a catalog naming a module the kiosks lack
is refused at publication, not discovered on the terminals. The built-in ids live here, beside the catalog schema;
a district adds the ids of the department packages its kiosks install (`kiosk-district catalog publish
--module ID`, or the KIOSK_DISTRICT_MODULES environment variable). tests/test_catalog_modules.py keeps this list
equal to the kiosk's built-in entry points.
"""

from __future__ import annotations

from collections.abc import Iterable

BUILTIN_MODULE_IDS: frozenset[str] = frozenset({
    "social-insurance-record",
    "record-certificate",
    "information-sheet",
    "application-form",
    "appointment-booking",
    "status-query",
})


def fleet_modules(extra: Iterable[str] = ()) -> set[str]:
    """The module ids a catalog may name on this fleet: the built-in ones plus `extra` (blank entries ignored)."""
    return set(BUILTIN_MODULE_IDS) | {m.strip() for m in extra if m and m.strip()}
