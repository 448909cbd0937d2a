"""The layout's rules, checked on the source itself: every import at every nesting level, parsed with ast.

What each rule protects:
- the district imports nothing of the terminal: it installs and runs without the kiosk's stack;
- the contract imports neither side: both sides can depend on it;
- service modules never touch devices or the shell: they run headless (`kiosk service run`) and as plugins;
- devices never reach up into the terminal, the services or the shell;
- the session state machine and the store stay pure: no Qt, no device, no device library;
- the terminal reaches devices only through their Protocols, never a real implementation or its library;
- no two modules import each other, directly or round a longer loop.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("kiosk", "sync", "district", "contract")
DEVICE_LIBRARIES = ("smartcard", "cv2", "dlib", "face_recognition", "cups", "escpos", "numpy")
QT = ("PySide6", "shiboken6")
DEVICE_PROTOCOLS = {"kiosk.devices", "kiosk.devices.bundle", "kiosk.devices.camera", "kiosk.devices.document",
                    "kiosk.devices.face", "kiosk.devices.printer", "kiosk.devices.voice",
                    "kiosk.devices.health"}  # the status model and the HealthCheck Protocol

# (modules the rule applies to, imports they may not make, why)
RULES: list[tuple[str, tuple[str, ...], str]] = [
    ("district", ("kiosk", "sync"), "the district imports nothing of the terminal"),
    ("contract", ("kiosk", "sync", "district"), "the contract imports neither side"),
    ("kiosk.services", ("kiosk.devices", "kiosk.ui", "kiosk.terminal", *QT, *DEVICE_LIBRARIES),
     "services import no devices and no shell"),
    ("kiosk.devices", ("kiosk.ui", "kiosk.terminal", "kiosk.services", *QT), "devices import no shell, terminal or services"),
    ("kiosk.core", ("kiosk.devices", "kiosk.ui", "kiosk.terminal", *QT, *DEVICE_LIBRARIES),
     "the session state machine is pure"),
    ("kiosk.store", ("kiosk.devices", "kiosk.ui", "kiosk.terminal", *QT, *DEVICE_LIBRARIES), "the store is pure"),
    ("kiosk.terminal", ("kiosk.ui", *QT, *DEVICE_LIBRARIES), "the terminal imports no shell and no device library"),
    ("sync", ("kiosk.ui", "kiosk.devices", "kiosk.terminal", "district", *QT, *DEVICE_LIBRARIES),
     "the sync daemon runs without the shell and the devices"),
]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(source: str, module: str, is_package: bool, known: set[str]) -> set[str]:
    """Every module `source` imports, at any nesting level (functions, classes, `if TYPE_CHECKING`)."""
    found: set[str] = set()
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            for alias in node.names:  # `from pkg import submodule` imports the submodule
                if f"{target}.{alias.name}" in known:
                    found.add(f"{target}.{alias.name}")
    return found


def project_sources() -> dict[str, tuple[Path, bool]]:
    out = {}
    for package in PACKAGES:
        for path in (REPO / package).rglob("*.py"):
            if "migrations" in path.parts and "versions" in path.parts:
                continue
            out[module_name(path)] = (path, path.name == "__init__.py")
    return out


def import_graph() -> dict[str, set[str]]:
    sources = project_sources()
    known = set(sources)
    return {name: imports_of(path.read_text(encoding="utf-8"), name, is_pkg, known)
            for name, (path, is_pkg) in sources.items()}


def within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def violations(graph: dict[str, set[str]]) -> list[str]:
    found = []
    for module, imported in sorted(graph.items()):
        for scope, forbidden, why in RULES:
            if not within(module, scope):
                continue
            for target in sorted(imported):
                if any(within(target, f) for f in forbidden):
                    found.append(f"{module} imports {target}: {why}")
        if within(module, "kiosk.terminal"):
            for target in sorted(imported):
                if within(target, "kiosk.devices") and target not in DEVICE_PROTOCOLS:
                    found.append(f"{module} imports {target}: the terminal reaches devices only through their "
                                 "Protocols")
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), over imports between project modules."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_the_checker_sees_nested_relative_and_submodule_imports():
    source = ("import os\n"
              "def later():\n"
              "    from kiosk.devices.document import pcsc\n"
              "    class Inner:\n"
              "        import PySide6.QtWidgets\n"
              "from . import sibling\n"
              "from ..store import models\n")
    known = {"kiosk.devices.document.pcsc", "kiosk.core.sibling", "kiosk.store.models"}
    found = imports_of(source, "kiosk.core.session", False, known)
    assert {"kiosk.devices.document.pcsc", "PySide6.QtWidgets", "kiosk.core.sibling", "kiosk.store.models"} <= found
    graph = {"kiosk.core.session": found, "kiosk.devices.document.pcsc": set()}
    assert any("kiosk.core.session imports kiosk.devices.document.pcsc" in v for v in violations(graph))
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_every_module_keeps_the_layout_rules():
    found = violations(import_graph())
    assert not found, "\n".join(found)


def test_no_import_cycle():
    found = cycles(import_graph())
    assert not found, "\n".join(" -> ".join(c) for c in found)


@pytest.mark.parametrize("package", PACKAGES)
def test_every_package_has_modules(package):
    assert any(within(m, package) for m in project_sources()), f"{package} is empty: the rules above check nothing"
