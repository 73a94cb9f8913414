#!/usr/bin/env python3
"""Reference vectors for the drift engine: inputs and scipy's answers, committed as JSON.

Run once, by hand, when the statistics' definitions change (CI reads the JSON only):
    python3 scripts/drift-reference-vectors.py
Needs numpy and scipy. Each statistic follows issue 6 to the letter; the few choices scipy leaves
open (a constant reference's W1 scale, a single category's chi-square) follow the engine's rules and
are marked below.
"""
import json
import math
from pathlib import Path

import numpy as np
from scipy import special, stats
from scipy.spatial.distance import jensenshannon

OUT = Path(__file__).resolve().parent.parent / "test" / "fixtures" / "drift" / "reference-vectors.json"
DECILES = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])
FLOOR = 1e-4
CONSTANT_REFERENCE_SCALE = 0.001  # engine rule: W1 of a constant reference is divided by 0.001
SMALL_REFERENCE_ROWS, MIN_CURRENT_ROWS = 1000, 30
rng = np.random.default_rng(20261128)


def present(values):
    return np.array([v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))], float)


def psi(p, q):
    p, q = np.maximum(p, FLOOR), np.maximum(q, FLOOR)
    return float(np.sum((q - p) * np.log(q / p)))


def numeric_expected(reference, current):
    ref, cur = present(reference), present(current)
    n, m = len(ref), len(cur)
    d = float(stats.ks_2samp(ref, cur).statistic)
    std = float(np.std(ref))
    edges = np.quantile(ref, DECILES)
    bins = lambda x: np.bincount(np.searchsorted(edges, x, side="left"), minlength=10) / len(x)
    expected = {
        "ksStatistic": d,
        "ksPValue": float(stats.kstwobign.sf(d * math.sqrt(n * m / (n + m)))),
        "wassersteinNormed": float(stats.wasserstein_distance(ref, cur)) / (std if std > 0 else CONSTANT_REFERENCE_SCALE),
        "psi": psi(bins(ref), bins(cur)),
        "deciles": [float(e) for e in edges],
    }
    return expected, expected["ksPValue"] < 0.05, expected["wassersteinNormed"] >= 0.1, m


def categorical_expected(reference, current):
    ref = [v for v in reference if v is not None]
    cur = [v for v in current if v is not None]
    categories = list(dict.fromkeys(ref + cur))
    p = np.array([ref.count(c) for c in categories], float)
    q = np.array([cur.count(c) for c in categories], float)
    p_floor = np.maximum(p / p.sum(), FLOOR)
    p_floor /= p_floor.sum()
    if len(categories) > 1:
        chi = stats.chisquare(q, f_exp=q.sum() * p_floor)
        chi_stat, chi_p = float(chi.statistic), float(chi.pvalue)
    else:  # engine rule: one category leaves nothing to test
        chi_stat, chi_p = 0.0, 1.0
    expected = {
        "chiSquare": chi_stat,
        "chiSquarePValue": chi_p,
        "jensenShannon": float(jensenshannon(p, q, base=2)),
        "psi": psi(p / p.sum(), q / q.sum()),
    }
    return expected, chi_p < 0.05, expected["jensenShannon"] >= 0.1, len(cur)


def case(name, kind, reference, current):
    reference = [None if v is None else (v if isinstance(v, str) else float(v)) for v in reference]
    current = [None if v is None else (v if isinstance(v, str) else float(v)) for v in current]
    measure = numeric_expected if kind == "numeric" else categorical_expected
    expected, p_drift, distance_drift, present_current = measure(reference, current)
    if present_current < MIN_CURRENT_ROWS:
        verdict = "insufficient_data"
    else:
        drift = p_drift if len(reference) <= SMALL_REFERENCE_ROWS else distance_drift
        verdict = "drift" if drift else "no_drift"
    return {"name": name, "type": kind, "reference": reference, "current": current,
            "expected": expected, "verdict": verdict}


def rounded(values, digits=6):
    return [round(float(v), digits) for v in values]


def with_missing(values, share):
    mask = rng.random(len(values)) < share
    return [None if hidden else v for v, hidden in zip(values, mask)]


def draw(categories, weights, size):
    weights = np.array(weights, float)
    return [str(c) for c in rng.choice(list(categories), size=size, p=weights / weights.sum())]


normal = lambda size, loc=0.0, scale=1.0: rounded(rng.normal(loc, scale, size))
cases = [
    case("tiny normals, 5 vs 5", "numeric", normal(5), normal(5, 0.3)),
    case("tiny with ties, 6 vs 8", "numeric", [1, 2, 2, 3, 3, 3], [2, 2, 3, 3, 4, 4, 4, 5]),
    case("shifted normal, 50 vs 60", "numeric", normal(50), normal(60, 0.5)),
    case("same normal, 1000 vs 1000", "numeric", normal(1000), normal(1000)),
    case("small reference at the boundary, 1000 vs 40 shifted", "numeric", normal(1000), normal(40, 0.6)),
    case("scaled normal, 5000 vs 4000", "numeric", normal(5000), normal(4000, 0, 1.3)),
    case("slightly shifted normal, 3000 vs 3000", "numeric", normal(3000, 10, 2), normal(3000, 10.1, 2)),
    case("integer ties (Poisson), 500 vs 700", "numeric",
         rng.poisson(3, 500).tolist(), rng.poisson(3.4, 700).tolist()),
    case("heavy tails (Cauchy), 2000 vs 2000", "numeric",
         rounded(rng.standard_cauchy(2000), 4), rounded(rng.standard_cauchy(2000) * 1.5, 4)),
    case("Student t(2) shifted, 1500 vs 1200", "numeric",
         rounded(rng.standard_t(2, 1500)), rounded(rng.standard_t(2, 1200) + 0.2)),
    case("log-normal sigma change, 3000 vs 2500", "numeric",
         rounded(rng.lognormal(0, 1, 3000)), rounded(rng.lognormal(0, 1.2, 2500))),
    case("bimodal against unimodal, 2500 vs 2500", "numeric",
         rounded(np.concatenate([rng.normal(-2, 1, 1250), rng.normal(2, 1, 1250)])), normal(2500, 0, 2.2)),
    case("constant reference against normal, 300 vs 300", "numeric", [3.0] * 300, normal(300, 3, 0.5)),
    case("constant against the same constant, 200 vs 200", "numeric", [7.5] * 200, [7.5] * 200),
    case("normal reference against a constant, 400 vs 100", "numeric", normal(400), [0.25] * 100),
    case("large magnitudes, 2000 vs 2000", "numeric",
         rounded(1e9 + rng.normal(0, 1, 2000), 3), rounded(1e9 + rng.normal(0.05, 1, 2000), 3)),
    case("missing values, 1200 vs 900", "numeric",
         with_missing(normal(1200), 0.1), with_missing(normal(900, 0.2), 0.3)),
    case("few distinct values (0/1), 800 vs 600", "numeric",
         rng.binomial(1, 0.3, 800).tolist(), rng.binomial(1, 0.36, 600).tolist()),
    case("categorical, same mix, 500 vs 500", "categorical",
         draw("abcde", [5, 4, 3, 2, 1], 500), draw("abcde", [5, 4, 3, 2, 1], 500)),
    case("categorical, unseen category in current, 800 vs 600", "categorical",
         draw("abcd", [4, 3, 2, 1], 800), draw("abcdz", [4, 3, 2, 1, 1.5], 600)),
    case("categorical, category gone from current, 900 vs 700", "categorical",
         draw("abcdef", [1, 1, 1, 1, 1, 1], 900), draw("abcde", [1, 1, 1, 1, 1], 700)),
    case("categorical, Zipf over 30 with a shift, 5000 vs 5000", "categorical",
         draw([f"c{i}" for i in range(30)], [1 / (i + 1) for i in range(30)], 5000),
         draw([f"c{i}" for i in range(30)], [1 / (i + 1) ** 1.2 for i in range(30)], 5000)),
    case("categorical, tiny, 5 vs 6", "categorical", list("aabbc"), list("abbccc")),
    case("categorical, one category on both sides, 100 vs 80", "categorical", ["x"] * 100, ["x"] * 80),
    case("categorical with missing, 1500 vs 1500", "categorical",
         with_missing(draw("pqrs", [3, 3, 2, 2], 1500), 0.05), with_missing(draw("pqrs", [2, 3, 3, 2], 1500), 0.2)),
]

kolmogorov = [[x, float(stats.kstwobign.sf(x))]
              for x in [0.01, 0.03, 0.0406, 0.05, 0.1, 0.25, 0.5, 0.7, 0.8199, 0.82, 0.8201, 0.9,
                        1.0, 1.2, 1.3581, 1.5, 2.0, 3.0, 5.0, 10.0, 26.0, 30.0]]
gamma = [[a, x, float(special.gammaincc(a, x))]
         for a in [0.5, 1.0, 1.5, 2.0, 4.5, 10.0, 49.5, 500.0, 4999.5]
         for x in [1e-3, 0.1, 0.5 * a, a - 0.5, a, a + 1, a + 3 * math.sqrt(a), 2 * a + 10, 4 * a + 50]]
corrections = []
for size in [1, 4, 9]:
    p = [float(v) for v in rng.uniform(0, 0.2, size) ** 2]
    corrections.append({"pValues": p, "bonferroni": [min(1.0, v * size) for v in p],
                        "benjaminiHochberg": [float(v) for v in stats.false_discovery_control(p, method="bh")]})

vectors = {"generator": "scripts/drift-reference-vectors.py", "scipy": __import__("scipy").__version__,
           "numpy": np.__version__, "cases": cases, "kolmogorov": kolmogorov, "gammaincc": gamma,
           "corrections": corrections}
OUT.parent.mkdir(parents=True, exist_ok=True)
OUT.write_text(json.dumps(vectors, separators=(",", ":")) + "\n")
print(f"wrote {len(cases)} cases, {OUT.stat().st_size / 1e6:.2f} MB to {OUT}")
