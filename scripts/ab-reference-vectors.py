#!/usr/bin/env python3
"""Reference vectors for the A/B statistics of deployments: inputs and scipy's answers, committed as JSON.

Run once, by hand, when the statistics' definitions change (CI reads the JSON only):
    python3 scripts/ab-reference-vectors.py
Needs numpy, scipy and mpmath. Every expected value comes from scipy (or mpmath at 50 digits for the
mSPRT's closed form, which scipy does not ship); the few choices scipy leaves open are marked below.
"""
import json
import math
from pathlib import Path

import mpmath
import numpy as np
import scipy
from scipy import special, stats

OUT = Path(__file__).resolve().parent.parent / "test" / "fixtures" / "ab" / "reference-vectors.json"
rng = np.random.default_rng(20261211)
mpmath.mp.dps = 50


def f(x):
    return float(x)


# --- special functions ---------------------------------------------------------------------------
normal_two_sided = [[z, f(2 * stats.norm.sf(abs(z)))]
                    for z in [0.0, 1e-8, 0.01, 0.5, 1.0, 1.959963984540054, 2.5, 3.7, 5.0, 8.0, 12.0, 20.0, 37.0,
                              -0.3, -2.2, -6.5]]
normal_quantile = [[p, f(stats.norm.ppf(p))]
                   for p in [1e-300, 1e-100, 1e-20, 1e-10, 1e-5, 0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                             0.4, 0.5, 0.6, 0.9, 0.975, 0.999]]
t_sf = [[t, df, f(stats.t.sf(t, df))]
        for df in [1, 2, 2.5, 3.7, 10, 29.3, 100, 1000.5, 1e4, 2e5, 1e6]
        for t in [0.0, 0.1, 1.0, 1.7, 2.0, 3.5, 6.0, 15.0, 40.0, -1.3]]
t_isf = [[q, df, f(stats.t.isf(q, df))]
         for df in [1, 2, 2.5, 3.7, 10, 29.3, 100, 1000.5, 1e4, 2e5, 1e6]
         for q in [1e-12, 1e-6, 0.0005, 0.005, 0.025, 0.05, 0.1, 0.3, 0.5, 0.7]]
betainc = [[x, a, b, f(special.betainc(a, b, x))]
           for a, b in [(0.5, 0.5), (1, 3), (2.5, 0.5), (5, 0.5), (50, 0.5), (5000, 0.5), (30, 40), (0.5, 800)]
           for x in [1e-6, 0.01, 0.2, 0.5, 0.8, 0.99, 0.999999]]

# --- sample-ratio mismatch: scipy.stats.chisquare(observed, f_exp = N·w/Σw) -----------------------
def srm_case(name, observed, weights):
    w = np.array(weights, float)
    expected = sum(observed) * w / w.sum()
    result = stats.chisquare(observed, f_exp=expected)
    return {"name": name, "observed": observed, "weights": weights, "expected": [f(e) for e in expected],
            "chiSquare": f(result.statistic), "pValue": f(result.pvalue), "mismatch": bool(result.pvalue < 0.001)}


srm = [
    srm_case("even split, balanced", [5012, 4988], [0.5, 0.5]),
    srm_case("even split, borderline", [10150, 9850], [0.5, 0.5]),
    srm_case("even split, broken", [10400, 9600], [0.5, 0.5]),
    srm_case("90/10 as percentages", [90210, 9790], [90, 10]),
    srm_case("90/10, broken", [8700, 1300], [0.9, 0.1]),
    srm_case("weights not summing to 1", [333, 667], [1, 2]),
    srm_case("three variants", [3100, 3000, 2900], [1 / 3, 1 / 3, 1 / 3]),
    srm_case("tiny counts", [3, 1], [0.5, 0.5]),
    srm_case("huge counts, small imbalance", [50_003_000, 49_997_000], [0.5, 0.5]),
    srm_case("extreme mismatch", [100000, 100], [0.5, 0.5]),
]
for _ in range(6):
    w = rng.uniform(0.05, 1, 2)
    n = int(rng.integers(100, 200000))
    srm.append(srm_case(f"multinomial draw of {n}", [int(c) for c in rng.multinomial(n, w / w.sum())], [f(x) for x in w]))

# --- two-proportion z (pooled z, unpooled Wald interval) ------------------------------------------
def z_case(name, a, b, alpha):
    (sa, na), (sb, nb) = a, b
    pa, pb = sa / na, sb / nb
    pooled = (sa + sb) / (na + nb)
    pooled_se = math.sqrt(pooled * (1 - pooled) * (1 / na + 1 / nb))
    z = (pb - pa) / pooled_se
    p = f(2 * stats.norm.sf(abs(z)))
    # Cross-check against scipy directly: z² is Pearson's χ² of the 2×2 table without Yates' correction.
    table = [[sa, na - sa], [sb, nb - sb]]
    chi2, chi_p, _, _ = stats.chi2_contingency(table, correction=False)
    assert math.isclose(chi2, z * z, rel_tol=1e-9) and math.isclose(chi_p, p, rel_tol=1e-8, abs_tol=1e-300), name
    se = math.sqrt(pa * (1 - pa) / na + pb * (1 - pb) / nb)
    crit = f(stats.norm.isf(alpha / 2))
    return {"name": name, "a": {"successes": sa, "trials": na}, "b": {"successes": sb, "trials": nb}, "alpha": alpha,
            "difference": pb - pa, "statistic": z, "pValue": p, "standardError": se,
            "interval": [pb - pa - crit * se, pb - pa + crit * se],
            "wilson": [[f(v) for v in stats.binomtest(s, n).proportion_ci(1 - alpha, method="wilson")]
                       for s, n in [a, b]]}


proportions = [
    z_case("conversion 10% vs 11%, 10k each", (1000, 10000), (1100, 10000), 0.05),
    z_case("no difference", (500, 5000), (500, 5000), 0.05),
    z_case("small samples", (3, 12), (8, 14), 0.1),
    z_case("unequal sizes", (4500, 90000), (560, 10000), 0.05),
    z_case("rare events", (12, 100000), (31, 100000), 0.01),
    z_case("huge effect, far tail", (100, 10000), (3000, 10000), 0.05),
    z_case("one all-failures arm", (0, 50), (7, 60), 0.05),
    z_case("one all-successes arm", (50, 50), (41, 60), 0.05),
    z_case("B worse", (2400, 20000), (2210, 20000), 0.05),
    z_case("alpha 0.001", (700, 7000), (800, 7100), 0.001),
]

# --- Welch's t from moments and from raw data -------------------------------------------------------
def welch_case(name, a, b, alpha, data=None):
    (na, ma, va), (nb, mb, vb) = a, b
    result = stats.ttest_ind_from_stats(mb, math.sqrt(vb), nb, ma, math.sqrt(va), na, equal_var=False)
    se2 = va / na + vb / nb
    df = se2 ** 2 / ((va / na) ** 2 / (na - 1) + (vb / nb) ** 2 / (nb - 1))
    se = math.sqrt(se2)
    half = f(stats.t.isf(alpha / 2, df)) * se
    case = {"name": name, "a": {"n": na, "mean": ma, "variance": va}, "b": {"n": nb, "mean": mb, "variance": vb},
            "alpha": alpha, "difference": mb - ma, "statistic": f(result.statistic), "pValue": f(result.pvalue),
            "degreesOfFreedom": df, "standardError": se, "interval": [mb - ma - half, mb - ma + half],
            # engine rule: a constant arm's interval is its mean (scipy answers NaN for scale 0)
            "meanIntervals": [[f(x) for x in stats.t.interval(1 - alpha, n - 1, loc=m, scale=math.sqrt(v / n))]
                              if v > 0 else [m, m] for n, m, v in [a, b]]}
    if data is not None:
        xa, xb = data
        raw = stats.ttest_ind(xb, xa, equal_var=False)
        ci = raw.confidence_interval(1 - alpha)
        assert math.isclose(raw.df, df, rel_tol=1e-9) and math.isclose(ci.low, mb - ma - half, rel_tol=1e-9, abs_tol=1e-12)
        case["data"] = {"a": [f(x) for x in xa], "b": [f(x) for x in xb]}
    return case


def welch_raw(name, xa, xb, alpha):
    xa, xb = np.round(xa, 6), np.round(xb, 6)
    moments = lambda x: (len(x), f(np.mean(x)), f(np.var(x, ddof=1)))
    return welch_case(name, moments(xa), moments(xb), alpha, (xa, xb))


means = [
    welch_case("revenue-like, large n", (20000, 12.31, 95.2), (21000, 12.55, 101.7), 0.05),
    welch_case("unequal variances and sizes", (40, 3.2, 0.8), (400, 3.45, 4.1), 0.05),
    welch_case("tiny samples", (2, 1.0, 0.5), (3, 2.0, 3.0), 0.1),
    welch_case("one arm constant", (30, 5.0, 0.0), (25, 5.3, 0.64), 0.05),
    welch_case("far tail", (5000, 10.0, 1.0), (5000, 10.5, 1.0), 0.05),
    welch_case("huge df", (10 ** 6, 0.0, 1.0), (10 ** 6, 0.003, 1.0), 0.05),
    welch_case("B lower", (300, 250.0, 900.0), (280, 241.0, 1100.0), 0.01),
    welch_raw("raw normal, 200 vs 220", rng.normal(0, 1, 200), rng.normal(0.25, 1.4, 220), 0.05),
    welch_raw("raw log-normal latency, 500 vs 450", rng.lognormal(3, 0.5, 500), rng.lognormal(2.95, 0.6, 450), 0.05),
    welch_raw("raw large offset, 300 vs 300", 1e6 + rng.normal(0, 1, 300), 1e6 + rng.normal(0.1, 1, 300), 0.05),
    welch_raw("raw small, 5 vs 7", rng.normal(0, 1, 5), rng.normal(1, 1, 7), 0.2),
]

# --- mSPRT, normal mixture (Johari et al. 2017): ln Λ in mpmath, running p = min(p, 1/Λ) --------------
def msprt_expected(looks, kind, tau2, alpha, d0=0.0):
    p, rejected_at, out = mpmath.mpf(1), None, []
    for i, (a, b) in enumerate(looks):
        na, nb = a["count"], b["count"]
        if kind == "binary":
            var = lambda s: mpmath.mpf(s["m2"]) / s["count"]
        else:
            var = lambda s: mpmath.mpf(s["m2"]) / (s["count"] - 1)
        d = mpmath.mpf(b["sum"]) / nb - mpmath.mpf(a["sum"]) / na
        s2 = var(a) / na + var(b) / nb if min(na, nb) >= 2 else mpmath.mpf(0)
        if s2 > 0:  # engine rule: a look with s² = 0 carries no evidence (Λ = 1)
            log_lambda = mpmath.log(mpmath.sqrt(s2 / (s2 + tau2))) + tau2 * (d - d0) ** 2 / (2 * s2 * (s2 + tau2))
        else:
            log_lambda = mpmath.mpf(0)
        p = min(p, mpmath.exp(-log_lambda))
        if rejected_at is None and log_lambda >= -mpmath.log(alpha):
            rejected_at = i
        out.append({"difference": f(d), "variance": f(s2), "logStatistic": f(log_lambda), "pValue": f(p)})
    return out, rejected_at


def summary(x):
    x = np.asarray(x, float)
    return {"count": int(len(x)), "sum": f(np.sum(x)), "m2": f(np.sum((x - np.mean(x)) ** 2)) if len(x) else 0.0}


def msprt_case(name, kind, draw_a, draw_b, batches, batch, tau2, alpha):
    xa, xb, looks = np.array([]), np.array([]), []
    for _ in range(batches):
        xa = np.concatenate([xa, draw_a(batch)])
        xb = np.concatenate([xb, draw_b(batch)])
        looks.append((summary(xa), summary(xb)))
    expected, rejected_at = msprt_expected(looks, kind, tau2, alpha)
    return {"name": name, "kind": kind, "tau2": tau2, "alpha": alpha,
            "looks": [{"a": a, "b": b} for a, b in looks], "expected": expected, "rejectedAt": rejected_at}


bern = lambda p: (lambda n: rng.binomial(1, p, n).astype(float))
gauss = lambda m, s: (lambda n: np.round(rng.normal(m, s, n), 6))
sequential = [
    msprt_case("binary, no effect", "binary", bern(0.1), bern(0.1), 20, 500, 0.01 ** 2, 0.05),
    msprt_case("binary, 10% vs 13%", "binary", bern(0.1), bern(0.13), 20, 500, 0.02 ** 2, 0.05),
    msprt_case("binary, B worse", "binary", bern(0.3), bern(0.24), 15, 300, 0.05 ** 2, 0.05),
    msprt_case("binary, one value per look (zero variance at first)", "binary", bern(0.25), bern(0.25), 12, 1, 0.1 ** 2, 0.05),
    msprt_case("continuous, no effect", "continuous", gauss(5, 2), gauss(5, 2), 25, 100, 0.2 ** 2, 0.05),
    msprt_case("continuous, shift 0.3 sd", "continuous", gauss(5, 2), gauss(5.6, 2), 25, 100, 0.5 ** 2, 0.05),
    msprt_case("continuous, single values first", "continuous", gauss(0, 1), gauss(0.5, 1), 12, 1, 0.25, 0.1),
    msprt_case("continuous, large effect overflows Λ", "continuous", gauss(0, 1), gauss(3, 1), 5, 2000, 1.0, 0.05),
]

vectors = {"generator": "scripts/ab-reference-vectors.py", "scipy": scipy.__version__, "numpy": np.__version__,
           "mpmath": mpmath.__version__,
           "normalTwoSided": normal_two_sided, "normalQuantile": normal_quantile, "studentTSf": t_sf,
           "studentTIsf": t_isf, "betainc": betainc, "srm": srm, "proportions": proportions, "means": means,
           "sequential": sequential}
OUT.parent.mkdir(parents=True, exist_ok=True)
OUT.write_text(json.dumps(vectors, separators=(",", ":")) + "\n")
print(f"wrote {OUT.stat().st_size / 1e3:.0f} kB to {OUT}")
