"""Batch verification: pairs file parsing, order, one encoding per photo, per-pair errors; the real command."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import pytest

from kiosk.cli import main
from kiosk.config import FaceConfig
from kiosk.devices.face.batch import (
    PairsFileError,
    parse_pairs,
    read_pairs,
    verify_pairs,
)
from kiosk.devices.face.photo_pool import PhotoEncodings

KEYS = {"reference", "probe", "match", "distance", "threshold", "faces_in_reference", "faces_in_probe", "error"}


def test_parse_pairs_resolves_relative_paths_and_flags_malformed_lines(tmp_path: Path):
    text = "a.jpg\tb.jpg\n\n/abs/c.jpg\td.jpg\r\nonly-one-field\nx\ty\tz\n\tmissing-ref\n"
    pairs = parse_pairs(text, tmp_path)
    assert [(p.number, p.reference, p.probe) for p in pairs[:2]] == [(1, "a.jpg", "b.jpg"), (3, "/abs/c.jpg", "d.jpg")]
    assert pairs[0].reference_path == str(tmp_path / "a.jpg") and pairs[1].reference_path == "/abs/c.jpg"
    assert pairs[1].probe_path == str(tmp_path / "d.jpg")  # CRLF line ends are accepted
    bad = pairs[2:]
    assert [p.number for p in bad] == [4, 5, 6] and all(p.problem for p in bad)
    assert "line 5" in bad[1].problem and "3 field(s)" in bad[1].problem


def test_read_pairs_errors_are_typed(tmp_path: Path):
    with pytest.raises(PairsFileError, match="missing.tsv"):
        read_pairs(tmp_path / "missing.tsv")
    binary = tmp_path / "binary.tsv"
    binary.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(PairsFileError, match="not UTF-8"):
        read_pairs(binary)


def fake_encoder(table: dict[str, PhotoEncodings], calls: list[str]):
    def encode(paths: Iterable[str]) -> Iterator[PhotoEncodings]:
        for p in paths:
            calls.append(p)
            yield table[p]
    return encode


def enc(path: str, *vectors: list[float], error: str | None = None) -> PhotoEncodings:
    arrays = tuple(np.array(v + [0.0] * (128 - len(v))) for v in vectors)
    return PhotoEncodings(path, len(arrays), arrays, error)


def test_results_in_input_order_each_photo_encoded_once_failures_do_not_stop_the_batch():
    text = "r\tp1\nr\tp2\nbad line\nr\tdog\ngone\tp1\np2\tr\n"
    pairs = parse_pairs(text, None)
    table = {
        "r": enc("r", [0.0]),
        "p1": enc("p1", [0.3]),
        "p2": enc("p2", [0.9], [0.2]),  # two faces: the closer one counts
        "dog": enc("dog", error="no face"),
        "gone": enc("gone", error="unreadable: No such file or directory"),
    }
    calls: list[str] = []
    results = list(verify_pairs(pairs, fake_encoder(table, calls), 0.44))
    assert sorted(calls) == sorted(table) and len(calls) == len(set(calls))  # each photo once
    assert [(r.reference, r.probe) for r in results] == [("r", "p1"), ("r", "p2"), ("bad line", None), ("r", "dog"),
                                                         ("gone", "p1"), ("p2", "r")]
    ok = results[0]
    assert ok.match is True and ok.distance == pytest.approx(0.3) and ok.error is None
    assert results[1].distance == pytest.approx(0.2) and results[1].faces_in_probe == 2
    assert results[2].match is None and "expected REFERENCE<TAB>PROBE" in results[2].error
    assert results[3].error == "probe: no face" and results[3].faces_in_reference == 1 and results[3].match is None
    assert results[4].error.startswith("reference: unreadable")
    # the reference's largest (first) face is compared with every face of the probe
    assert results[5].distance == pytest.approx(0.9) and results[5].match is False
    assert all(set(r.as_json()) == KEYS for r in results)


def test_results_stream_before_later_photos_are_encoded():
    pairs = parse_pairs("a\tb\nc\td\n", None)
    calls: list[str] = []
    table = {k: enc(k, [0.1 * i]) for i, k in enumerate("abcd")}
    stream = verify_pairs(pairs, fake_encoder(table, calls), 0.5)
    first = next(stream)
    assert (first.reference, first.probe) == ("a", "b") and calls == ["a", "b"]
    assert next(stream).probe == "d" and calls == ["a", "b", "c", "d"]


def run_cli(capsys, *argv: str) -> tuple[int, list[dict], str]:
    code = main(["face", "verify", *argv])
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines() if line.strip()], err


def test_pairs_command_on_real_photos(capsys, faces_dir: Path, tmp_path: Path):
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not an image")
    lines = [
        (faces_dir / "fr_knn_train_biden_biden2.jpg", faces_dir / "fr_ex_biden.jpg"),  # genuine
        (faces_dir / "fr_ex_biden.jpg", faces_dir / "fr_ex_obama.jpg"),  # impostor
        (faces_dir / "fr_ex_obama.jpg", faces_dir / "dlib_faces_dogs.jpg"),  # no face in the probe
        (broken, faces_dir / "fr_ex_obama.jpg"),  # unreadable reference
        (faces_dir / "fr_ex_obama.jpg", faces_dir / "fr_knn_test_obama1.jpg"),  # genuine
    ]
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("".join(f"{a}\t{b}\n" for a, b in lines[:-1]) + "fr_ex_obama.jpg\tfr_knn_test_obama1.jpg\n")
    # the last line is relative: resolved against the pairs file's folder, where it does not exist
    code, results, err = run_cli(capsys, "--pairs", str(pairs), "--json", "--workers", "2")
    assert code == 0 and err == ""
    assert len(results) == 5 and all(set(r) == KEYS for r in results)
    assert [r["reference"] for r in results[:4]] == [str(a) for a, _ in lines[:4]]
    threshold = FaceConfig().threshold
    assert results[0]["match"] is True and results[0]["threshold"] == threshold and results[0]["error"] is None
    assert results[1]["match"] is False and results[1]["distance"] > threshold
    assert results[2]["error"] == "probe: no face" and results[2]["faces_in_probe"] == 0
    assert results[3]["error"] == "reference: unreadable: not an image" and results[3]["match"] is None
    assert results[4]["error"].startswith("reference: unreadable") and "probe: unreadable" in results[4]["error"]


def test_pairs_command_file_errors_exit_2(capsys, tmp_path: Path):
    code, results, err = run_cli(capsys, "--pairs", str(tmp_path / "none.tsv"))
    assert code == 2 and results == [] and err.count("\n") == 1 and "none.tsv" in err
    code, _, err = run_cli(capsys, "--pairs", str(tmp_path / "none.tsv"), "--reference", "a.jpg")
    assert code == 2 and "cannot be combined" in err
    code, _, err = run_cli(capsys)
    assert code == 2 and "--pairs" in err
