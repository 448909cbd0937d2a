"""The district's gateway from its settings: the sources file's sources, and with --demo the demo data for every
record kind no configured source answers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine

from district.data_sources.circuit_breaker import BreakerPolicy
from district.data_sources.demo_source import DemoSource
from district.data_sources.gateway import CitizenDataGateway
from district.data_sources.registry import ConfiguredSource, load_sources
from district.data_sources.retry import RetryPolicy


def gateway_for_settings(settings: Any, engine: Engine,
                         holder_secret: Callable[[], bytes]) -> CitizenDataGateway | None:
    """None when the district has no source at all (no sources file, not a demo)."""
    sources: list[ConfiguredSource] = []
    if settings.sources_file is not None:
        sources = load_sources(settings.sources_file)
    if settings.demo:
        served = {kind for configured in sources for kind in configured.source.kinds()}
        rest = DemoSource().kinds() - served
        if rest:
            sources.append(ConfiguredSource(DemoSource("demo", frozenset(rest)), RetryPolicy(attempts=1),
                                            BreakerPolicy()))
    if not sources:
        return None
    try:
        return CitizenDataGateway(sources, engine, holder_secret)
    except BaseException:
        for configured in sources:
            configured.source.close()
        raise
