"""The evaluation protocol on synthetic descriptors: split, trial counts, failures to acquire, fusion, choice."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kiosk.devices.face.lfw_evaluation import (
    EncodedPhoto,
    Variant,
    build_trials,
    encoding_jobs,
    evaluate,
    evaluate_all,
    read_labels,
    split_identities,
    split_photos,
)

PLAIN = Variant("plain", "", "chip", "photo")


def person_photos(rng: np.random.Generator, people: int, photos_each: int, spread: float = 0.056,
                  noise: float = 0.025) -> list[EncodedPhoto]:
    """Descriptors around a random centre per person (per-dimension deviations: impostor distances near 0.9,
    genuine near 0.4, as with dlib's); the chip view is the photo view plus a little compression noise."""
    out = []
    for k in range(people):
        centre = rng.normal(0, spread, 128)
        for j in range(photos_each):
            photo = centre + rng.normal(0, noise, 128)
            chip = photo + rng.normal(0, 0.01, 128)
            views = {"photo": photo, "photo_mirror": photo, "chip": chip, "chip_mirror": chip}
            if j == 0:
                views["chip_jitter10"] = chip
            out.append(EncodedPhoto(f"p{k:03d}/{j}.jpg", f"p{k:03d}", views))
    return out


def test_split_is_seeded_disjoint_and_covers_everyone():
    names = [f"person{i}" for i in range(21)]
    a, b = split_identities(names)
    assert split_identities(reversed(names)) == (a, b)  # order of input does not matter
    assert set(a) | set(b) == set(names) and not set(a) & set(b) and len(a) == 10
    assert split_identities(names, seed=11) != (a, b)


def test_single_trial_counts_follow_the_protocol():
    photos = person_photos(np.random.default_rng(1), people=5, photos_each=3)
    chip_vs_photo, photo_vs_photo = build_trials(photos, PLAIN)
    # chip of A vs photo B, A != B: genuine 5 people x 3 x 2; impostor 15 x 12
    assert chip_vs_photo.genuine.count == 5 * 3 * 2 and chip_vs_photo.impostor.count == 15 * 12
    # photo vs photo, unordered: genuine 5 x C(3,2); impostor C(15,2) - 15
    assert photo_vs_photo.genuine.count == 15 and photo_vs_photo.impostor.count == 105 - 15
    assert chip_vs_photo.missing_genuine == 0


def test_missing_face_is_a_rejection_for_genuine_and_absent_for_impostors():
    photos = person_photos(np.random.default_rng(2), people=4, photos_each=3)
    photos[0] = EncodedPhoto(photos[0].file, photos[0].identity, {})  # face not found at all
    chip_vs_photo = build_trials(photos, PLAIN)[0]
    # person 0's photo 0 takes part in 4 genuine ordered pairs (2 as chip, 2 as photo): all rejected
    assert chip_vs_photo.missing_genuine == 4
    assert np.isinf(chip_vs_photo.genuine.distances).sum() == 4
    assert chip_vs_photo.genuine.errors(10.0).sum() == 4
    assert np.isfinite(chip_vs_photo.impostor.distances).all()
    # usable photos: person 0 has 2, the others 3 each: 2 x 9 + 9 x 8 ordered impostor pairs
    assert chip_vs_photo.impostor.count == 2 * 9 + 9 * 8


def test_first_reference_only_uses_one_chip_per_person():
    photos = person_photos(np.random.default_rng(3), people=4, photos_each=3)
    v = Variant("ref-jitter", "", "chip_jitter10", "photo", first_reference_only=True)
    (trials,) = build_trials(photos, v)
    assert trials.genuine.count == 4 * 2 and trials.impostor.count == 4 * 9


def test_fused_trials_use_the_other_photos_as_frames():
    rng = np.random.default_rng(4)
    photos = person_photos(rng, people=4, photos_each=3)
    for fusion in ("median", "mean", "min", "centroid"):
        (t,) = build_trials(photos, Variant("f", "", "chip", "photo", fusion))
        assert t.name == "chip vs frames"
        assert t.genuine.count == 12 and t.impostor.count == 12 * 3
    # the mean rule is the mean of the single distances: check one genuine trial by hand
    (mean,) = build_trials(photos, Variant("f", "", "chip", "photo", "mean"))
    ref = photos[0].views["chip"]
    expected = np.mean([np.linalg.norm(ref - photos[j].views["photo"]) for j in (1, 2)])
    assert mean.genuine.distances[0] == pytest.approx(expected)
    (centroid,) = build_trials(photos, Variant("f", "", "chip", "photo", "centroid"))
    frames = np.mean([photos[j].views["photo"] for j in (1, 2)], axis=0)
    assert centroid.genuine.distances[0] == pytest.approx(np.linalg.norm(ref - frames))


def test_threshold_is_chosen_on_one_half_and_reported_on_the_other():
    photos = person_photos(np.random.default_rng(5), people=240, photos_each=3)
    halves = split_photos(photos)
    assert halves.choosing_people == halves.heldout_people == 120
    assert not {p.identity for p in halves.choosing} & {p.identity for p in halves.heldout}
    result = evaluate(halves.choosing, halves.heldout, PLAIN)
    assert result.threshold is not None
    decision = result.decision
    assert decision.name == "chip vs photo" and decision.far.trials == 360 * 357
    # separated clusters: at the chosen threshold few impostors pass and the interval contains the value
    assert decision.far.lower <= decision.far.value <= decision.far.upper
    assert decision.frr.lower <= decision.frr.value <= decision.frr.upper
    # a threshold taken from another variant is reused as is
    results = evaluate_all(halves.choosing, halves.heldout,
                           [PLAIN, Variant("m@1", "", "chip", "photo", "mean", threshold_from="plain")])
    assert results[1].threshold == results[0].threshold == result.threshold


def test_labels_and_jobs(tmp_path: Path):
    (tmp_path / "LABELS.tsv").write_text("file\tidentity\tsource_path\nB/B_1.jpg\tB\tx\nA/A_2.jpg\tA\tx\n"
                                         "A/A_1.jpg\tA\tx\n\n", encoding="utf-8")
    labels = read_labels(tmp_path)
    assert [(lab.file, lab.identity) for lab in labels] == [("B/B_1.jpg", "B"), ("A/A_2.jpg", "A"),
                                                            ("A/A_1.jpg", "A")]
    jobs = encoding_jobs(tmp_path, labels)
    # the 10-jitter view only for each person's first photo (sorted by file)
    assert [(j[1], j[3]) for j in jobs] == [("A/A_1.jpg", True), ("A/A_2.jpg", False), ("B/B_1.jpg", True)]
    assert jobs[0][0] == str(tmp_path / "A/A_1.jpg")
