"""Error rates and intervals: textbook values, clustering, threshold choice (synthetic distances only)."""

from __future__ import annotations

import numpy as np
import pytest

from kiosk.devices.face.error_rates import (
    ClusteredRates,
    Trials,
    beta_quantile,
    clopper_pearson,
    regularized_beta,
    threshold_at_far,
    threshold_for_far,
    wilson,
)


@pytest.mark.parametrize("k,n,lower,upper", [
    # Clopper & Pearson intervals as tabulated in textbooks (e.g. Brown, Cai & DasGupta 2001; Newcombe 1998)
    (0, 10, 0.0, 0.3085),
    (5, 10, 0.1871, 0.8129),
    (1, 1000, 0.0000253, 0.005559),
    (10, 10, 0.6915, 1.0),
])
def test_clopper_pearson_textbook_values(k, n, lower, upper):
    lo, hi = clopper_pearson(k, n)
    assert lo == pytest.approx(lower, abs=5e-5, rel=1e-3) and hi == pytest.approx(upper, abs=5e-5, rel=1e-3)


def test_clopper_pearson_zero_errors_is_the_rule_of_three_family():
    # with no error the exact upper bound is 1 - (alpha/2)^(1/n) (~3.69/n for large n)
    for n in (10, 300, 100_000):
        assert clopper_pearson(0, n)[1] == pytest.approx(1 - 0.025 ** (1 / n), rel=1e-6)


@pytest.mark.parametrize("k,n,lower,upper", [
    # Newcombe (1998), Table I, method 3 (score interval without continuity correction)
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0, 0.1611),
    (1, 29, 0.0061, 0.1718),
])
def test_wilson_matches_newcombe(k, n, lower, upper):
    lo, hi = wilson(k, n)
    assert lo == pytest.approx(lower, abs=2e-4) and hi == pytest.approx(upper, abs=2e-4)


def test_regularized_beta_and_quantile_agree_with_closed_forms():
    # I_x(1, b) = 1 - (1-x)^b; I_x(a, 1) = x^a
    assert regularized_beta(0.3, 1, 4) == pytest.approx(1 - 0.7 ** 4, rel=1e-10)
    assert regularized_beta(0.3, 2.5, 1) == pytest.approx(0.3 ** 2.5, rel=1e-10)
    assert beta_quantile(0.5, 2.5, 1) == pytest.approx(0.5 ** (1 / 2.5), rel=1e-9)
    # non-integer counts (effective sample sizes) are allowed and monotone
    assert clopper_pearson(2.5, 1000.7)[1] < clopper_pearson(2.5, 500.3)[1]
    with pytest.raises(ValueError):
        clopper_pearson(11, 10)


def _impostors(people: int, per_pair: int, rng: np.random.Generator, clustered: bool) -> Trials:
    refs, probes, dist = [], [], []
    # with clustering, a few "lookalike" people are close to everyone: errors concentrate on them
    offset = rng.normal(0, 0.08, people) if clustered else np.zeros(people)
    for a in range(people):
        for b in range(people):
            if a != b:
                refs += [a] * per_pair
                probes += [b] * per_pair
                dist += list(0.7 + offset[a] + offset[b] + rng.normal(0, 0.05, per_pair))
    return Trials.build(False, dist, refs, probes, people)


def test_design_effect_near_one_when_independent_and_large_when_clustered():
    rng = np.random.default_rng(1)
    independent = ClusteredRates(_impostors(40, 3, rng, clustered=False))
    clustered = ClusteredRates(_impostors(40, 3, rng, clustered=True))
    th = 0.6
    assert independent.at(th).errors > 0 and clustered.at(th).errors > 0
    assert independent.at(th).design_effect < 2.0
    assert clustered.at(th).design_effect > 5.0
    # the clustered interval is wider for a comparable rate
    ind, clu = independent.at(th), clustered.at(th)
    assert (clu.upper - clu.lower) / max(clu.value, 1e-9) > (ind.upper - ind.lower) / max(ind.value, 1e-9)


def test_no_error_borrows_the_nearest_design_effect_and_keeps_an_upper_bound():
    rng = np.random.default_rng(2)
    rates = ClusteredRates(_impostors(30, 2, rng, clustered=True))
    low = float(rates.trials.distances.min()) - 0.01
    r = rates.at(low)
    assert r.errors == 0 and not r.measured_effect and r.design_effect >= 1.0
    assert r.lower == 0.0 and 0 < r.upper < 1
    # the bound is that of n / deff trials with no error
    assert r.upper == pytest.approx(clopper_pearson(0, r.trials / r.design_effect)[1])


def test_genuine_trials_rate_and_validation():
    g = Trials.build(True, [0.3, 0.5, 0.7, 0.4], [0, 0, 1, 1], [0, 0, 1, 1], 2)
    assert g.errors(0.45).tolist() == [False, True, True, False]
    with pytest.raises(ValueError):
        Trials.build(True, [0.3], [0], [1], 2)
    with pytest.raises(ValueError):
        Trials.build(False, [0.3], [1], [1], 2)
    with pytest.raises(ValueError):
        Trials.build(False, [0.3], [0], [5], 2)
    with pytest.raises(ValueError):
        Trials.build(False, [0.3, 0.2], [0], [1], 2)


def test_threshold_at_far_accepts_exactly_the_allowed_impostors():
    people = 50
    refs = [a for a in range(people) for b in range(people) if a != b]
    probes = [b for a in range(people) for b in range(people) if a != b]
    dist = np.linspace(0.4, 1.0, len(refs))  # 2,450 distinct distances
    trials = Trials.build(False, dist, refs, probes, people)
    th = threshold_at_far(trials, 0.001)  # floor(2.45) = 2 impostors may pass
    assert int(trials.errors(th).sum()) == 2
    assert int(trials.errors(float(np.sort(dist)[2])).sum()) == 3


def test_threshold_for_far_stops_at_the_first_violation():
    people = 60
    rng = np.random.default_rng(3)
    trials = _impostors(people, 1, rng, clustered=False)
    rates = ClusteredRates(trials)
    grid = [round(0.40 + 0.01 * i, 2) for i in range(40)]
    chosen = threshold_for_far([rates], 0.01, grid)
    assert chosen is not None
    assert rates.at(chosen).upper <= 0.01
    nxt = grid[grid.index(chosen) + 1]
    assert rates.at(nxt).upper > 0.01
    # a stricter target gives a lower threshold; an impossible one none
    assert threshold_for_far([rates], 0.003, grid) < chosen
    assert threshold_for_far([rates], 1e-9, [0.9]) is None
