"""Data-source adapters by name, from the `kiosk_district.data_sources` entry-point group, and the sources file
that configures a district's sources (`kiosk-district serve --sources FILE`, docs/data-sources.md)."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Any

from district.data_sources.circuit_breaker import BreakerPolicy
from district.data_sources.interface import CitizenDataSource, SourceFactory
from district.data_sources.retry import RetryPolicy

ENTRY_POINT_GROUP = "kiosk_district.data_sources"
_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-_")


class SourcesConfigError(ValueError):
    """The sources file cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class ConfiguredSource:
    source: CitizenDataSource
    retry: RetryPolicy
    breaker: BreakerPolicy


def adapter_entry_points(group: str = ENTRY_POINT_GROUP) -> dict[str, EntryPoint]:
    """Every adapter registered under `group`, by name; loaded only when a source uses it, so one department's
    broken package does not stop a district that does not use it."""
    return {ep.name: ep for ep in entry_points(group=group)}


def _build(entry_point: EntryPoint, name: str, options: Mapping[str, Any], config_dir: Path) -> CitizenDataSource:
    try:
        factory: SourceFactory = entry_point.load()
    except (ImportError, AttributeError) as exc:
        raise SourcesConfigError(f"sources.{name}.adapter: {entry_point.name!r} does not load: "
                                 f"{type(exc).__name__}: {exc}") from None
    source = factory(name, options, config_dir)
    if not isinstance(source, CitizenDataSource):
        raise SourcesConfigError(f"sources.{name}: adapter {entry_point.name!r} did not make a data source")
    return source


def _policy(cls: type, table: Any, where: str) -> Any:
    if table is None:
        return cls()
    if not isinstance(table, Mapping):
        raise SourcesConfigError(f"{where}: expected a table")
    known = {f.name for f in fields(cls)}
    unknown = set(table) - known
    if unknown:
        raise SourcesConfigError(f"{where}: unknown keys {sorted(unknown)} (known: {sorted(known)})")
    try:
        return cls(**table)
    except (TypeError, ValueError) as exc:
        raise SourcesConfigError(f"{where}: {exc}") from None


def load_sources(path: Path, group: str = ENTRY_POINT_GROUP) -> list[ConfiguredSource]:
    """Build every source of the sources file at `path` (TOML: one `[sources.NAME]` table each)."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SourcesConfigError(f"{path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise SourcesConfigError(f"{path}: not valid TOML: {exc}") from None
    tables = data.get("sources")
    if not isinstance(tables, Mapping) or not tables:
        raise SourcesConfigError(f"{path}: no [sources.NAME] table")
    factories = adapter_entry_points(group)
    built: list[ConfiguredSource] = []
    try:
        for name, options in tables.items():
            where = f"{path}: sources.{name}"
            if not name or len(name) > 64 or set(name) - _NAME_CHARS:
                raise SourcesConfigError(f"{where}: a source name is 1-64 of a-z 0-9 - _")
            if not isinstance(options, Mapping):
                raise SourcesConfigError(f"{where}: expected a table")
            adapter = options.get("adapter")
            if adapter not in factories:
                raise SourcesConfigError(f"{where}.adapter: {adapter!r} is not an installed adapter "
                                         f"(installed: {', '.join(sorted(factories)) or 'none'})")
            retry = _policy(RetryPolicy, options.get("retry"), f"{where}.retry")
            breaker = _policy(BreakerPolicy, options.get("breaker"), f"{where}.breaker")
            adapter_options = {k: v for k, v in options.items() if k not in ("adapter", "retry", "breaker")}
            try:
                source = _build(factories[adapter], name, adapter_options, path.parent)
            except SourcesConfigError:
                raise
            except (ValueError, OSError) as exc:
                raise SourcesConfigError(f"{path}: {exc}") from None
            built.append(ConfiguredSource(source, retry, breaker))
    except BaseException:
        for done in built:
            done.source.close()
        raise
    return built
