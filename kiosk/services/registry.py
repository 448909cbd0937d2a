"""Discovery of service modules through the `kiosk.services` entry-point group."""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import Any

from kiosk.services.api import ServiceModule

ENTRY_POINT_GROUP = "kiosk.services"


class ModuleRegistry:
    """Service modules by id. Built once at start-up; a broken plugin is reported, not fatal."""

    def __init__(self, modules: dict[str, ServiceModule], broken: dict[str, str] | None = None) -> None:
        self._modules = dict(modules)
        self.broken = dict(broken or {})

    @classmethod
    def discover(cls, group: str = ENTRY_POINT_GROUP) -> ModuleRegistry:
        """Instantiate every class registered under `group`; plugins that fail to load land in `broken`."""
        modules: dict[str, ServiceModule] = {}
        broken: dict[str, str] = {}
        for ep in entry_points(group=group):
            try:
                module_cls: Any = ep.load()
                module = module_cls()
                modules[module.id] = module
            except Exception as exc:  # noqa: BLE001 - a department's broken package must not stop the kiosk
                broken[ep.name] = f"{type(exc).__name__}: {exc}"
        return cls(modules, broken)

    def get(self, module_id: str) -> ServiceModule | None:
        """The module with this id, or None."""
        return self._modules.get(module_id)

    def ids(self) -> set[str]:
        """Ids of every loaded module."""
        return set(self._modules)
