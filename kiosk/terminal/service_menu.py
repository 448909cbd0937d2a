"""What the menu shows: the active catalog and, for each enabled item, the fields its module asks for.

Service modules are plugins: their `inputs()` may be slow or fail. They are called here, when the catalog is
loaded or refreshed on a worker thread, so the shell never calls plugin code on its GUI thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from contract.catalog.model import Catalog
from kiosk.services.api import InputField
from kiosk.services.registry import ModuleRegistry


@dataclass(frozen=True)
class ItemForm:
    """What the form screen asks for one item, and the help text shown above it."""

    fields: tuple[InputField, ...]
    help_zh: str = ""
    help_en: str = ""


@dataclass(frozen=True)
class ServiceMenu:
    catalog: Catalog
    forms: dict[str, ItemForm] = field(default_factory=dict)
    broken: frozenset[str] = frozenset()  # items whose module is missing or failed to describe its inputs
    unavailable: dict[str, str] = field(default_factory=dict)  # item id -> why not now (a failing device)

    @classmethod
    def build(cls, catalog: Catalog, modules: ModuleRegistry) -> ServiceMenu:
        forms: dict[str, ItemForm] = {}
        broken: set[str] = set()
        for item in catalog.items:
            module = modules.get(item.module)
            if module is None:
                broken.add(item.id)
                continue
            try:
                forms[item.id] = ItemForm(tuple(module.inputs(item.params)),
                                          item.help_zh or getattr(module, "help_zh", ""),
                                          item.help_en or getattr(module, "help_en", ""))
            except Exception:  # noqa: BLE001 - a department's plugin must not take the menu down
                broken.add(item.id)
        return cls(catalog, forms, frozenset(broken))

    def form(self, item_id: str | None) -> ItemForm | None:
        return self.forms.get(item_id or "")

    def inputs(self, item_id: str) -> tuple[InputField, ...]:
        form = self.forms.get(item_id)
        return form.fields if form is not None else ()
