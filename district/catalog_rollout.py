"""Catalog publishing in stages: a new version offered to a group of kiosks first, then promoted to all, halted,
or rolled back (the earlier content republished as a new, higher version).

Two decisions, two kinds of key (docs/catalog-publishing.md):
* which catalogs are approved content is signed with the offline targets key: every version still offered is a
  target `catalog-<version>.json` of the one targets metadata (the fleet's also as `catalog.json`), so each kiosk
  verifies whatever it is offered through the same TUF chain, and a group change never makes a TUF version go
  down (there is one timestamp/snapshot/targets sequence for all kiosks);
* who is offered which approved catalog is the district's online decision (this module's `catalog_rollouts`
  table), told to each kiosk in its heartbeat answer. Promote and halt therefore need no key; a server holding
  only online keys can at worst offer a kiosk another catalog the targets key approved, never a version lower
  than the one it runs (kiosks refuse those) nor content nobody signed.

Every new version is validated with contract.catalog.model.parse_catalog, the validator `kiosk catalog
validate` and the kiosks run.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from contract.catalog.model import parse_catalog
from contract.heartbeat import Heartbeat, PublishedCatalog
from district.kiosk_groups import check_group_name, is_member, members
from district.models import CatalogRolloutRow, CatalogSigningRequestRow, HeartbeatRow, KioskRow, TufTargetRow
from district.tuf_repository import (
    CATALOG_TARGET,
    Published,
    RepositoryError,
    TufRepository,
    VersionNotHigher,
    catalog_target_name,
)

STAGED, PROMOTED, HALTED, SUPERSEDED = "staged", "promoted", "halted", "superseded"


class RolloutError(RepositoryError):
    """A rollout step that cannot be taken as asked (no such version, wrong state, empty group)."""


class Keys(Protocol):
    """Signers per TUF role: the server's online keys, and the targets key from wherever the operator holds it."""

    def signer(self, role: str) -> Any: ...


@dataclass(frozen=True)
class Rollout:
    version: int
    sha256: str
    target: str
    group: str | None  # None: published to every kiosk at once
    state: str
    content_of: int | None
    created_at: float
    changed_at: float
    note: str

    @classmethod
    def of(cls, row: CatalogRolloutRow) -> Rollout:
        return cls(row.version, row.sha256, row.target, row.group_name, row.state, row.content_of,
                   row.created_at, row.changed_at, row.note)


@dataclass(frozen=True)
class NewVersion:
    rollout: Rollout
    published: Published
    previous_fleet_version: int | None
    rewritten_from: int | None  # the file's own version, when it was published under another one


def with_version(data: bytes, version: int) -> bytes:
    """The catalog JSON `data` with its top-level version replaced (everything else kept as it was)."""
    doc = json.loads(data.decode("utf-8"))
    doc["version"] = version
    return (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def highest_version(s: Session, repository: TufRepository) -> int | None:
    """The highest catalog version ever offered: a new one must be above it (kiosks may run any offered one)."""
    listed = [v for v, _ in repository.listed(s).values()]
    recorded = s.scalar(select(func.max(CatalogRolloutRow.version)))
    candidates = [v for v in (*listed, recorded) if v is not None]
    return max(candidates) if candidates else None


def fleet_offer(s: Session, repository: TufRepository) -> PublishedCatalog | None:
    """The catalog every kiosk outside an active stage is offered: the promoted rollout, or the signed
    `catalog.json` when that is newer (published without a rollout, e.g. by `serve --demo`)."""
    row = s.scalar(select(CatalogRolloutRow).where(CatalogRolloutRow.state == PROMOTED)
                   .order_by(CatalogRolloutRow.version.desc()).limit(1))
    signed = repository.published(s)
    if row is not None and (signed is None or row.version >= signed[0]):
        return PublishedCatalog(version=row.version, sha256=row.sha256, target=row.target)
    if signed is not None:
        return PublishedCatalog(version=signed[0], sha256=signed[1], target=CATALOG_TARGET)
    return None


def active_stage(s: Session) -> CatalogRolloutRow | None:
    return s.scalar(select(CatalogRolloutRow).where(CatalogRolloutRow.state == STAGED)
                    .order_by(CatalogRolloutRow.version.desc()).limit(1))


@dataclass(frozen=True)
class OfferState:
    """Everything the heartbeat offers depend on, read at one moment: the fleet's catalog, the open stage with its
    group's members, and every rollout by version. Answering a kiosk from it takes no query
    (district.offer_cache keeps one per server process while nothing changes)."""

    fleet: PublishedCatalog | None
    stage: PublishedCatalog | None  # offered to `stage_members` only
    stage_members: frozenset[str]
    rollouts: dict[int, PublishedCatalog]  # every version ever rolled out (a halted stage's included)


def offer_state(s: Session, repository: TufRepository) -> OfferState:
    """Read the OfferState in `s`'s transaction."""
    stage = active_stage(s)
    staged = stage is not None and bool(stage.group_name)
    return OfferState(
        fleet=fleet_offer(s, repository),
        stage=PublishedCatalog(version=stage.version, sha256=stage.sha256, target=stage.target)
        if staged and stage is not None else None,
        stage_members=frozenset(members(s, stage.group_name)) if staged and stage is not None else frozenset(),
        rollouts={r.version: PublishedCatalog(version=r.version, sha256=r.sha256, target=r.target)
                  for r in s.execute(select(CatalogRolloutRow.version, CatalogRolloutRow.sha256,
                                            CatalogRolloutRow.target))})


def offer_in(state: OfferState, kiosk: str, running: int | None) -> PublishedCatalog | None:
    """The catalog `kiosk` (reporting that it runs version `running`) is offered in its heartbeat answer."""
    offer = state.fleet
    if state.stage is not None and (offer is None or state.stage.version > offer.version) \
            and kiosk in state.stage_members:
        offer = state.stage
    if offer is not None and running is not None and running > offer.version:
        # It applied a stage since halted: it keeps that catalog until a higher version (a rollback) reaches it,
        # so it is told its own, not a lower one it would refuse.
        own = state.rollouts.get(running)
        if own is not None:
            return own
    return offer


def offer_for(s: Session, repository: TufRepository, kiosk: str, running: int | None) -> PublishedCatalog | None:
    """The catalog `kiosk` (reporting that it runs version `running`) is offered in its heartbeat answer."""
    return offer_in(offer_state(s, repository), kiosk, running)


def halt_on_refusal(s: Session, kiosk: str, beat: Heartbeat) -> Rollout | None:
    """Halt the active stage when `kiosk`, one of its group, reports it refused that catalog; returns the halted
    rollout (None when nothing was halted). Runs in the heartbeat's transaction."""
    refused = beat.catalog_refused
    if refused is None:
        return None
    stage = active_stage(s)
    if stage is None or not stage.group_name:
        return None
    if refused.version != stage.version and refused.sha256 != stage.sha256:
        return None
    if not is_member(s, stage.group_name, kiosk):
        return None
    stage.state, stage.changed_at = HALTED, time.time()
    stage.note = f"halted automatically: {kiosk} refused it: {refused.reason}"[:1000]
    return Rollout.of(stage)


def _fleet_content(s: Session, repository: TufRepository) -> tuple[bytes, int] | None:
    offer = fleet_offer(s, repository)
    if offer is None:
        return None
    data = s.scalar(select(TufTargetRow.body).where(TufTargetRow.sha256 == offer.sha256).limit(1))
    if data is None:
        raise RepositoryError(f"the content of the published catalog version {offer.version} is not stored")
    return data, offer.version


def prepare_version(s: Session, repository: TufRepository, data: bytes, modules: set[str], group: str | None,
                    bump: bool) -> tuple[bytes, int, int | None, list[tuple[bytes, int]], tuple[bytes, int] | None]:
    """Validate `data` as the kiosks will and decide what the next targets metadata lists.

    Returns (data, version, rewritten_from, staged catalogs, fleet catalog). CatalogInvalid lists every
    problem; VersionNotHigher unless the version is above every version ever offered (`bump`: publish it as
    that + 1); RolloutError for a group with no kiosk or while another stage is open."""
    catalog = parse_catalog(data, modules)
    highest = highest_version(s, repository)
    rewritten_from = None
    if highest is not None and catalog.version <= highest:
        if not bump:
            raise VersionNotHigher(catalog.version, highest)
        rewritten_from = catalog.version
        data = with_version(data, highest + 1)
        catalog = parse_catalog(data, modules)
    stage = active_stage(s)
    fleet = _fleet_content(s, repository)
    if group is None:
        return data, catalog.version, rewritten_from, [], (data, catalog.version)
    check_group_name(group)
    if not members(s, group):
        raise RolloutError(f"group {group!r} has no kiosks (kiosk-district kiosk group add {group} NAME)")
    if stage is not None:
        raise RolloutError(f"version {stage.version} is staged for group {stage.group_name!r}: promote or halt it "
                           f"first")
    return data, catalog.version, rewritten_from, [(data, catalog.version)], fleet


def record_version(s: Session, version: int, data_sha256: str, group: str | None, content_of: int | None,
                   note: str = "") -> Rollout:
    """Record a newly signed version: staged for `group`, or promoted to all (superseding what went before)."""
    now = time.time()
    if group is None:
        s.execute(update(CatalogRolloutRow).where(CatalogRolloutRow.state.in_((PROMOTED, STAGED)))
                  .values(state=SUPERSEDED, changed_at=now))
    row = CatalogRolloutRow(version=version, sha256=data_sha256, target=catalog_target_name(version),
                            group_name=group, state=STAGED if group else PROMOTED, content_of=content_of,
                            created_at=now, changed_at=now, note=note[:1000])
    s.add(row)
    # Signing requests prepared against the targets metadata just replaced can never be published now.
    s.execute(update(CatalogSigningRequestRow).where(CatalogSigningRequestRow.state == "pending")
              .values(state="stale"))
    s.flush()
    return Rollout.of(row)


def publish_version(repository: TufRepository, keys: Keys, data: bytes, modules: set[str],
                    group: str | None = None, bump: bool = False, content_of: int | None = None) -> NewVersion:
    """Validate, sign with `keys.signer("targets")` and publish a new catalog version: to `group` first, or to
    every kiosk (group None). One transaction: either everything is published and recorded, or nothing."""
    with repository.session() as s, s.begin():
        previous = fleet_offer(s, repository)
        data, version, rewritten_from, staged, fleet = prepare_version(s, repository, data, modules, group, bump)
        targets_md = repository.next_targets(s, fleet, staged)
        targets_md.sign(keys.signer("targets"))
        contents = {version: data, **({fleet[1]: fleet[0]} if fleet else {})}
        published = repository.store_signed_targets(s, keys, targets_md, contents)  # type: ignore[arg-type]
        sha = targets_md.signed.targets[catalog_target_name(version)].hashes["sha256"]
        rollout = record_version(s, version, sha, group, content_of)
    return NewVersion(rollout, published, previous.version if previous else None, rewritten_from)


def rollback_content(repository: TufRepository, to_version: int) -> bytes:
    """The content once published as `to_version` (RolloutError when there is none, or it is the highest version
    ever offered: then every kiosk runs it or will, and there is nothing to roll back)."""
    with repository.session() as s:
        content = repository.published_contents(to_version, s)
        if content is None:
            raise RolloutError(f"no catalog was ever published as version {to_version}")
        if highest_version(s, repository) == to_version:
            raise RolloutError(f"version {to_version} is the published catalog already")
    return content


def rollback(repository: TufRepository, keys: Keys, to_version: int, modules: set[str],
             group: str | None = None) -> NewVersion:
    """Republish the content of `to_version` as a new version above every one offered (TUF clients and kiosks
    refuse lower versions), re-validated; to every kiosk unless `group`. An open stage is superseded."""
    content = rollback_content(repository, to_version)
    with repository.session() as s, s.begin():
        highest = highest_version(s, repository) or 0
    return publish_version(repository, keys, with_version(content, highest + 1), modules, group,
                           content_of=to_version)


def _set_state(engine: Engine, version: int, allowed: tuple[str, ...], state: str, note: str) -> Rollout:
    with Session(engine) as s, s.begin():
        row = s.get(CatalogRolloutRow, version, with_for_update=True)
        if row is None:
            raise RolloutError(f"no rollout of catalog version {version}")
        if row.state not in allowed:
            raise RolloutError(f"version {version} is {row.state}, not {' or '.join(allowed)}")
        now = time.time()
        if state == PROMOTED:
            s.execute(update(CatalogRolloutRow).where(CatalogRolloutRow.state == PROMOTED)
                      .values(state=SUPERSEDED, changed_at=now))
        row.state, row.changed_at, row.note = state, now, note[:1000]
        return Rollout.of(row)


def promote(engine: Engine, version: int, note: str = "") -> Rollout:
    """Offer the staged `version` to every kiosk (no key needed: the targets key approved it when staging)."""
    return _set_state(engine, version, (STAGED,), PROMOTED, note or "promoted to all kiosks")


def halt(engine: Engine, version: int, reason: str) -> Rollout:
    """Stop offering the staged `version`; kiosks that applied it keep it until a higher version reaches them."""
    return _set_state(engine, version, (STAGED,), HALTED, f"halted: {reason}")


def rollouts(engine: Engine) -> list[Rollout]:
    with Session(engine) as s:
        return [Rollout.of(r) for r in s.scalars(select(CatalogRolloutRow)
                                                 .order_by(CatalogRolloutRow.version.desc()))]


def rollout_status(engine: Engine, repository: TufRepository) -> dict[str, Any]:
    """What operators watch: the fleet's catalog, the open stage, each version with the kiosks it is offered to
    and the kiosks that report running it (from their latest heartbeats)."""
    with Session(engine) as s:
        fleet = fleet_offer(s, repository)
        running: dict[str, int | None] = {k: None for k in s.scalars(
            select(KioskRow.name).where(KioskRow.state == "enrolled"))}
        for row in s.scalars(select(HeartbeatRow)):
            if row.kiosk in running:
                version = (row.body or {}).get("catalog_version")
                running[row.kiosk] = version if isinstance(version, int) else None
        state = offer_state(s, repository)
        offered = {k: offer_in(state, k, v) for k, v in running.items()}
        versions = []
        for r in s.scalars(select(CatalogRolloutRow).order_by(CatalogRolloutRow.version.desc())):
            audience = members(s, r.group_name) if r.group_name and r.state in (STAGED, HALTED) \
                else sorted(running)
            applied = sorted(k for k, v in running.items() if v == r.version)
            versions.append({**asdict(Rollout.of(r)), "audience": len(audience),
                             "offered_to": sorted(k for k, o in offered.items() if o and o.version == r.version),
                             "applied": len(applied), "applied_by": applied})
        stage = active_stage(s)
    return {"fleet": fleet.model_dump() if fleet else None,
            "stage": asdict(Rollout.of(stage)) if stage else None,
            "kiosks": {k: {"running": v, "offered": offered[k].version if offered[k] else None}
                       for k, v in sorted(running.items())},
            "versions": versions}
