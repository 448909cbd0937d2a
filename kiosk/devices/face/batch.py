"""Batch 1:1 verification: a list of (reference, probe) photo pairs, each photo decoded and encoded once.

The pairs file has one pair per line, `REFERENCE<TAB>PROBE` (paths; relative ones are taken from the pairs file's
folder); blank lines are skipped. Every distinct path is encoded once, in worker processes, in the order the paths
first appear, and each pair is reported as soon as both of its photos are encoded, in input order. The
comparison is that of `kiosk face verify`: the reference's largest face against every face of the probe, the
smallest distance, accepted when <= the threshold. A pair that cannot be compared (unreadable photo, no face,
malformed line) is reported with its reason; the batch goes on. Descriptors live in this process's memory only
until the last pair that needs them is reported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from kiosk.devices.face.photo import face_distance
from kiosk.devices.face.photo_pool import PhotoEncodings
from kiosk.errors import KioskError


class PairsFileError(KioskError):
    """The pairs file itself cannot be read (the individual pairs' problems are reported per pair)."""

    message_key = "error.face.pairs_file"


@dataclass(frozen=True)
class PairLine:
    """One line of the pairs file: the paths as written and as resolved; `problem` when the line is malformed."""

    number: int
    reference: str
    probe: str | None
    reference_path: str = ""
    probe_path: str = ""
    problem: str | None = None


@dataclass(frozen=True)
class PairResult:
    """The outcome of one pair, as printed (one JSON object per pair)."""

    reference: str
    probe: str | None
    match: bool | None
    distance: float | None
    threshold: float
    faces_in_reference: int
    faces_in_probe: int
    error: str | None

    def as_json(self) -> dict:
        return asdict(self)


def parse_pairs(text: str, base: Path | None) -> list[PairLine]:
    """The pairs of a pairs file's text; relative paths are resolved against `base` (None: as given)."""
    pairs = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\r")
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) != 2 or not fields[0].strip() or not fields[1].strip():
            pairs.append(PairLine(number, line, None,
                                  problem=f"line {number}: expected REFERENCE<TAB>PROBE, got {len(fields)} field(s)"))
            continue
        ref, probe = fields[0].strip(), fields[1].strip()
        pairs.append(PairLine(number, ref, probe, _resolve(ref, base), _resolve(probe, base)))
    return pairs


def read_pairs(path: Path | str) -> list[PairLine]:
    """Parse a pairs file ("-" for standard input, paths then relative to the current folder)."""
    import sys

    try:
        if str(path) == "-":
            return parse_pairs(sys.stdin.read(), None)
        p = Path(path)
        return parse_pairs(p.read_text(encoding="utf-8"), p.resolve().parent)
    except OSError as exc:
        raise PairsFileError(f"{path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise PairsFileError(f"{path}: not UTF-8 text") from exc


def _resolve(path: str, base: Path | None) -> str:
    p = Path(path)
    return str(p if p.is_absolute() or base is None else base / p)


def compare(line: PairLine, reference: PhotoEncodings | None, probe: PhotoEncodings | None,
            threshold: float) -> PairResult:
    """The result of one pair from its two photos' encodings."""
    if line.problem is not None:
        return PairResult(line.reference, line.probe, None, None, threshold, 0, 0, line.problem)
    assert reference is not None and probe is not None
    problems = [f"{side}: {enc.error}" for side, enc in (("reference", reference), ("probe", probe)) if enc.error]
    if problems:
        return PairResult(line.reference, line.probe, None, None, threshold, reference.faces, probe.faces,
                          "; ".join(problems))
    distance = min(face_distance(reference.encodings[0], e) for e in probe.encodings)
    return PairResult(line.reference, line.probe, distance <= threshold, round(distance, 4), threshold,
                      reference.faces, probe.faces, None)


def verify_pairs(pairs: list[PairLine], encode: Callable[[Iterable[str]], Iterator[PhotoEncodings]],
                 threshold: float) -> Iterator[PairResult]:
    """Results in input order, streamed: `encode` yields the encodings of the paths it is given, in order."""
    order: dict[str, int] = {}
    for line in pairs:
        if line.problem is None:
            order.setdefault(line.reference_path, len(order))
            order.setdefault(line.probe_path, len(order))
    last_use: dict[str, int] = {}
    for i, line in enumerate(pairs):
        if line.problem is None:
            last_use[line.reference_path] = last_use[line.probe_path] = i
    ready_after = [max(order[line.reference_path], order[line.probe_path]) if line.problem is None else -1
                   for line in pairs]
    done: dict[str, PhotoEncodings] = {}
    encoded = -1
    results = encode(list(order))
    for i, line in enumerate(pairs):
        while encoded < ready_after[i]:
            enc = next(results)
            done[enc.path] = enc
            encoded += 1
        if line.problem is not None:
            yield compare(line, None, None, threshold)
            continue
        yield compare(line, done[line.reference_path], done[line.probe_path], threshold)
        for path in (line.reference_path, line.probe_path):
            if last_use.get(path) == i:
                done.pop(path, None)  # keep descriptors no longer than needed
