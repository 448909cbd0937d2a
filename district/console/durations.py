"""Uptimes in the units operators read at a glance ("3 d 4 h"): the two largest units, rounded down."""

from __future__ import annotations

from collections.abc import Callable


def human_duration(t: Callable[..., str], seconds: float | None) -> str:
    """`seconds` as days and hours, hours and minutes, minutes, or seconds (t: the console's translator)."""
    if seconds is None or seconds < 0:
        return "–"
    whole = int(seconds)
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return t("dur.d_h", d=days, h=hours)
    if hours:
        return t("dur.h_min", h=hours, m=minutes)
    if minutes:
        return t("dur.min", m=minutes)
    return t("dur.s", s=secs)
