"""Installing a verified package between sessions, keeping the previous version, and restoring it by itself.

Order, each step durable before the next: unpack into versions/<v> (nothing live changes); write the state
`trial` (version, previous); switch the live symlink; start the new version through the gate. READY=1 in time:
state `confirmed`. Otherwise: switch back to the previous version, start it, state `rolled-back`, and the
version is remembered as refused so the daemon does not offer it again. A power cut during the trial leaves
the state at `trial`: `recover()` (run at boot before the shell, deploy/systemd/kiosk-update-recover.service)
restores the previous version, since nobody saw the new one reach READY=1.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from contract.atomic_write import write_atomic
from contract.eventlog import EventLog
from contract.log_events import Event
from kiosk.update.ready_gate import GateResult, ReadyGate
from kiosk.update.releases import PackageInvalid, Release, Releases

STATE_FILE = "update-state.json"


@dataclass(frozen=True)
class UpdateOutcome:
    outcome: str  # confirmed | rolled-back | refused | current
    version: str | None
    live: str | None  # the version live afterwards
    detail: str = ""
    gate: dict[str, Any] = field(default_factory=dict)


class UpdateState:
    """`<root>/update-state.json`: the phase of the last update and the versions refused after a failed gate."""

    def __init__(self, root: Path) -> None:
        self.path = Path(root) / STATE_FILE

    def read(self) -> dict[str, Any]:
        try:
            body = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return body if isinstance(body, dict) else {}

    def write(self, **values: Any) -> None:
        body = {**self.read(), **values}
        write_atomic(self.path, json.dumps(body, ensure_ascii=False, default=str).encode())

    def refused(self) -> set[str]:
        return set(self.read().get("refused") or [])


def install(releases: Releases, package: Path, gate_for: Callable[[Release], ReadyGate], timeout_s: float,
            log: EventLog) -> UpdateOutcome:
    """Install `package` (already verified: the daemon fetched it through TUF) and gate it."""
    state = UpdateState(releases.root)
    try:
        release = releases.unpack(package)
    except PackageInvalid as exc:
        log.log(Event.UPDATE_REFUSED, package=str(package), detail=exc.detail[:300])
        return UpdateOutcome("refused", None, _version(releases.current()), exc.detail)
    current = releases.current()
    if current is not None and current.version == release.version:
        return UpdateOutcome("current", release.version, release.version)
    if release.version in state.refused():
        detail = f"version {release.version} failed its health gate before: not installed again"
        log.log(Event.UPDATE_REFUSED, version=release.version, detail=detail)
        return UpdateOutcome("refused", release.version, _version(current), detail)
    state.write(phase="trial", version=release.version, previous=_version(current))
    releases.switch_to(release)
    log.log(Event.UPDATE_INSTALLED, version=release.version, previous=_version(current))
    result = gate_for(release).start_and_wait(timeout_s)
    if result.ready:
        state.write(phase="confirmed", version=release.version)
        log.log(Event.UPDATE_CONFIRMED, version=release.version, waited_s=round(result.waited_s, 2))
        return UpdateOutcome("confirmed", release.version, release.version, result.detail, asdict(result))
    return _roll_back(releases, release, result, gate_for, timeout_s, log)


def _roll_back(releases: Releases, failed: Release, result: GateResult, gate_for: Callable[[Release], ReadyGate],
               timeout_s: float, log: EventLog) -> UpdateOutcome:
    state = UpdateState(releases.root)
    try:
        previous = releases.restore_previous()
    except PackageInvalid as exc:  # a first install has nothing to go back to: say so loudly, keep the new one
        state.write(phase="failed", version=failed.version)
        log.log(Event.UPDATE_ROLLED_BACK, version=failed.version, restored=None, detail=exc.detail)
        return UpdateOutcome("rolled-back", failed.version, failed.version, exc.detail, asdict(result))
    restarted = gate_for(previous).start_and_wait(timeout_s)
    state.write(phase="rolled-back", version=failed.version, live=previous.version,
                refused=sorted(state.refused() | {failed.version}))
    log.log(Event.UPDATE_ROLLED_BACK, version=failed.version, restored=previous.version, detail=result.detail,
            waited_s=round(result.waited_s, 2), previous_ready=restarted.ready)
    return UpdateOutcome("rolled-back", failed.version, previous.version, result.detail, asdict(result))


def recover(releases: Releases, log: EventLog) -> str | None:
    """At boot: an update left in `trial` never proved itself, so the previous version goes live again.
    Returns the version restored, or None when there was nothing to do."""
    state = UpdateState(releases.root)
    body = state.read()
    if body.get("phase") != "trial":
        return None
    try:
        previous = releases.restore_previous()
    except PackageInvalid:
        return None
    state.write(phase="rolled-back", live=previous.version,
                refused=sorted(state.refused() | {str(body.get("version"))}))
    log.log(Event.UPDATE_ROLLED_BACK, version=body.get("version"), restored=previous.version,
            detail="interrupted before READY=1 (power cut or crash during the trial)")
    return previous.version


def _version(release: Release | None) -> str | None:
    return release.version if release is not None else None
