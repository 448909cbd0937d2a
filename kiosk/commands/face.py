"""`kiosk face verify`: 1:1 comparison of still images with the terminal's own face code and threshold.

    kiosk face verify --reference REF.jpg --probe PROBE.jpg [--probe MORE.jpg ...] [--json]
    kiosk face verify --pairs PAIRS.tsv [--workers N] [--json]

The reference's largest face is compared with every face of every probe; `distance` is the best probe's (the
smallest), `match` compares it with the configured threshold ([face] threshold, docs/face-threshold.md). Exit 0
whether matched or not; exit 2 with a one-line error when an image cannot be read or holds no face.

With --pairs (one `REFERENCE<TAB>PROBE` per line, see kiosk/devices/face/batch.py) every photo is encoded once in
worker processes and each pair is printed in input order (with --json one JSON object per line); a pair that
cannot be compared carries its reason in `error` and the batch goes on. Exit 0 once every pair is reported; exit
2 only when the pairs file itself cannot be read.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from kiosk.commands.common import add_config_options, config_from_args, fail, print_json


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `kiosk face verify`."""
    face = subparsers.add_parser("face", help="face verification tools")
    sub = face.add_subparsers(dest="face_command", metavar="ACTION")
    verify = sub.add_parser("verify", help="compare a reference photo with probe photos, or a file of pairs")
    verify.add_argument("--reference", type=Path, help="reference photo (e.g. the chip photo)")
    verify.add_argument("--probe", type=Path, action="append", help="probe photo (repeatable)")
    verify.add_argument("--pairs", help="file of REFERENCE<TAB>PROBE lines ('-': standard input)")
    verify.add_argument("--workers", type=int, default=None, help="encoder processes for --pairs (default: cores)")
    verify.add_argument("--json", action="store_true", help="print JSON (one object per pair with --pairs)")
    add_config_options(verify)
    verify.set_defaults(func=_verify)
    repo = Path(__file__).resolve().parents[2]
    calibrate = sub.add_parser("calibrate", help="choose the threshold on a labelled face set and write the report")
    calibrate.add_argument("--lfw", type=Path, default=repo.parent / "shared" / "faces-lfw",
                           help="labelled face set (LABELS.tsv: file, identity; default ../shared/faces-lfw)")
    calibrate.add_argument("--out", type=Path, default=repo / "docs" / "face-threshold.md", help="Markdown report")
    calibrate.add_argument("--det", type=Path, default=None,
                           help="DET curve PNG (default: face-det.png beside --out)")
    calibrate.add_argument("--workers", type=int, default=None, help="encoder processes (default: cores)")
    calibrate.add_argument("--people", type=int, default=None, help="only the first N people (a quick look)")
    calibrate.set_defaults(func=_calibrate)
    face.set_defaults(func=lambda _args: (face.print_help(), 2)[1])


def _verify(args: argparse.Namespace) -> int:
    if args.pairs is not None:
        if args.reference is not None or args.probe:
            return fail("--pairs cannot be combined with --reference/--probe")
        return _verify_pairs(args)
    if args.reference is None or not args.probe:
        return fail("give --reference and --probe, or --pairs")
    started = time.monotonic()
    config = config_from_args(args)
    from kiosk.devices.face.dlib_models import load_models
    from kiosk.devices.face.photo import (
        UnreadableImage,
        decode_image,
        encode_photo,
        face_distance,
    )

    models = load_models()

    def faces_of(path: Path) -> list:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise UnreadableImage(f"{path}: {exc.strerror or exc}") from exc
        try:
            faces = encode_photo(models, decode_image(data))
        except UnreadableImage as exc:
            raise UnreadableImage(f"{path}: not a readable image") from exc
        if not faces:
            raise UnreadableImage(f"{path}: no face found")
        return faces

    try:
        reference = faces_of(args.reference)
        best: tuple[float, int] | None = None
        for probe in args.probe:
            faces = faces_of(probe)
            d = min(face_distance(reference[0].encoding, f.encoding) for f in faces)
            if best is None or d < best[0]:
                best = (d, len(faces))
    except UnreadableImage as exc:
        return fail(str(exc.detail))
    assert best is not None
    threshold = config.face.threshold
    result = {"match": best[0] <= threshold, "distance": round(best[0], 4), "threshold": threshold,
              "faces_in_reference": len(reference), "faces_in_probe": best[1],
              "ms": int((time.monotonic() - started) * 1000)}
    if args.json:
        print_json(result)
    else:
        verdict = "MATCH" if result["match"] else "NO MATCH"
        print(f"{verdict}  distance {result['distance']:.4f}  threshold {threshold}  ({result['ms']} ms)")
    return 0


def _verify_pairs(args: argparse.Namespace) -> int:
    config = config_from_args(args)
    if args.workers is not None and args.workers < 1:
        return fail("--workers must be at least 1")
    from kiosk.devices.face.batch import PairsFileError, read_pairs, verify_pairs
    from kiosk.devices.face.photo_pool import PhotoPool

    try:
        pairs = read_pairs(args.pairs)
    except PairsFileError as exc:
        return fail(str(exc.detail))
    threshold = config.face.threshold
    with PhotoPool(args.workers) as pool:
        for result in verify_pairs(pairs, pool.encode, threshold):
            if args.json:
                print_json(result.as_json())
                sys.stdout.flush()
            elif result.error is not None:
                print(f"ERROR     {result.reference}\t{result.probe or ''}\t{result.error}", flush=True)
            else:
                verdict = "MATCH" if result.match else "NO MATCH"
                print(f"{verdict:<9} {result.distance:.4f}  {result.reference}\t{result.probe}", flush=True)
    return 0


def _calibrate(args: argparse.Namespace) -> int:
    from kiosk.devices.face.calibrate import run

    return run(args)
