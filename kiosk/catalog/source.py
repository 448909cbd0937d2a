"""Which catalog is active: the district's last verified one in the data folder, else the shipped one.

The sync daemon replaces `<data>/catalog/current.json` only by atomic rename after verifying it; the terminal
calls `refresh()` between citizen sessions, so a catalog never changes under a citizen's finger. A file that
fails validation is logged and ignored: the last good catalog stays active.
"""

from __future__ import annotations

from pathlib import Path

from contract.catalog.model import Catalog, CatalogInvalid, load_catalog
from contract.eventlog import EventLog
from contract.log_events import Event

SHIPPED_CATALOG = Path(__file__).resolve().parents[2] / "assets" / "catalog" / "catalog.json"


class CatalogSource:
    def __init__(self, data_dir: Path, log: EventLog, known_modules: set[str] | None,
                 override: Path | None = None, shipped: Path = SHIPPED_CATALOG) -> None:
        self._district_file = override or data_dir / "catalog" / "current.json"
        self._shipped = shipped
        self._log = log
        self._known = known_modules
        self._stamp: tuple[str, float, int] | None = None
        self.catalog: Catalog = self._load_initial()

    def _load_initial(self) -> Catalog:
        for path in (self._district_file, self._shipped):
            catalog = self._try(path)
            if catalog is not None:
                return catalog
        raise CatalogInvalid([f"no usable catalog at {self._district_file} or {self._shipped}"])

    def _try(self, path: Path) -> Catalog | None:
        try:
            st = path.stat()
        except OSError:
            return None
        try:
            catalog = load_catalog(path, self._known)
        except (CatalogInvalid, OSError) as exc:
            self._log.log(Event.CATALOG_REJECTED, path=str(path), problems=str(exc)[:500])
            self._stamp = (str(path), st.st_mtime, st.st_size)  # do not re-parse the same bad file every tick
            return None
        self._stamp = (str(path), st.st_mtime, st.st_size)
        self._log.log(Event.CATALOG_LOADED, path=str(path), version=catalog.version, items=len(catalog.items))
        return catalog

    def refresh(self) -> bool:
        """Load the district's catalog if its file changed since last time; True if a new one is active."""
        try:
            st = self._district_file.stat()
        except OSError:
            return False
        if self._stamp == (str(self._district_file), st.st_mtime, st.st_size):
            return False
        catalog = self._try(self._district_file)
        if catalog is None or catalog.sha256 == self.catalog.sha256:
            return False
        self.catalog = catalog
        self._log.log(Event.CATALOG_APPLIED, version=catalog.version, sha256=catalog.sha256[:16])
        return True
