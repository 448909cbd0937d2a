"""Named groups of kiosks (e.g. `canary`): the audiences a catalog rollout is offered to first."""

from __future__ import annotations

import re
import time

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from district.models import KioskGroupRow, KioskRow

GROUP_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


class GroupError(ValueError):
    """A group or kiosk name that cannot be used (unknown kiosk, malformed group name)."""


def check_group_name(group: str) -> str:
    if not GROUP_NAME.match(group):
        raise GroupError(f"group name {group!r}: lower-case letters, digits, '-' and '_' (at most 64)")
    return group


def add_to_group(engine: Engine, group: str, kiosks: list[str]) -> list[str]:
    """Put registered `kiosks` into `group`; returns the ones that were not in it yet. GroupError names any
    kiosk the district does not know (then nothing changes)."""
    check_group_name(group)
    with Session(engine) as s, s.begin():
        known = set(s.scalars(select(KioskRow.name).where(KioskRow.name.in_(kiosks))))
        unknown = [k for k in kiosks if k not in known]
        if unknown:
            raise GroupError(f"no kiosk named {', '.join(map(repr, unknown))}")
        present = set(s.scalars(select(KioskGroupRow.kiosk).where(KioskGroupRow.group_name == group)))
        added = [k for k in dict.fromkeys(kiosks) if k not in present]
        now = time.time()
        s.add_all(KioskGroupRow(group_name=group, kiosk=k, added_at=now) for k in added)
    return added


def remove_from_group(engine: Engine, group: str, kiosks: list[str]) -> int:
    """Take `kiosks` out of `group`; returns how many were in it."""
    with Session(engine) as s, s.begin():
        result = s.execute(delete(KioskGroupRow).where(KioskGroupRow.group_name == group,
                                                       KioskGroupRow.kiosk.in_(kiosks)))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


def groups(engine: Engine) -> dict[str, list[str]]:
    """{group: [kiosk, ...]} sorted by name."""
    out: dict[str, list[str]] = {}
    with Session(engine) as s:
        for row in s.scalars(select(KioskGroupRow).order_by(KioskGroupRow.group_name, KioskGroupRow.kiosk)):
            out.setdefault(row.group_name, []).append(row.kiosk)
    return out


def members(s: Session, group: str) -> list[str]:
    return list(s.scalars(select(KioskGroupRow.kiosk).where(KioskGroupRow.group_name == group)
                          .order_by(KioskGroupRow.kiosk)))


def is_member(s: Session, group: str, kiosk: str) -> bool:
    return s.get(KioskGroupRow, (group, kiosk)) is not None
