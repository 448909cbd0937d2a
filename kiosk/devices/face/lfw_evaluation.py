"""Verification measured on a labelled face set (faces-lfw): comparisons, identity split, variants, error rates.

Protocol (what every figure in docs/face-threshold.md and the face bench rows means):

- The people are split in two halves by identity (seeded shuffle of the sorted names): the threshold of every
  variant is chosen on the CHOOSING half and its error rates are reported on the HELD-OUT half, so no person of
  the reported figures took part in any choice.
- Every photo is encoded as itself and as a chip-like rendition (chip_like.py: ICAO-like crop, 240x320, JPEG 2000
  of ~15 KB), the kiosk's real reference. Photo views: plain (1 jitter) and mirror-averaged; chip views: plain,
  mirror-averaged and 10 jitters.
- Single comparisons: "chip vs photo": the chip rendition of photo A against photo B (A != B; same person:
  genuine, different people: impostor); "photo vs photo": unordered pairs of two different photos.
- Multi-frame decisions (the kiosk matches several frames captured during the liveness challenge): the chip
  rendition of photo A against the set of the other photos of one person, used as the "frames", fused into one
  score (median, mean, min of the distances, or distance to the mean descriptor). Impostor trials use the photos
  of another person minus one (so they bring as many frames as genuine ones). This EMULATES a live capture with
  photos of different days, light and age: live frames of one sitting are far more alike than that, so fusion
  gains here are an upper bound of what the kiosk's frames bring.
- A photo whose (centre) face is not found is a failure to acquire: a genuine trial that needs it counts as a
  rejection, an impostor trial that needs it is left out (it can never be a false accept). Counts are reported.

Descriptors live only in memory for the run; the photos are read where they lie and never copied.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from kiosk.devices.face.chip_like import chip_rendition
from kiosk.devices.face.dlib_models import FaceModels, encode_views
from kiosk.devices.face.error_rates import (
    ClusteredRates,
    Rate,
    Trials,
    threshold_at_far,
    threshold_for_far,
)
from kiosk.devices.face.photo import UnreadableImage, decode_image, find_faces

SPLIT_SEED = 10  # the identity split; changing it changes which people are held out
REFERENCE_JITTERS = 10
VIEWS = ("photo", "photo_mirror", "chip", "chip_mirror", "chip_jitter10")
FUSIONS = ("single", "median", "mean", "min", "centroid")
TARGET_FAR = 0.001  # the border-gate anchor: at most 0.1% impostors accepted ...
TARGET_FRR = 0.05  # ... with at most 5% genuine holders turned away
GRID = [round(0.30 + 0.0025 * i, 4) for i in range(161)]  # 0.30 .. 0.70


@dataclass(frozen=True)
class LabelledPhoto:
    file: str
    identity: str


@dataclass(frozen=True)
class EncodedPhoto:
    """One labelled photo and its descriptors by view name (missing: the face was not found in that rendition)."""

    file: str
    identity: str
    views: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass(frozen=True)
class Variant:
    """One way of deciding: which views are compared, and how several frames are fused."""

    key: str
    label: str
    reference_view: str  # a chip view: the document photo
    probe_view: str  # a photo view: the live frame(s)
    fusion: str = "single"  # single | median | mean | min | centroid
    first_reference_only: bool = False  # only each person's first photo serves as a reference (chip)
    threshold_from: str | None = None  # use the threshold chosen for this (single-frame) variant instead of its own


VARIANTS = [
    Variant("plain", "1 descriptor, 1 frame (the code before issue 10)", "chip", "photo"),
    Variant("mirror", "mirror-averaged descriptors, 1 frame", "chip_mirror", "photo_mirror"),
    Variant("plain/first", "1 descriptor, 1 frame; first photos as references", "chip", "photo",
            first_reference_only=True),
    Variant("mirror/first", "mirror-averaged descriptors, 1 frame; first photos as references", "chip_mirror",
            "photo_mirror", first_reference_only=True),
    Variant("ref-jitter", "10-jitter reference, 1 frame; first photos as references", "chip_jitter10", "photo",
            first_reference_only=True),
    Variant("ref-jitter+mirror", "10-jitter reference, mirror-averaged frame; first photos as references",
            "chip_jitter10", "photo_mirror", first_reference_only=True),
    Variant("frames-median", "frames fused: median distance (the live rule before issue 10)", "chip", "photo", "median"),
    Variant("frames-mean", "frames fused: mean distance", "chip", "photo", "mean"),
    Variant("frames-min", "frames fused: smallest distance", "chip", "photo", "min"),
    Variant("frames-centroid", "frames fused: distance to the mean descriptor", "chip", "photo", "centroid"),
    Variant("mirror+frames-mean", "mirror-averaged, frames fused: mean distance", "chip_mirror", "photo_mirror",
            "mean"),
    Variant("mirror+frames-centroid", "mirror-averaged, frames fused: mean descriptor", "chip_mirror",
            "photo_mirror", "centroid"),
    # fused scores judged with the single-frame threshold: safe whatever the correlation of the live frames
    Variant("frames-median@1", "frames fused: median distance, single-frame threshold", "chip", "photo",
            "median", threshold_from="plain"),
    Variant("frames-mean@1", "frames fused: mean distance, single-frame threshold", "chip", "photo", "mean",
            threshold_from="plain"),
    Variant("mirror+frames-mean@1", "mirror-averaged, frames fused: mean distance, single-frame threshold",
            "chip_mirror", "photo_mirror", "mean", threshold_from="mirror"),
    Variant("mirror/first+frames-mean@1", "mirror-averaged, frames fused: mean distance, single-frame threshold; "
            "first photos as references", "chip_mirror", "photo_mirror", "mean", first_reference_only=True,
            threshold_from="mirror/first"),
    Variant("ref-jitter+mirror+frames-mean@1", "10-jitter reference, mirror-averaged frames fused: mean distance, "
            "single-frame threshold; first photos as references", "chip_jitter10", "photo_mirror", "mean",
            first_reference_only=True, threshold_from="ref-jitter+mirror"),
]


def read_labels(folder: Path) -> list[LabelledPhoto]:
    """The (file, identity) rows of LABELS.tsv (header line skipped)."""
    rows = []
    for line in (folder / "LABELS.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        parts = line.split("\t")
        if len(parts) >= 2 and parts[0].strip() and parts[1].strip():
            rows.append(LabelledPhoto(parts[0].strip(), parts[1].strip()))
    return rows


def split_identities(identities: Iterable[str], seed: int = SPLIT_SEED) -> tuple[list[str], list[str]]:
    """(choosing half, held-out half): a seeded shuffle of the sorted distinct identities, cut in the middle."""
    people = sorted(set(identities))
    random.Random(seed).shuffle(people)
    half = len(people) // 2
    return sorted(people[:half]), sorted(people[half:])


def _centre_face(boxes: Sequence[tuple[int, int, int, int]], shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    # LFW photos are centred on the labelled person; other faces in the background are not theirs
    cy, cx = shape[0] / 2, shape[1] / 2
    return min(boxes, key=lambda b: ((b[0] + b[2]) / 2 - cx) ** 2 + ((b[1] + b[3]) / 2 - cy) ** 2)


def encode_labelled_photo(models: FaceModels, item: tuple[str, str, str, bool]) -> EncodedPhoto:
    """Worker job: every view of one labelled photo (path, file, identity, whether to add the 10-jitter chip view);
    views whose face was not found are absent."""
    import cv2

    path, file, identity, jitter_reference = item
    views: dict[str, np.ndarray] = {}
    try:
        with open(path, "rb") as f:
            rgb = decode_image(f.read())
    except (OSError, UnreadableImage):
        return EncodedPhoto(file, identity, views)
    boxes = find_faces(models, rgb)
    if not boxes:
        return EncodedPhoto(file, identity, views)
    box = _centre_face(boxes, rgb.shape)
    points = models.landmarks(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), box)
    views["photo"], views["photo_mirror"] = encode_views(models.dlib, models.encoder, rgb, box, points)
    chip = decode_image(chip_rendition(rgb, box))
    chip_boxes = find_faces(models, chip)
    if chip_boxes:
        cbox = chip_boxes[0]
        cpoints = models.landmarks(cv2.cvtColor(chip, cv2.COLOR_RGB2GRAY), cbox)
        views["chip"], views["chip_mirror"] = encode_views(models.dlib, models.encoder, chip, cbox, cpoints)
        if jitter_reference:
            views["chip_jitter10"] = models.encode(chip, cbox, cpoints, REFERENCE_JITTERS)
    return EncodedPhoto(file, identity, views)


def encoding_jobs(folder: Path, labels: Sequence[LabelledPhoto]) -> list[tuple[str, str, str, bool]]:
    """Worker items for `encode_labelled_photo`: the 10-jitter chip view only for each person's first photo (ten
    network passes each: the jittered-reference variants use those photos as the only references)."""
    firsts: set[str] = set()
    jobs = []
    for label in sorted(labels, key=lambda x: (x.identity, x.file)):
        first = label.identity not in firsts
        firsts.add(label.identity)
        jobs.append((str(folder / label.file), label.file, label.identity, first))
    return jobs


def _matrix(photos: Sequence[EncodedPhoto], view: str) -> tuple[np.ndarray, np.ndarray]:
    """(descriptors with NaN rows where the view is missing, mask of present rows)."""
    present = np.array([view in p.views for p in photos], dtype=bool)
    out = np.full((len(photos), 128), np.nan)
    for i, p in enumerate(photos):
        if view in p.views:
            out[i] = p.views[view]
    return out, present


def _distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    sq = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2 * a @ b.T
    return np.sqrt(np.clip(sq, 0, None))


@dataclass(frozen=True)
class TrialSet:
    """Genuine and impostor trials of one variant on one half, and the failures to acquire behind them."""

    name: str  # "chip vs photo", "photo vs photo", "chip vs frames"
    genuine: Trials
    impostor: Trials
    missing_genuine: int  # genuine trials counted as rejections because a face was not found


def build_trials(photos: Sequence[EncodedPhoto], variant: Variant) -> list[TrialSet]:
    """The trial sets of `variant` among `photos` (one half): chip vs photo and photo vs photo for single-frame
    variants, chip vs frames for fused ones."""
    people = sorted({p.identity for p in photos})
    index = {name: i for i, name in enumerate(people)}
    ids = np.array([index[p.identity] for p in photos], dtype=np.int64)
    ref, ref_ok = _matrix(photos, variant.reference_view)
    probe, probe_ok = _matrix(photos, variant.probe_view)
    if variant.first_reference_only:
        first = np.zeros(len(photos), dtype=bool)
        seen: set[str] = set()
        for i in sorted(range(len(photos)), key=lambda i: (photos[i].identity, photos[i].file)):
            first[i] = photos[i].identity not in seen
            seen.add(photos[i].identity)
        if variant.fusion != "single":
            return [_fused(ids, len(people), ref, ref_ok, probe, probe_ok, variant.fusion, reference_rows=first)]
        return [_single(ids, len(people), ref, ref_ok, probe, probe_ok, "chip vs photo", ordered=True,
                        reference_rows=first)]
    if variant.fusion == "single":
        sets = [_single(ids, len(people), ref, ref_ok, probe, probe_ok, "chip vs photo", ordered=True)]
        if variant.reference_view.replace("chip", "photo") == variant.probe_view:
            # the same descriptor on both sides also serves photo-vs-photo comparisons (`kiosk face verify`)
            sets.append(_single(ids, len(people), probe, probe_ok, probe, probe_ok, "photo vs photo", ordered=False))
        return sets
    return [_fused(ids, len(people), ref, ref_ok, probe, probe_ok, variant.fusion)]


def _single(ids: np.ndarray, people: int, ref: np.ndarray, ref_ok: np.ndarray, probe: np.ndarray,
            probe_ok: np.ndarray, name: str, ordered: bool, reference_rows: np.ndarray | None = None) -> TrialSet:
    n = len(ids)
    d = _distances(np.nan_to_num(ref), np.nan_to_num(probe))
    ok = ref_ok[:, None] & probe_ok[None, :]
    d[~ok] = np.inf
    pairs = ~np.eye(n, dtype=bool) if ordered else np.triu(np.ones((n, n), dtype=bool), 1)
    if reference_rows is not None:
        pairs &= reference_rows[:, None]
    same = ids[:, None] == ids[None, :]
    gi, gj = np.nonzero(pairs & same)
    ii, ij = np.nonzero(pairs & ~same & ok)
    genuine = Trials.build(True, d[gi, gj], ids[gi], ids[gj], people)
    impostor = Trials.build(False, d[ii, ij], ids[ii], ids[ij], people)
    return TrialSet(name, genuine, impostor, int((~ok[gi, gj]).sum()))


def _fuse(ref: np.ndarray, probe: np.ndarray, d: np.ndarray, rows: np.ndarray, frames: np.ndarray,
          fusion: str) -> np.ndarray:
    """Fused scores of the references `rows` against one frame set."""
    if fusion == "centroid":
        return np.linalg.norm(ref[rows] - probe[frames].mean(axis=0), axis=1)
    block = d[np.ix_(rows, frames)]
    if fusion == "median":
        return np.median(block, axis=1)
    if fusion == "mean":
        return block.mean(axis=1)
    if fusion == "min":
        return block.min(axis=1)
    raise ValueError(f"unknown fusion {fusion!r}")


def _fused(ids: np.ndarray, people: int, ref: np.ndarray, ref_ok: np.ndarray, probe: np.ndarray,
           probe_ok: np.ndarray, fusion: str, reference_rows: np.ndarray | None = None) -> TrialSet:
    d = _distances(np.nan_to_num(ref), np.nan_to_num(probe))
    usable_ref = np.ones(len(ids), dtype=bool) if reference_rows is None else reference_rows
    g_d, g_id, i_d, i_r, i_p = [], [], [], [], []
    missing = 0
    for k in range(people):
        members = np.nonzero(ids == k)[0]
        # impostors: the person's photos minus one, as many frames as a genuine trial of that person brings
        frames = np.array([j for j in members[:-1] if probe_ok[j]], dtype=np.int64)
        others = np.nonzero((ids != k) & ref_ok & usable_ref)[0]
        if len(frames) and len(others):
            i_d.append(_fuse(ref, probe, d, others, frames, fusion))
            i_r.append(ids[others])
            i_p.append(np.full(len(others), k))
        for i in members[usable_ref[members]]:  # genuine: the chip of photo i against the person's other photos
            own = np.array([j for j in members if j != i and probe_ok[j]], dtype=np.int64)
            g_id.append(k)
            if not ref_ok[i] or not len(own):
                g_d.append(np.inf)
                missing += 1
            else:
                g_d.append(float(_fuse(ref, probe, d, np.array([i]), own, fusion)[0]))
    genuine = Trials.build(True, g_d, g_id, g_id, people)
    cat = (lambda parts: np.concatenate(parts) if parts else np.zeros(0))
    impostor = Trials.build(False, cat(i_d), cat(i_r).astype(np.int64), cat(i_p).astype(np.int64), people)
    return TrialSet("chip vs frames", genuine, impostor, missing)


@dataclass(frozen=True)
class SetResult:
    """One trial set of the held-out half at the chosen threshold."""

    name: str
    genuine_trials: int
    impostor_trials: int
    far: Rate
    frr: Rate
    missing_genuine: int
    far_threshold_heldout: float  # where the held-out FAR would reach TARGET_FAR (for the margin)
    frr_at_target_far: float  # held-out FRR at that threshold (the best this variant could do, seen afterwards)
    det: list[tuple[float, float, float]]


@dataclass(frozen=True)
class VariantResult:
    variant: Variant
    threshold: float | None  # chosen on the choosing half; None if no threshold meets the FAR bound there
    sets: list[SetResult]

    @property
    def decision(self) -> SetResult:
        """The set that stands for the kiosk's decision: chip vs photo (single) or chip vs frames (fused)."""
        return self.sets[0]


def evaluate(choosing: Sequence[EncodedPhoto], heldout: Sequence[EncodedPhoto], variant: Variant,
             fixed_threshold: float | None = None) -> VariantResult:
    """Choose the variant's threshold on `choosing` (the largest whose FAR upper bound is <= TARGET_FAR on the
    decision set: chip vs photo, or chip vs frames), or take `fixed_threshold`, and measure it on every set of
    `heldout`."""
    if fixed_threshold is not None:
        threshold: float | None = fixed_threshold
    else:
        decision = build_trials(choosing, variant)[0]
        threshold = threshold_for_far([ClusteredRates(decision.impostor)], TARGET_FAR, GRID)
    results = []
    for s in build_trials(heldout, variant):
        far_rates = ClusteredRates(s.impostor)
        frr_rates = ClusteredRates(s.genuine)
        th = threshold if threshold is not None else GRID[0]
        at_far = threshold_at_far(s.impostor, TARGET_FAR)
        det_grid = sorted(set(GRID) | {th})
        results.append(SetResult(
            s.name, s.genuine.count, s.impostor.count, far_rates.at(th), frr_rates.at(th), s.missing_genuine,
            at_far, float(s.genuine.errors(at_far).mean()) if s.genuine.count else 0.0,
            [(t, float(s.impostor.errors(t).mean()), float(s.genuine.errors(t).mean())) for t in det_grid]))
    return VariantResult(variant, threshold, results)


def evaluate_all(choosing: Sequence[EncodedPhoto], heldout: Sequence[EncodedPhoto],
                 variants: Sequence[Variant] = tuple(VARIANTS)) -> list[VariantResult]:
    """Every variant, in order (a variant with `threshold_from` uses the threshold chosen for that one)."""
    chosen: dict[str, float | None] = {}
    out = []
    for v in variants:
        fixed = None
        if v.threshold_from is not None:
            if v.threshold_from not in chosen:
                raise ValueError(f"{v.key}: evaluate {v.threshold_from} first")
            fixed = chosen[v.threshold_from]
        result = evaluate(choosing, heldout, v, fixed)
        chosen[v.key] = result.threshold
        out.append(result)
    return out


@dataclass(frozen=True)
class Halves:
    choosing: list[EncodedPhoto]
    heldout: list[EncodedPhoto]
    choosing_people: int
    heldout_people: int
    photos: int
    no_face: int  # photos whose face was not found
    no_chip_face: int  # chip renditions whose face was not found


def split_photos(photos: Sequence[EncodedPhoto], seed: int = SPLIT_SEED) -> Halves:
    """Split encoded photos by identity into the choosing and held-out halves."""
    choose, held = split_identities((p.identity for p in photos), seed)
    chosen = set(choose)
    a = [p for p in photos if p.identity in chosen]
    b = [p for p in photos if p.identity not in chosen]
    return Halves(a, b, len(choose), len(held), len(photos), sum("photo" not in p.views for p in photos),
                  sum("photo" in p.views and "chip" not in p.views for p in photos))
