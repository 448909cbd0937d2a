"""The fleet as the console shows it: each kiosk's status from its heartbeat age, uptimes, versions, backlog,
devices and the alerts that follow from what it last reported (they clear themselves when the next heartbeat is
fine), beside the latched alerts that wait for an operator (district.latched_alerts).

Reads district.stats.kiosk_overview (the same figures as `kiosk-district kiosk list`) and the unacknowledged latched
alerts; adds no state of its own.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from district.database import reader
from district.latched_alerts import open_by_kiosk
from district.stats import kiosk_overview
from district.tuf_repository import TufRepository

GREEN, AMBER, RED, PENDING, REVOKED = "green", "amber", "red", "pending", "revoked"
STATUS_ORDER = {RED: 0, AMBER: 1, GREEN: 2, PENDING: 3, REVOKED: 4}  # worst first when sorting by status
# Device states that need nobody (kiosk.devices.health: DeviceState, MediaState, PowerState values, lower-cased).
DEVICE_FINE = {"idle", "busy", "ok", "ready", "online", "full", "closed", "none", "present", "absent", "low"}
BACKLOG_ALERT = 100
SORT_KEYS = ("name", "status", "heartbeat", "uptime", "shell", "software", "catalog", "backlog", "dead", "alerts")


@dataclass(frozen=True)
class Thresholds:
    threshold_s: float  # green while the last heartbeat is at most this old
    grace_s: float  # then amber for this long, then red


@dataclass(frozen=True)
class Alert:
    key: str  # an i18n message key (district.console.i18n)
    params: dict[str, Any]


def heartbeat_status(state: str, age_s: float | None, limits: Thresholds) -> str:
    if state == "revoked":
        return REVOKED
    if state == "pending":
        return PENDING
    if age_s is None or age_s > limits.threshold_s + limits.grace_s:
        return RED
    return GREEN if age_s <= limits.threshold_s else AMBER


def device_states(devices: dict[str, Any] | None) -> dict[str, str]:
    """{device: state} from the heartbeat's `devices` (the shell's states; `checks` and `at` left out)."""
    return {name: str(value) for name, value in (devices or {}).items()
            if name not in ("checks", "at") and not isinstance(value, dict | list)}


def alerts_for(k: dict[str, Any], status: str, published: int | None,
               states: dict[str, str] | None = None) -> list[Alert]:
    out: list[Alert] = []
    if status in (AMBER, RED):
        age = k["last_heartbeat_age_s"]
        out.append(Alert("alert.never", {}) if age is None else Alert("alert.heartbeat", {"age": age}))
    for device, state in (device_states(k["devices"]) if states is None else states).items():
        if state.lower() not in DEVICE_FINE:
            out.append(Alert("alert.device", {"device": device, "state": state}))
    for device, levels in ((k["devices"] or {}).get("checks") or {}).items():
        failing = [lv for lv, c in levels.items() if isinstance(c, dict) and c.get("health") not in (None, "ok")]
        if failing:
            out.append(Alert("alert.device", {"device": device, "state": levels[failing[0]].get("status_id", "?")}))
    if (k["backlog"] or 0) >= BACKLOG_ALERT:
        out.append(Alert("alert.backlog", {"n": k["backlog"]}))
    if k["dead_letters"]:
        out.append(Alert("alert.dead", {"n": k["dead_letters"]}))
    if k["catalog_refusal"]:
        out.append(Alert("alert.catalog_refused", {"reason": k["catalog_refusal"][:120]}))
    if k["catalog_expired"]:
        out.append(Alert("alert.catalog_expired", {}))
    elif published is not None and k["catalog_version"] is not None and k["catalog_version"] < published:
        # below the version every kiosk is offered (a canary running a staged, higher one is not behind)
        out.append(Alert("alert.catalog_behind", {"applied": k["catalog_version"], "published": published}))
    if k["help_requests_open"]:
        out.append(Alert("alert.help", {"n": k["help_requests_open"]}))
    for condition in k.get("out_of_service") or []:  # shown while it holds (the latched ones: latched_alerts)
        out.append(Alert("alert.out_of_service", {"condition": str(condition)[:32]}))
    return out


def published_version(engine: Engine) -> int | None:
    """The catalog version every kiosk outside a staged rollout is offered (docs/catalog-publishing.md)."""
    from district.catalog_rollout import fleet_offer

    repository = TufRepository(reader(engine))
    with repository.session() as s:
        offer = fleet_offer(s, repository)
    return offer.version if offer else None


def fleet(engine: Engine, limits: Thresholds, now: float | None = None,
          transaction_counts: bool = True) -> tuple[list[dict[str, Any]], int | None]:
    """(one row per kiosk, the published catalog version). Each row: kiosk_overview's fields plus name, status,
    devices_state ({device: state}), alerts (self-clearing) and latched (unacknowledged latched alerts). Read
    without the write lock (district.database.reader)."""
    now = time.time() if now is None else now
    published = published_version(engine)
    latched = open_by_kiosk(reader(engine))
    rows = []
    for name, k in kiosk_overview(reader(engine), now, transaction_counts).items():
        status = heartbeat_status(k["state"], k["last_heartbeat_age_s"], limits)
        states = device_states(k["devices"])
        rows.append({**k, "name": name, "status": status, "devices_state": states,
                     "alerts": alerts_for(k, status, published, states), "latched": latched.get(name, [])})
    return rows, published


def select_rows(rows: list[dict[str, Any]], text: str = "", status: str = "", sort: str = "status",
                descending: bool = False) -> list[dict[str, Any]]:
    """Filter by name substring and status, then sort (unknown sort keys sort by status)."""
    text = text.strip().lower()
    chosen = [r for r in rows if (not text or text in r["name"].lower()) and (not status or r["status"] == status)]

    def key(r: dict[str, Any]) -> tuple:
        age = r["last_heartbeat_age_s"]
        by = {"name": (r["name"],),
              "status": (STATUS_ORDER[r["status"]], -(age if age is not None else 1e18), r["name"]),
              "heartbeat": (age if age is not None else 1e18, r["name"]),
              "uptime": (_or_minus_one(r.get("host_uptime_s")), r["name"]),
              "shell": (_or_minus_one(r.get("shell_uptime_s")), r["name"]),
              "software": (r["software_version"] or "", r["name"]),
              "catalog": (r["catalog_version"] if r["catalog_version"] is not None else -1, r["name"]),
              "backlog": (r["backlog"] or 0, r["name"]),
              "dead": (r["dead_letters"] or 0, r["name"]),
              "alerts": (-len(r["alerts"]) - len(r.get("latched") or ()), r["name"])}
        return by.get(sort, by["status"])

    return sorted(chosen, key=key, reverse=descending)


def _or_minus_one(value: float | None) -> float:
    return -1.0 if value is None else float(value)  # unknown sorts before any figure


def counts(rows: list[dict[str, Any]]) -> dict[str, int]:
    out = {s: 0 for s in STATUS_ORDER}
    for r in rows:
        out[r["status"]] += 1
    return out
