"""The sync daemon: drains the outbox to the district, sends heartbeats, keeps the catalog current.

Delivery is at-least-once with the district deduplicating by transaction id, so the effect is exactly once:
a batch is sent in sequence order, the rows are settled (delivered / dead-lettered) only after the district's
answer, and only then is the next batch sent. Retryable failures back off exponentially with jitter; retries are
driven by a timer and by the network coming back. A crash at any point leaves every row pending or settled.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from contract.atomic_write import write_atomic
from contract.eventlog import EventLog
from contract.heartbeat import CatalogRefusal, Heartbeat, HeartbeatAnswer, PublishedCatalog
from contract.log_events import Event
from contract.request_signing import RequestSigner
from kiosk.config import Config
from kiosk.errors import DistrictUnavailable
from kiosk.link.enrollment import EnrollmentRefused, current_enrollment, enroll
from kiosk.link.kiosk_key import KioskKeyLost, load_key, replace_key
from kiosk.store.diagnostics import heartbeat_devices
from kiosk.store.outbox import Outbox, Settlement
from sync.backoff import Backoff
from sync.catalog_updater import (
    CatalogCheck,
    CatalogUpdater,
    active_catalog_sha256,
    active_catalog_version,
    check_as_state,
)
from sync.link import DistrictLink, Refused, Unreachable
from sync.network_watch import NetworkWatch
from sync.revocation import Revocation
from sync.service_report import ServiceReport
from sync.uptime import host_uptime_s, split_shell_uptime

STATUS_FILE = Path("sync") / "status.json"


@dataclass(frozen=True)
class DrainResult:
    outcome: str  # empty | more | unreachable | refused | revoked
    sent: int = 0
    delivered: int = 0
    dead_lettered: int = 0
    reason: str = ""
    retry_after_s: float | None = None


def _iso_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class SyncDaemon:
    """One kiosk's sync loop. `run()` until `stop` is set; `drain()`, `heartbeat()`, `check_catalog()` once."""

    def __init__(self, config: Config, engine: Engine, log: EventLog, token: str | None = None,
                 transport: Any = None, network: NetworkWatch | None = None,
                 clock: Callable[[], float] = time.time, known_modules: set[str] | None = None) -> None:
        """`known_modules`: ids of the service modules installed on this kiosk (default: discovered from the
        entry points, as the shell does): a catalog naming any other module is refused as a whole."""
        self._config = config
        self._sync = config.sync
        self._data = Path(config.data_dir)
        self._engine = engine
        self._log = log
        self._token = token
        self._transport = transport
        self._clock = clock  # wall clock: request timestamps and skew measurement only, never ordering
        self._outbox = Outbox(engine)
        self._network = network or NetworkWatch()
        self._backoff = Backoff(self._sync.backoff_base_s, self._sync.backoff_cap_s)
        self._batch = max(1, self._sync.batch_size)
        self._link: DistrictLink | None = None
        self._catalog_state: dict[str, Any] | None = None
        self._known_modules = known_modules
        self._catalog_hint = False  # the last heartbeat answer named a catalog other than ours: check at once
        self._hinted_sha: str | None = None  # hint once per announced catalog, not at every heartbeat
        self._shell_catalog: tuple[tuple[float, int, int] | None, dict[str, Any]] | None = None
        self._revocation = Revocation(self._outbox, self._data)
        self._token_refused = False

    # -- identity -------------------------------------------------------------------------------------------------
    def ensure_enrolled(self) -> None:
        """Enroll at first start (token from `kiosk enroll --token` or --token; none on a demo district).

        Raises EnrollmentRefused or DistrictUnavailable; KioskKeyLost (a DistrictUnavailable) when the kiosk is
        enrolled but its key is gone, which is logged and recorded in the status (`kiosk_key: lost`).
        """
        try:
            self._ensure_enrolled()
        except KioskKeyLost as exc:
            if self._outbox.state().get("kiosk_key") != "lost":  # logged once, not at every retry
                self._log.log(Event.KIOSK_KEY_LOST, kiosk=self._config.terminal.kiosk_id, detail=exc.detail[:300])
            self._outbox.put_state({"kiosk_key": "lost", "link": "key-lost", "last_error": exc.detail[:300],
                                    "last_error_at": _iso_now()})
            raise

    def _ensure_enrolled(self) -> None:
        kiosk_id = self._config.terminal.kiosk_id
        url = self._config.terminal.district_url
        enrollment = current_enrollment(self._data)
        if enrollment is None or enrollment.kiosk_id != kiosk_id:
            enroll(self._data, url, kiosk_id, self._token, timeout_s=self._sync.request_timeout_s,
                   transport=self._transport, ca_file=self._config.terminal.district_ca)
            self._token = None  # one-time: used up (a re-admission brings a new one)
            self._log.log(Event.ENROLLED, kiosk=kiosk_id, district=url)
        if self._link is None:
            signer = RequestSigner(kiosk_id, load_key(self._data), clock=self._clock)
            self._link = DistrictLink(url, signer, self._sync.request_timeout_s, transport=self._transport,
                                      clock=self._clock, ca_file=self._config.terminal.district_ca)
            self._outbox.put_state({"kiosk_key": "ok"})

    # -- revocation -----------------------------------------------------------------------------------------------
    def in_service(self) -> bool:
        """False while the district has this kiosk revoked: then nothing is sent, not even a heartbeat.

        Re-admission ends it: an enrollment with a new key (`kiosk enroll --token`), or this daemon's own --token,
        which it uses once with a new key (the district never binds the revoked key again).
        """
        if not self._revocation.is_revoked():
            return True
        if self._token and not self._token_refused:
            try:
                replace_key(self._data)
                enroll(self._data, self._config.terminal.district_url, self._config.terminal.kiosk_id, self._token,
                       timeout_s=self._sync.request_timeout_s, transport=self._transport)
            except EnrollmentRefused as exc:
                # A one-time token refused once is refused for good (also one still on the command line from the
                # first enrollment). The replaced key lost nothing: the district never accepts the revoked one.
                self._token_refused = True
                self._log.log(Event.SYNC_REVOKED, reason=f"re-enrollment refused: {exc}"[:300])
            except DistrictUnavailable:
                pass  # tried again on the next pass
            else:
                self._token = None
        if not self._revocation.readmitted():
            return False
        self._revocation.clear()
        if self._link is not None:
            self._link.close()
            self._link = None  # signed with the revoked key: rebuilt with the new one
        self._backoff.reset()
        self._log.log(Event.SYNC_READMITTED, kiosk=self._config.terminal.kiosk_id,
                      pending=self._outbox.status()["pending"])
        return True

    def _on_revoked(self, reason: str) -> None:
        marked = self._revocation.revoke(reason)
        self._log.log(Event.SYNC_REVOKED, reason=reason[:300], undeliverable=marked)

    @property
    def link(self) -> DistrictLink:
        if self._link is None:
            self.ensure_enrolled()
        assert self._link is not None
        return self._link

    # -- outbox ---------------------------------------------------------------------------------------------------
    def drain(self, max_batches: int | None = None, alive: Callable[[], None] = lambda: None) -> DrainResult:
        """Send pending rows batch by batch until none is left, or the district is unreachable or refuses.

        `alive` is called before each batch (the service watchdog, see run()). When rows were settled (their
        payloads redacted), the WAL is checkpointed so the old page images go too.
        """
        result = self._drain(max_batches, alive)
        if result.delivered or result.dead_lettered:
            self._outbox.checkpoint()
        return result

    def _drain(self, max_batches: int | None, alive: Callable[[], None]) -> DrainResult:
        sent = delivered = dead = 0
        batch_size = self._batch
        batches = 0
        if not self.in_service():
            return DrainResult("revoked", reason="this kiosk is revoked by the district")
        while max_batches is None or batches < max_batches:
            alive()
            items = self._outbox.pending(batch_size)
            if not items:
                return DrainResult("empty", sent, delivered, dead)
            batches += 1
            self._log.log(Event.SYNC_DRAIN_INIT, items=len(items), first_seq=items[0].seq)
            try:
                answer = self.link.post("/api/v1/transactions/batch", {"items": [i.payload for i in items]})
            except Unreachable as exc:
                self._failed([i.outbox_id for i in items], exc.reason)
                return DrainResult("unreachable", sent, delivered, dead, exc.reason, exc.retry_after_s)
            except Refused as exc:
                if exc.revoked:
                    self._on_revoked(exc.reason)
                    return DrainResult("revoked", sent, delivered, dead, f"{exc.status}: {exc.reason}")
                if exc.status in (413, 422) and len(items) > 1:
                    batch_size = max(1, len(items) // 2)  # one oversized or malformed item: narrow it down
                    continue
                if exc.status in (413, 422):
                    reason = f"refused by the district ({exc.status}): {exc.reason}"
                    self._outbox.settle([Settlement(items[0].outbox_id, False, reason)], None, None)
                    self._log.log(Event.SYNC_DEAD_LETTER, seq=items[0].seq, reason=reason)
                    dead += 1
                    continue
                self._failed([i.outbox_id for i in items], f"{exc.status}: {exc.reason}", link="refused")
                return DrainResult("refused", sent, delivered, dead, f"{exc.status}: {exc.reason}")
            except KioskKeyLost as exc:  # recorded by ensure_enrolled; nothing is sent, every row stays pending
                return DrainResult("refused", sent, delivered, dead, str(exc))
            except (EnrollmentRefused, DistrictUnavailable) as exc:
                if isinstance(exc, EnrollmentRefused) and exc.revoked:
                    self._on_revoked(str(exc))
                    return DrainResult("revoked", sent, delivered, dead, str(exc))
                self._failed([], str(exc), link="refused" if isinstance(exc, EnrollmentRefused) else "offline")
                outcome = "refused" if isinstance(exc, EnrollmentRefused) else "unreachable"
                return DrainResult(outcome, sent, delivered, dead, str(exc))
            sent += len(items)
            results = {r.get("id"): r for r in (answer.body or {}).get("results", []) if isinstance(r, dict)}
            settlements = []
            for item in items:
                r = results.get(item.transaction_id)
                if r is None:
                    continue  # no word on it: stays pending, sent again next time
                if r.get("result") in ("accepted", "duplicate"):
                    settlements.append(Settlement(item.outbox_id, True))
                elif r.get("result") == "rejected":
                    reason = str(r.get("reason") or "rejected")
                    settlements.append(Settlement(item.outbox_id, False, reason))
                    self._log.log(Event.SYNC_DEAD_LETTER, seq=item.seq, reason=reason)
            now = _iso_now()
            self._outbox.settle(settlements, answer.server_time, answer.clock_skew_s,
                                state={"last_success": now, "link": "online",
                                       "clock_skew_s": None if answer.clock_skew_s is None
                                       else round(answer.clock_skew_s, 3)})
            n_ok = sum(1 for x in settlements if x.delivered)
            delivered += n_ok
            dead += len(settlements) - n_ok
            self._log.log(Event.SYNC_DRAIN_COMPLETE, items=len(items), delivered=n_ok,
                          rejected=len(settlements) - n_ok)
            if len(settlements) < len(items):
                reason = "the district's answer did not cover every item"
                self._failed([], reason)
                return DrainResult("unreachable", sent, delivered, dead, reason)
            batch_size = self._batch
        return DrainResult("empty" if not self._outbox.pending(1) else "more", sent, delivered, dead)

    def _failed(self, outbox_ids: list[int], reason: str, link: str = "offline") -> None:
        self._outbox.note_failure(outbox_ids, reason, state={"last_error": reason[:300],
                                                             "last_error_at": _iso_now(), "link": link})

    # -- heartbeat, catalog, housekeeping -------------------------------------------------------------------------
    def heartbeat(self) -> bool:
        """Send the kiosk's state to the district; True when acknowledged (heartbeat-sent is logged only then)."""
        if not self.in_service():
            return False
        status = self._outbox.status()
        catalog_state = status.get("catalog") or {}
        shell = self.shell_catalog()
        fallback = shell.get("fallback")
        refused = catalog_state.get("refused")
        report = ServiceReport(self._data, self._outbox)
        conditions, service_events = report.pending()
        health, shell_uptime = split_shell_uptime(_device_health(self._data))
        beat = Heartbeat(backlog=status["pending"], oldest_pending_age_s=status["oldest_pending_age_s"],
                         dead_letters=status["dead_letter"], last_success=status["last_success"],
                         last_error=status["last_error"], catalog_version=active_catalog_version(self._engine),
                         catalog_expired=bool(catalog_state.get("expired")),
                         catalog_source=shell.get("source"), catalog_fallback=fallback[:1000] if fallback else None,
                         catalog_refused=CatalogRefusal.model_validate(refused) if refused else None,
                         software_version=_software_version(), devices=heartbeat_devices(self._engine, health),
                         out_of_service=conditions, service_events=service_events,
                         host_uptime_s=host_uptime_s(), shell_uptime_s=shell_uptime,
                         software_refused=self._software_refused())
        try:
            answer = self.link.post("/api/v1/heartbeat", beat.model_dump(mode="json"))
        except Refused as exc:
            self._log.log(Event.HEARTBEAT_REFUSED, status=exc.status, reason=exc.reason[:200], code=exc.code)
            if exc.revoked:
                self._on_revoked(exc.reason)
            return False
        except EnrollmentRefused as exc:
            if exc.revoked:
                self._on_revoked(str(exc))
            return False
        except (Unreachable, DistrictUnavailable):
            return False
        # The skew of this answer: the shell judges its clock against it (kiosk.terminal.out_of_service).
        skew = {} if answer.clock_skew_s is None else {"clock_skew_s": round(answer.clock_skew_s, 3)}
        self._outbox.put_state({"link": "online", "last_contact": _iso_now(), **skew})
        report.acknowledged(service_events)
        self._note_published_catalog(answer.body, refused)
        self._log.log(Event.HEARTBEAT_SENT, backlog=beat.backlog)
        return True

    def _note_published_catalog(self, body: Any, refused: dict[str, Any] | None) -> None:
        """Read the heartbeat answer's published catalog: a catalog neither active nor already refused means a
        new one was published, so the loop checks the signed catalog at once (the answer is only a hint)."""
        try:
            published = HeartbeatAnswer.model_validate(body).catalog
        except ValueError:
            return  # an older district answers {"server_time": ...} only: the periodic poll still finds it
        if published is None:
            return
        if self._outbox.state().get("catalog_offer") != published.model_dump():
            self._outbox.put_state({"catalog_offer": published.model_dump()})  # kept across restarts
        if published.sha256 in (active_catalog_sha256(self._engine), (refused or {}).get("sha256"),
                                self._hinted_sha):
            return
        self._hinted_sha = published.sha256
        self._catalog_hint = True

    def catalog_offer(self) -> PublishedCatalog | None:
        """The catalog the district's last heartbeat answer offered this kiosk (None before the first answer)."""
        stored = self._outbox.state().get("catalog_offer")
        try:
            return PublishedCatalog.model_validate(stored) if stored else None
        except ValueError:
            return None

    def take_catalog_hint(self) -> bool:
        """True once after a heartbeat answer announced a catalog this kiosk neither runs nor refused."""
        hint, self._catalog_hint = self._catalog_hint, False
        return hint

    def known_modules(self) -> set[str]:
        """Ids of the service modules installed on this kiosk (discovered once, as the shell discovers them)."""
        if self._known_modules is None:
            from kiosk.services.registry import ModuleRegistry

            self._known_modules = ModuleRegistry.discover().ids()
        return self._known_modules

    def shell_catalog(self) -> dict[str, Any]:
        """Which catalog the terminal serves (district, override or shipped) and, when shipped, why: judged by
        kiosk.catalog.source as the shell judges it, again only when the district's file changed."""
        from kiosk.catalog.source import active_catalog

        override = self._config.catalog.path
        path = override or self._data / "catalog" / "current.json"
        try:
            st = Path(path).stat()
            stamp: tuple[float, int, int] | None = (st.st_mtime, st.st_size, st.st_ino)
        except OSError:
            stamp = None
        if self._shell_catalog is None or self._shell_catalog[0] != stamp:
            try:
                state = active_catalog(self._data, self.known_modules(), override).as_status()
            except Exception as exc:  # noqa: BLE001 - no usable catalog at all: report it, do not stop
                state = {"source": None, "version": None, "fallback": f"{type(exc).__name__}: {exc}"[:1000]}
            self._shell_catalog = (stamp, state)
        return self._shell_catalog[1]

    def check_catalog(self) -> dict[str, Any]:
        """Fetch, verify and apply the district's catalog; returns the catalog status stored for diagnostics.

        A refusal stays in the status (`refused`: version, sha256, reason, when) until a newer catalog is
        applied, so a later "current" check does not hide it; the heartbeat carries it to the district."""
        if not self.in_service():
            return dict(self._outbox.status().get("catalog") or {})
        try:
            check = CatalogUpdater(self._data, self.link, self._engine, self.known_modules()).check(
                self.catalog_offer())
        except (EnrollmentRefused, DistrictUnavailable) as exc:
            check = CatalogCheck("unreachable", str(exc))
        if check.outcome == "unreachable":
            self._hinted_sha = None  # the hinted catalog was not fetched: the next heartbeat may hint again
        previous = (self._outbox.state().get("catalog") or {}).get("refused")
        refused = previous
        if check.outcome == "applied":
            refused = None
            self._log.log(Event.CATALOG_APPLIED, version=check.version, sha256=(check.sha256 or "")[:16])
        elif check.outcome == "refused":
            # A catalog the district signed but this kiosk will not run (invalid here, version not higher) is
            # remembered by its hash; refused metadata (signatures, expiry) is in outcome/reason already.
            again = bool(previous and check.sha256 and previous.get("sha256") == check.sha256)
            if check.sha256 and not again:
                refused = {"version": check.version, "sha256": check.sha256, "reason": check.reason[:1000],
                           "at": _iso_now()}
            if not again:  # the same refusal at every poll is not news
                self._log.log(Event.CATALOG_REJECTED, version=check.version, reason=check.reason[:300])
        state = {**check_as_state(check, active_catalog_version(self._engine)), "refused": refused}
        self._outbox.put_state({"catalog": state})
        self._catalog_state = state
        return state

    def _software_refused(self) -> list[str]:
        """The versions the installer rolled back after a failed health gate (kiosk.update.installer.UpdateState)."""
        from kiosk.update.installer import UpdateState

        releases = self._config.updates.releases
        return sorted(UpdateState(releases).refused())[-16:] if releases is not None else []

    def check_software(self) -> dict[str, Any]:
        """Fetch and verify a newer software package through TUF into the updates folder (installed later,
        between sessions, by the root installer: kiosk.update). Returns the check as stored in the status."""
        from dataclasses import asdict

        from kiosk.update.installer import UpdateState
        from sync.software_updater import SoftwareUpdater

        updates = self._config.updates
        if updates.incoming is None or not self.in_service():
            return {}
        refused = UpdateState(updates.releases).refused() if updates.releases is not None else set()
        check = SoftwareUpdater(self._data, self.link, updates.incoming, _software_version(), refused).check()
        state = asdict(check)
        self._outbox.put_state({"software": state})
        return state

    def purge(self) -> int:
        """Delete delivered outbox rows older than the retention period, and erase the payloads of dead letters
        older than theirs; returns how many rows were deleted or erased."""
        deleted = self._outbox.purge_delivered(dt.timedelta(days=self._sync.retention_days))
        erased = self._outbox.expire_dead_letters(dt.timedelta(days=self._sync.dead_letter_retention_days))
        if deleted or erased:
            self._outbox.checkpoint()
        return deleted + erased

    def write_status_file(self) -> dict[str, Any]:
        """<data>/sync/status.json: the outbox status, for the shell's indicator (atomic replace)."""
        status = self._outbox.status()
        status["written_at"] = _iso_now()
        write_atomic(self._data / STATUS_FILE, json.dumps(status, ensure_ascii=False).encode())
        return status

    # -- the loop -------------------------------------------------------------------------------------------------
    def run(self, stop: threading.Event, alive: Callable[[], None] = lambda: None,
            max_sleep_s: float = 1.0) -> None:
        """Run until `stop` is set: drain on a timer (backoff after failures, at once when the network comes
        back), heartbeat every heartbeat_s, catalog every catalog_poll_s, purge daily.

        `alive` is called on every pass and at least every `max_sleep_s` while waiting (the service watchdog):
        the drain calls it before each batch too, so a long backlog keeps it coming and a loop stuck anywhere
        stops the calls.
        """
        mono = time.monotonic
        next_drain = next_heartbeat = next_catalog = next_purge = mono()
        while not stop.is_set():
            alive()
            if not self._safely(self.in_service):
                # Revoked: send nothing (the district stores nothing of ours); keep the status fresh for the shell
                # and look for re-admission every few seconds (a file read, no request).
                self._safely(self._revocation.mark_pending)
                self._safely(self.write_status_file)
                until = mono() + 5.0
                while not stop.is_set() and mono() < until:
                    if stop.wait(max_sleep_s):
                        break
                    alive()
                next_drain = next_heartbeat = next_catalog = mono()  # re-admitted: everything at once
                continue
            now = mono()
            if now >= next_drain:
                try:
                    result = self.drain(alive=alive)
                except Exception as exc:  # noqa: BLE001 - the loop must survive anything unexpected
                    self._log.log(Event.UNEXPECTED_ERROR, where="drain", error=f"{type(exc).__name__}: {exc}")
                    result = DrainResult("unreachable", reason=str(exc))
                if result.outcome in ("empty", "more"):
                    self._backoff.reset()
                    next_drain = mono() + (0 if result.outcome == "more" else self._sync.interval_s)
                elif result.outcome == "revoked":
                    continue  # no backoff, no retry: the next pass waits for re-admission
                else:
                    delay = self._backoff.next_delay(result.retry_after_s)
                    self._log.log(Event.SYNC_BACKOFF, reason=result.reason[:200], retry_in_s=round(delay, 2))
                    next_drain = mono() + delay
            # Heartbeats and catalog checks run whether or not anything waits in the outbox: a new or idle
            # terminal enrolls, reports its health and receives catalogs all the same.
            if now >= next_heartbeat:
                if self._enrolled():
                    self._safely(self.heartbeat)
                next_heartbeat = mono() + self._sync.heartbeat_s
                if self.take_catalog_hint():
                    next_catalog = now  # a new catalog is published: fetch it now, not at the next poll
            if now >= next_catalog:
                if self._enrolled():
                    self._safely(self.check_catalog)
                    if self._config.updates.incoming is not None:
                        self._safely(self.check_software)
                next_catalog = mono() + self._sync.catalog_poll_s
            if now >= next_purge:
                self._safely(self.purge)
                next_purge = mono() + 86400.0
            self._safely(self.write_status_file)
            wake = min(next_drain, next_heartbeat, next_catalog)
            next_status = mono() + 5.0
            while not stop.is_set() and mono() < wake:
                if stop.wait(min(max_sleep_s, max(0.0, wake - mono()))):
                    break
                alive()
                if mono() >= next_status:  # keep the shell's indicator fresh during long backoffs
                    self._safely(self.write_status_file)
                    next_status = mono() + 5.0
                if self._network.changed():  # the network may be back: retry now, not at the backoff's end
                    self._backoff.reset()
                    next_drain = mono()
                    break
        if self._link is not None:
            self._link.close()

    def _enrolled(self) -> bool:
        """Enroll if not yet done; False (and the failure recorded in the status) when the district says no or
        cannot be reached."""
        if self._link is not None:
            return True
        try:
            self.ensure_enrolled()
        except KioskKeyLost:
            return False  # already recorded in the status
        except (EnrollmentRefused, DistrictUnavailable) as exc:
            if isinstance(exc, EnrollmentRefused) and exc.revoked:
                self._on_revoked(str(exc))
                return False
            self._failed([], str(exc), link="refused" if isinstance(exc, EnrollmentRefused) else "offline")
            return False
        return True

    def _safely(self, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except Exception as exc:  # noqa: BLE001 - housekeeping never kills the daemon
            self._log.log(Event.UNEXPECTED_ERROR, where=fn.__name__, error=f"{type(exc).__name__}: {exc}")
            return None


def _software_version() -> str:
    try:
        from importlib.metadata import version

        return version("kiosk")
    except Exception:  # noqa: BLE001
        return "unknown"


def _device_health(data_dir: Path) -> dict[str, Any]:
    """Device states the shell last wrote to <data>/devices.json, if it does (best effort)."""
    try:
        return json.loads((data_dir / "devices.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
