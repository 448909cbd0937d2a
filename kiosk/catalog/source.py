"""Which catalog is active: the district's last verified one in the data folder, else the shipped one.

The sync daemon replaces `<data>/catalog/current.json` only by atomic rename after verifying it with the same
validator and module set; the terminal calls `refresh()` between citizen sessions, so a catalog never changes
under a citizen's finger. A file that fails validation is logged and ignored: the last good catalog stays active.
When no good district catalog can be loaded at start the shipped one serves, and `fallback` says why: the shell's
status line, `kiosk catalog list` and the heartbeat show it, so an operator never mistakes it for the district's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from contract.catalog.model import Catalog, CatalogInvalid, load_catalog
from contract.eventlog import EventLog
from contract.log_events import Event

SHIPPED_CATALOG = Path(__file__).resolve().parents[2] / "assets" / "catalog" / "catalog.json"


@dataclass(frozen=True)
class ActiveCatalog:
    """Where the active catalog came from: `district` (or `override`: a file named in the configuration) or
    `shipped`; `fallback` is why the shipped one serves when a district (or override) file exists but was
    refused, None otherwise."""

    source: str
    version: int
    fallback: str | None = None

    def as_status(self) -> dict[str, object]:
        return {"source": self.source, "version": self.version, "fallback": self.fallback}


class CatalogSource:
    def __init__(self, data_dir: Path, log: EventLog, known_modules: set[str] | None,
                 override: Path | None = None, shipped: Path = SHIPPED_CATALOG) -> None:
        self._district_file = override or data_dir / "catalog" / "current.json"
        self._district_kind = "override" if override else "district"
        self._shipped = shipped
        self._log = log
        self._known = known_modules
        self._stamp: tuple[str, float, int] | None = None
        self.active: ActiveCatalog
        self.catalog: Catalog = self._load_initial()

    def _load_initial(self) -> Catalog:
        catalog, problem = self._try(self._district_file)
        if catalog is not None:
            self.active = ActiveCatalog(self._district_kind, catalog.version)
            return catalog
        fallback = None
        if problem is not None:
            fallback = f"the {self._district_kind} catalog {self._district_file} was refused: {problem}"
        catalog, shipped_problem = self._try(self._shipped)
        if catalog is None:
            raise CatalogInvalid([f"no usable catalog at {self._district_file} ({problem or 'absent'}) or "
                                  f"{self._shipped} ({shipped_problem or 'absent'})"])
        self.active = ActiveCatalog("shipped", catalog.version, fallback)
        if fallback:
            self._log.log(Event.CATALOG_REJECTED, path=str(self._district_file), fallback="shipped",
                          problems=fallback[:500])
        return catalog

    def _try(self, path: Path) -> tuple[Catalog | None, str | None]:
        """The catalog at `path`, or None and why (None too when the file is simply absent)."""
        try:
            st = path.stat()
        except OSError:
            return None, None
        try:
            catalog = load_catalog(path, self._known)
        except (CatalogInvalid, OSError) as exc:
            self._log.log(Event.CATALOG_REJECTED, path=str(path), problems=str(exc)[:500])
            self._stamp = (str(path), st.st_mtime, st.st_size)  # do not re-parse the same bad file every tick
            return None, str(exc)[:500]
        self._stamp = (str(path), st.st_mtime, st.st_size)
        self._log.log(Event.CATALOG_LOADED, path=str(path), version=catalog.version, items=len(catalog.items))
        return catalog, None

    def refresh(self) -> bool:
        """Load the district's catalog if its file changed since last time; True if a new one is active."""
        try:
            st = self._district_file.stat()
        except OSError:
            return False
        if self._stamp == (str(self._district_file), st.st_mtime, st.st_size):
            return False
        catalog, problem = self._try(self._district_file)
        if catalog is None:
            if self.active.source == "shipped" and problem is not None:  # still falling back: say why now
                self.active = ActiveCatalog("shipped", self.catalog.version,
                                            f"the {self._district_kind} catalog {self._district_file} was "
                                            f"refused: {problem}")
            return False
        if catalog.sha256 == self.catalog.sha256:
            self.active = ActiveCatalog(self._district_kind, catalog.version)
            return False
        self.catalog = catalog
        self.active = ActiveCatalog(self._district_kind, catalog.version)
        self._log.log(Event.CATALOG_APPLIED, version=catalog.version, sha256=catalog.sha256[:16])
        return True


def active_catalog(data_dir: Path, known_modules: set[str] | None, override: Path | None = None) -> ActiveCatalog:
    """Which catalog a terminal started now would serve, and why (what the heartbeat and the CLI report)."""
    from contract.eventlog import NullEventLog

    return CatalogSource(data_dir, NullEventLog(), known_modules, override=override).active
