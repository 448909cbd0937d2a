"""Error rates of a verification score and their confidence intervals, when comparisons are not independent.

A verification experiment compares every face with many others, so one photo (and one person) takes part in
thousands of impostor comparisons and a few genuine ones: the comparisons are clustered by identity, and a binomial
interval computed as if they were independent is too narrow. Here the dependence is measured instead of assumed:

- the variance of a rate is estimated with clustering by person: any two comparisons that involve a common
  person may covary (a genuine comparison involves one person, an impostor comparison two). This is the
  dyadic cluster-robust variance (Fafchamps and Gubert, 2007; Aronow, Samii and Assenova, 2015): the sum over
  people of the squared sum of residuals of the comparisons involving them, minus the double-counted pairs of
  comparisons between the same two people. (A bootstrap resampling people on both sides at once, the
  "pigeonhole" bootstrap, would overstate the variance up to three times even for independent comparisons.)
- the ratio of that variance to the binomial variance is the design effect (at least 1), and the interval is
  Clopper-Pearson on the effective sample size n / design effect (Korn and Graubard, 1998);
- when no error was observed the variance estimate is zero and says nothing: the design effect is then borrowed
  from the nearest threshold of the same set at which the first BORROW_ERRORS errors appear.

Scores are distances: a comparison is accepted when its distance is <= the threshold. Everything here is pure
(numpy and the standard library); it holds no image and no descriptor, only distances and identity numbers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from statistics import NormalDist

import numpy as np

CONFIDENCE = 0.95
BORROW_ERRORS = 10  # a threshold with no error borrows the design effect of the nearest one with this many


def _log_beta(a: float, b: float) -> float:
    return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)


def _beta_continued_fraction(x: float, a: float, b: float) -> float:
    # Lentz's method for the continued fraction of the incomplete beta function (converges for x < (a+1)/(a+b+2))
    tiny, eps = 1e-300, 1e-15
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 10_000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < eps:
            break
    return h


def regularized_beta(x: float, a: float, b: float) -> float:
    """I_x(a, b), the CDF of the Beta(a, b) distribution at x (a, b > 0, real)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(a * math.log(x) + b * math.log1p(-x) - _log_beta(a, b))
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_continued_fraction(x, a, b) / a
    return 1.0 - front * _beta_continued_fraction(1.0 - x, b, a) / b


def beta_quantile(q: float, a: float, b: float) -> float:
    """The q-quantile of Beta(a, b), by bisection on regularized_beta (monotone, so always converges)."""
    lo, hi = 0.0, 1.0
    for _ in range(200):
        mid = (lo + hi) / 2
        if regularized_beta(mid, a, b) < q:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-14:
            break
    return (lo + hi) / 2


def clopper_pearson(k: float, n: float, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """The exact (Clopper-Pearson) interval for k errors in n trials; k and n may be effective, non-integer counts."""
    if n <= 0:
        return 0.0, 1.0
    if not 0 <= k <= n:
        raise ValueError(f"k={k} outside 0..n={n}")
    alpha = 1.0 - confidence
    lower = 0.0 if k <= 0 else beta_quantile(alpha / 2, k, n - k + 1)
    upper = 1.0 if k >= n else beta_quantile(1 - alpha / 2, k + 1, n - k)
    return lower, upper


def wilson(k: float, n: float, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """The Wilson score interval for k errors in n trials."""
    if n <= 0:
        return 0.0, 1.0
    z = NormalDist().inv_cdf(1 - (1 - confidence) / 2)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (0.0 if k <= 0 else max(0.0, centre - half)), (1.0 if k >= n else min(1.0, centre + half))


@dataclass(frozen=True)
class Trials:
    """Comparisons of one kind: a distance each, and the identity (0..people-1) of its reference and probe.

    Genuine trials have reference == probe identity; impostor trials have two different identities.
    """

    genuine: bool
    distances: np.ndarray
    reference_ids: np.ndarray
    probe_ids: np.ndarray
    people: int

    @classmethod
    def build(cls, genuine: bool, distances: Sequence[float], reference_ids: Sequence[int],
              probe_ids: Sequence[int], people: int) -> Trials:
        d = np.asarray(distances, dtype=np.float64)
        r = np.asarray(reference_ids, dtype=np.int64)
        p = np.asarray(probe_ids, dtype=np.int64)
        if not (len(d) == len(r) == len(p)):
            raise ValueError("distances, reference_ids and probe_ids differ in length")
        if len(r) and (min(r.min(), p.min()) < 0 or max(r.max(), p.max()) >= people):
            raise ValueError("identity numbers must lie in 0..people-1")
        if genuine and np.any(r != p):
            raise ValueError("a genuine trial compares one identity with itself")
        if not genuine and np.any(r == p):
            raise ValueError("an impostor trial compares two different identities")
        return cls(genuine, d, r, p, people)

    @property
    def count(self) -> int:
        return len(self.distances)

    def errors(self, threshold: float) -> np.ndarray:
        """A boolean per trial: rejected genuine (distance > threshold) or accepted impostor (<= threshold)."""
        return self.distances > threshold if self.genuine else self.distances <= threshold


@dataclass(frozen=True)
class Rate:
    """An error rate at one threshold with its confidence interval and how it was obtained."""

    errors: int
    trials: int
    lower: float
    upper: float
    design_effect: float  # variance inflation from clustering by identity (1 = as if independent)
    measured_effect: bool = True  # False when no error was seen and the design effect was borrowed

    @property
    def value(self) -> float:
        return self.errors / self.trials if self.trials else 0.0


@dataclass
class ClusteredRates:
    """Rates of one set of trials at any threshold, with design effects from a person-clustered variance."""

    trials: Trials
    confidence: float = CONFIDENCE
    _borrowed: float | None = field(init=False, default=None)

    def design_effect(self, threshold: float) -> float | None:
        """Clustered variance of the rate over the binomial variance (at least 1); None when no error (or no
        success) was seen, where the variance estimate is zero and says nothing."""
        t = self.trials
        errors = t.errors(threshold)
        k, n = int(errors.sum()), t.count
        if n == 0 or k == 0 or k == n:
            return None
        p = k / n
        r = errors.astype(np.float64) - p
        m = t.people
        if t.genuine:
            variance = float((np.bincount(t.reference_ids, r, minlength=m) ** 2).sum())
        else:
            # every pair of trials that shares a person covaries: sum over persons of (their residual sum)^2
            # counts a pair of trials between the same two people twice, so one copy is taken off
            per_person = np.bincount(t.reference_ids, r, minlength=m) + np.bincount(t.probe_ids, r, minlength=m)
            lo, hi = np.minimum(t.reference_ids, t.probe_ids), np.maximum(t.reference_ids, t.probe_ids)
            per_dyad = np.bincount(lo * m + hi, r, minlength=m * m)
            variance = float((per_person ** 2).sum() - (per_dyad ** 2).sum())
        return max(1.0, variance / (n * p * (1 - p)))

    def nearest_informative_effect(self) -> float:
        """The design effect where the first BORROW_ERRORS errors appear (for thresholds with no error at all).

        Impostor errors appear from the low distances up, genuine ones from the high distances down: the
        nearest threshold with a few errors is the one whose clustering is the most like the empty one's.
        """
        if self._borrowed is None:
            d = np.sort(self.trials.distances[np.isfinite(self.trials.distances)])
            k = min(BORROW_ERRORS, len(d) - 1)
            effect = None
            if k >= 1:
                th = float(d[k - 1]) if not self.trials.genuine else float(np.nextafter(d[-k], -np.inf))
                effect = self.design_effect(th)
            self._borrowed = effect if effect is not None else 1.0
        return self._borrowed

    def at(self, threshold: float) -> Rate:
        """The rate at `threshold`: errors, trials, Korn-Graubard / Clopper-Pearson interval, design effect."""
        t = self.trials
        k, n = int(t.errors(threshold).sum()), t.count
        effect = self.design_effect(threshold)
        measured = effect is not None
        if effect is None:
            effect = self.nearest_informative_effect()
        n_eff = n / effect
        lower, upper = clopper_pearson(k / n * n_eff if n else 0.0, n_eff, self.confidence)
        return Rate(k, n, lower, upper, effect, measured)


def threshold_for_far(impostors: Sequence[ClusteredRates], target: float, grid: Sequence[float]) -> float | None:
    """The largest grid threshold whose FAR upper bound is <= `target` on every impostor set, scanning upwards.

    The scan stops at the first threshold that breaks the bound (FAR only grows with the threshold), so a
    noisy bound further up cannot pull the choice past a violation. None when even the lowest one breaks it.
    """
    chosen = None
    for th in sorted(grid):
        if all(s.at(th).upper <= target for s in impostors):
            chosen = th
        else:
            break
    return chosen


def threshold_at_far(trials: Trials, target: float) -> float:
    """The largest distance threshold whose observed FAR (point estimate) is <= `target` (impostor trials)."""
    if trials.genuine:
        raise ValueError("threshold_at_far needs impostor trials")
    d = np.sort(trials.distances)
    allowed = math.floor(target * len(d))  # accepted impostors allowed
    if allowed >= len(d):
        return float(d[-1])
    # accept the `allowed` lowest distances and stop just below the next one
    return float(np.nextafter(d[allowed], -np.inf))


def det_points(genuine: Trials, impostor: Trials, thresholds: Sequence[float]) -> list[tuple[float, float, float]]:
    """(threshold, FAR, FRR) along `thresholds`, for a DET curve."""
    out = []
    for th in thresholds:
        far = float(impostor.errors(th).mean()) if impostor.count else 0.0
        frr = float(genuine.errors(th).mean()) if genuine.count else 0.0
        out.append((float(th), far, frr))
    return out
