"""Expected values for the evaluation module's tests, from scikit-learn and SciPy.

Run with Debian 12's packages (python3-sklearn 1.2.1, python3-scipy 1.10.1, numpy 1.24.2):

    /usr/bin/python3 evaluation/src/test/python/expected_metrics.py

The inputs below are copied literally into MetricsReferenceTest, BootstrapTest, McNemarTest and FairnessTest
(the confusion matrices into MetricsReferenceTest and EvaluationReportTest);
each printed line is the expected value that a Java test asserts to 1e-9. Where scikit-learn has
no such metric (expected and maximum calibration error, the multi-class Brier score) or Fairlearn
is needed (not packaged in Debian), the value is computed from the definition with numpy, as
written out in the function that prints it.
"""
import numpy as np
from scipy.stats import binomtest
from sklearn import metrics as m

# Multi-class: 4 classes, 12 examples, tied scores within and across rows.
Y4 = np.array([0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 2])
P4 = np.array([
    [0.4, 0.3, 0.2, 0.1],
    [0.1, 0.6, 0.2, 0.1],
    [0.2, 0.2, 0.5, 0.1],
    [0.1, 0.2, 0.3, 0.4],
    [0.3, 0.3, 0.2, 0.2],
    [0.5, 0.2, 0.2, 0.1],
    [0.1, 0.1, 0.7, 0.1],
    [0.25, 0.25, 0.25, 0.25],
    [0.6, 0.1, 0.1, 0.2],
    [0.2, 0.4, 0.3, 0.1],
    [0.1, 0.3, 0.3, 0.3],
    [0.2, 0.2, 0.2, 0.4],
])
W4 = np.array([1, 2, 0.5, 1, 3, 1, 1, 0.5, 2, 1, 1.5, 1])

# Binary: class 1 positive, tied scores (0.4 three times, across both classes).
YB = np.array([0, 0, 1, 1, 0, 1, 0, 1, 1, 0])
PB1 = np.array([0.1, 0.4, 0.35, 0.8, 0.4, 0.4, 0.6, 0.9, 0.5, 0.2])
WB = np.array([1, 1, 2, 1, 0.5, 1, 3, 1, 1, 2])

# Edge: 4 classes; class 3 never occurs among the labels but is predicted; class 2 is never predicted.
YE = np.array([0, 0, 1, 1, 2, 2, 0, 1])
PE = np.array([
    [0.6, 0.2, 0.1, 0.1],
    [0.2, 0.2, 0.1, 0.5],
    [0.1, 0.7, 0.1, 0.1],
    [0.3, 0.4, 0.2, 0.1],
    [0.4, 0.1, 0.3, 0.2],
    [0.1, 0.3, 0.2, 0.4],
    [0.5, 0.1, 0.3, 0.1],
    [0.2, 0.2, 0.2, 0.4],
])


def rows(p1):
    return np.column_stack([1 - p1, p1])


def show(name, value):
    print(f"{name} = {float(value)!r}")


def label_metrics(tag, y, p, w=None):
    k = p.shape[1]
    yhat = p.argmax(axis=1)  # lowest index among ties, as Predictions
    show(f"{tag} accuracy", m.accuracy_score(y, yhat, sample_weight=w))
    show(f"{tag} balanced_accuracy", m.balanced_accuracy_score(y, yhat, sample_weight=w))
    for avg in ("macro", "micro", "weighted"):
        show(f"{tag} precision_{avg}", m.precision_score(y, yhat, average=avg, sample_weight=w, zero_division=0))
        show(f"{tag} recall_{avg}", m.recall_score(y, yhat, average=avg, sample_weight=w, zero_division=0))
        show(f"{tag} f1_{avg}", m.f1_score(y, yhat, average=avg, sample_weight=w, zero_division=0))
    for c in range(k):
        show(f"{tag} precision_class_{c}", m.precision_score(y, yhat, labels=[c], average=None, sample_weight=w, zero_division=0)[0])
        show(f"{tag} recall_class_{c}", m.recall_score(y, yhat, labels=[c], average=None, sample_weight=w, zero_division=0)[0])
        show(f"{tag} f1_class_{c}", m.f1_score(y, yhat, labels=[c], average=None, sample_weight=w, zero_division=0)[0])
    show(f"{tag} log_loss", m.log_loss(y, p, labels=list(range(k)), sample_weight=w))
    show(f"{tag} brier_multiclass", brier_multiclass(y, p, w))
    for bins in (15, 4):
        ece, mce = calibration(y, p, bins, w)
        show(f"{tag} ece_{bins}", ece)
        show(f"{tag} mce_{bins}", mce)


def multiclass_scores(tag, y, p, w=None):
    k = p.shape[1]
    for kk in range(2, k):
        show(f"{tag} top_{kk}_accuracy", m.top_k_accuracy_score(y, p, k=kk, labels=list(range(k)), sample_weight=w))
    present = sorted(set(y.tolist()))
    if len(present) == k:
        show(f"{tag} roc_auc_ovr", m.roc_auc_score(y, p, multi_class="ovr", average="macro", sample_weight=w))
        show(f"{tag} roc_auc_ovr_weighted",
             m.roc_auc_score(y, p, multi_class="ovr", average="weighted", sample_weight=w))
    # The mean of one binary score per class that occurs among the labels (scikit-learn refuses a
    # class absent from the labels in roc_auc_score(multi_class="ovr"); Attune leaves it out).
    show(f"{tag} roc_auc_ovr_present",
         np.mean([m.roc_auc_score(y == c, p[:, c], sample_weight=w) for c in present]))
    # scikit-learn's average="weighted": each class's score weighted by its (sample-weighted) prevalence,
    # so an absent class would weigh 0; here it is left out, as above.
    prevalence = [np.sum(np.where(y == c, 1.0 if w is None else w, 0.0)) for c in present]
    show(f"{tag} roc_auc_ovr_weighted_present",
         np.average([m.roc_auc_score(y == c, p[:, c], sample_weight=w) for c in present], weights=prevalence))
    show(f"{tag} average_precision_ovr_present",
         np.mean([m.average_precision_score(y == c, p[:, c], sample_weight=w) for c in present]))
    if len(present) == k:
        show(f"{tag} average_precision_ovr",
             m.average_precision_score(np.eye(k)[y], p, average="macro", sample_weight=w))


def confusion(tag, y, p, w=None):
    k = p.shape[1]
    matrix = m.confusion_matrix(y, p.argmax(axis=1), labels=list(range(k)), sample_weight=w)
    print(f"{tag} confusion_matrix = {matrix.tolist()!r}")


def binary_scores(tag, y, p1, w=None):
    show(f"{tag} roc_auc", m.roc_auc_score(y, p1, sample_weight=w))
    show(f"{tag} average_precision", m.average_precision_score(y, p1, sample_weight=w))
    show(f"{tag} brier", m.brier_score_loss(y, p1, sample_weight=w))


def brier_multiclass(y, p, w=None):
    # Brier (1950): mean over examples of the sum over classes of (p_c - [y == c])^2.
    onehot = np.eye(p.shape[1])[y]
    return np.average(((p - onehot) ** 2).sum(axis=1), weights=w)


def calibration(y, p, bins, w=None):
    # Equal-width bins on the top-class confidence: bin b holds (b / M, (b + 1) / M], bin 0 also 0.
    # ECE = sum_b W_b / W |acc_b - conf_b|; MCE = max over non-empty bins |acc_b - conf_b|.
    w = np.ones(len(y)) if w is None else w
    conf = p.max(axis=1)
    correct = (p.argmax(axis=1) == y).astype(float)
    edges = np.arange(bins + 1) / bins
    index = np.searchsorted(edges[1:-1], conf, side="left")
    ece, mce = 0.0, 0.0
    for b in range(bins):
        s = index == b
        if w[s].sum() == 0:
            continue
        gap = abs(np.average(correct[s], weights=w[s]) - np.average(conf[s], weights=w[s]))
        ece += w[s].sum() / w.sum() * gap
        mce = max(mce, gap)
    return ece, mce


def reliability_bins(y, p, bins):
    conf = p.max(axis=1)
    correct = (p.argmax(axis=1) == y).astype(float)
    edges = np.arange(bins + 1) / bins
    index = np.searchsorted(edges[1:-1], conf, side="left")
    for b in range(bins):
        s = index == b
        if s.any():
            print(f"  bin {b}: count {s.sum()}, mean confidence {conf[s].mean()!r}, accuracy {correct[s].mean()!r}")


print("# multi-class, 4 classes, unweighted (M4) and weighted (M4W)")
label_metrics("M4", Y4, P4)
multiclass_scores("M4", Y4, P4)
confusion("M4", Y4, P4)
label_metrics("M4W", Y4, P4, W4)
multiclass_scores("M4W", Y4, P4, W4)
confusion("M4W", Y4, P4, W4)
print("# M4 reliability bins, 4 bins")
reliability_bins(Y4, P4, 4)

print("# binary (B) and weighted (BW)")
label_metrics("B", YB, rows(PB1))
binary_scores("B", YB, PB1)
label_metrics("BW", YB, rows(PB1), WB)
binary_scores("BW", YB, PB1, WB)
confusion("BW", YB, rows(PB1), WB)

print("# edge: class 3 absent from the labels, class 2 never predicted (E)")
label_metrics("E", YE, PE)
multiclass_scores("E", YE, PE)
confusion("E", YE, PE)
try:
    m.roc_auc_score(YE, PE, multi_class="ovr")
except ValueError as e:
    print("  scikit-learn refuses roc_auc_score(multi_class='ovr'):", e)
try:
    m.roc_auc_score(np.zeros(4, dtype=int), np.array([0.1, 0.2, 0.3, 0.4]))
except ValueError as e:
    print("  scikit-learn refuses a single class:", e)

print("# the report fixture (ReportFixtures.predictions) with example weights (R)")
YR = np.array([0, 0, 1, 1, 2, 2])
PR = np.array([
    [0.8, 0.1, 0.1],
    [0.3, 0.6, 0.1],
    [0.1, 0.9, 0.0],
    [0.2, 0.7, 0.1],
    [0.1, 0.1, 0.8],
    [0.5, 0.2, 0.3],
])
WR = np.array([2, 0.5, 1.5, 0, 3, 1])
confusion("R", YR, PR, WR)

print("# numpy percentile (linear interpolation) of 1..10 squared")
sq = np.arange(1, 11) ** 2
for q in (2.5, 50, 97.5, 0, 100):
    show(f"percentile {q}", np.percentile(sq, q))

print("# McNemar's exact test: two-sided binomial test of b against b + c at p = 1/2")
for b, c in ((3, 11), (0, 5), (7, 7), (1, 0), (40, 62)):
    show(f"mcnemar b={b} c={c}", binomtest(min(b, c), b + c, 0.5).pvalue)

# Fairness. Fairlearn is not packaged in Debian, so its definitions are written out with numpy:
#   selection rate of a group = (weighted) share of its examples predicted positive (class 1)
#   demographic_parity_difference = max - min of the groups' selection rates; _ratio = min / max
#   true positive rate = share of the group's positives predicted positive; false positive rate =
#   share of its negatives predicted positive
#   equal_opportunity_difference = max - min of the true positive rates
#   equalized_odds_difference = the larger of (max - min true positive rates, max - min false positive rates)
YF = np.array([1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 0, 0, 1, 0, 1, 0])
PF = np.array([1, 0, 0, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0])
SEX = np.array(["f"] * 8 + ["m"] * 8)
AGE = np.array([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0])
WF = np.array([1, 2, 1, 1, 0.5, 1, 1, 2, 1, 1, 3, 1, 1, 1, 2, 1])


def fairness(tag, groups, w, positive=1):
    y = YF == positive
    yhat = PF == positive
    names = sorted(set(groups.tolist()))
    sel = [np.average(yhat[groups == g], weights=w[groups == g]) for g in names]
    print(f"{tag} groups {names}: selection rates {sel}")
    show(f"{tag} demographic_parity_difference", max(sel) - min(sel))
    show(f"{tag} demographic_parity_ratio", min(sel) / max(sel))
    without = [g for g in names if not ((groups == g) & y).any()]
    if without:
        # Fairlearn would report a true positive rate of 0 here (its confusion matrix row of zeros is
        # normalised with nan_to_num); Attune refuses the measure and names the group.
        print(f"  {tag}: no positive example in group(s) {without}: true positive rates undefined")
        return
    tpr = [np.average(yhat[(groups == g) & y], weights=w[(groups == g) & y]) for g in names]
    fpr = [np.average(yhat[(groups == g) & ~y], weights=w[(groups == g) & ~y]) for g in names]
    print(f"  true positive rates {tpr}, false positive rates {fpr}")
    show(f"{tag} equal_opportunity_difference", max(tpr) - min(tpr))
    show(f"{tag} equalized_odds_difference", max(max(tpr) - min(tpr), max(fpr) - min(fpr)))


print("# fairness by sex (F), weighted (FW), by age (FA), positive class 0 by sex (F0)")
ones = np.ones(len(YF))
fairness("F", SEX, ones)
fairness("FW", SEX, WF)
fairness("FA", AGE.astype(str), ones)
fairness("F0", SEX, ones, positive=0)
print("# accuracy per intersection of sex and age (sklearn accuracy_score on each group's examples)")
acc = {}
for s in ("f", "m"):
    for a in (0, 1, 2):
        mask = (SEX == s) & (AGE == a)
        acc[(s, a)] = m.accuracy_score(YF[mask], PF[mask])
        print(f"  {s} & {a}: {mask.sum()} examples, accuracy {acc[(s, a)]!r}")
show("intersection accuracy difference", max(acc.values()) - min(acc.values()))
show("intersection accuracy ratio", min(acc.values()) / max(acc.values()))
