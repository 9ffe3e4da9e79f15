"""Expected values for DriftMeasuresTest, from SciPy and NumPy.

Run with /usr/bin/python3 (SciPy 1.17.1, NumPy 2.4.6):

    /usr/bin/python3 evaluation/src/test/python/expected_drift.py

The samples below are copied literally into DriftMeasuresTest (the large ones are built there by the
same integer formulas); each printed value is asserted there. The Kolmogorov-Smirnov statistic is
ks_2samp's; the p-value is Kolmogorov's limiting distribution at sqrt(n m / (n + m)) D, kstwobign.sf.
ks_2samp(method="asymp") is printed too: for two-sided tests it uses kstwo.sf(D, round(n m / (n + m))),
the finite-n one-sample distribution, not the limiting one, so it differs from Attune's p-value.
The PSI lines recompute the definition with np.quantile (linear, the default) for the edges.
"""
import numpy as np
from scipy.stats import ks_2samp, kstwobign

A = [0.1, 0.5, 0.9, 1.3, 2.0, 2.2, 3.1]
B = [0.4, 1.0, 1.1, 2.5, 2.6, 3.3, 4.0, 4.4]
# Ties within and across the samples.
TA = [1, 1, 2, 2, 2, 3, 4]
TB = [1, 2, 2, 3, 3, 3, 5, 5]
# Larger samples from integer formulas (exact in binary after the division by 10 is rounded).
LA = [(i * 37 % 101) / 10.0 for i in range(150)]
LB = [(i * 53 % 103) / 10.0 + 0.5 for i in range(230)]
LC = [(i * 53 % 103) / 10.0 + 2.0 for i in range(230)]


def ks(name, a, b):
    r = ks_2samp(a, b)
    n, m = len(a), len(b)
    en = n * m / (n + m)
    print(f"{name}: D = {float(r.statistic)!r}, kstwobign.sf = {float(kstwobign.sf(np.sqrt(en) * r.statistic))!r}, "
          f"ks_2samp asymp p = {float(ks_2samp(a, b, method='asymp').pvalue)!r}, exact p = {float(r.pvalue)!r}")


def psi(name, ref, cur, bins=10, eps=1e-4):
    ref = np.asarray(ref, dtype=float)
    cur = np.asarray(cur, dtype=float)
    edges = np.unique(np.quantile(ref, np.arange(1, bins) / bins))
    r = np.bincount(np.searchsorted(edges, ref, side="left"), minlength=len(edges) + 1) / len(ref)
    c = np.bincount(np.searchsorted(edges, cur, side="left"), minlength=len(edges) + 1) / len(cur)
    r = np.maximum(r, eps)
    c = np.maximum(c, eps)
    print(f"{name}: psi = {float(np.sum((c - r) * np.log(c / r)))!r}, edges = {len(edges)}")


ks("A, B", A, B)
ks("TA, TB", TA, TB)
ks("LA, LB", LA, LB)
ks("LA, LC", LA, LC)
for x in (0.02, 0.05, 0.3, 0.5, 0.8, 0.99, 1.0, 1.2, 2.0, 3.0):
    print(f"kstwobign.sf({x}) = {float(kstwobign.sf(x))!r}")
psi("LA, LB", LA, LB)
psi("LA, LC", LA, LC)
psi("TA, TB", TA, TB, bins=4)
