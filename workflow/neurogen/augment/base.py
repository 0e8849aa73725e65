"""The generator interface shared by every augmentation method.

``fit(X, y) -> self`` learns one class-conditional model from real training cells;
``sample(n_per_class, random_state) -> (X, y)`` draws ``n_per_class`` synthetic cells for every
class seen in ``fit``. After sampling, rows that are not finite or out of range in any feature
are removed, counted and logged. Out of range (``outlier_ref``): ``"range"`` (default) — more
than ``outlier_sd`` SD beyond the range [min, max] of the real training cells, so that no
interpolation between real cells is ever removed; ``"mean"`` — more than ``outlier_sd`` SD from
the real training mean (the study's criterion for its PCA figures; it also removes synthetic
copies of real cells that lie in the tails). ``report_`` holds the counts per class
(``class, n_requested, n_nonfinite, n_out_of_range, n_kept``). Features that are constant in
the training data are constant in the samples too.

Subclasses implement ``_fit(X, y_codes)`` and ``_sample(counts, seed) -> (X, y_codes)`` on the
validated arrays (classes coded 0..K-1).
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from .. import NeurogenError

log = logging.getLogger("neurogen")

#: a class needs this many training cells to get synthetic samples
MIN_CLASS_CELLS = 2
#: the defaults of every generator's outlier filter: config.yaml's augment.outlier_sd / outlier_ref
#: (tests/test_config_defaults.py keeps the two equal)
OUTLIER_SD = 3.0
OUTLIER_REF = "range"


class Generator:
    name = "base"

    def __init__(self, outlier_sd: float | None = OUTLIER_SD, outlier_ref: str = OUTLIER_REF, seed: int = 0):
        if outlier_ref not in ("range", "mean"):
            raise NeurogenError(f"{self.name}: outlier_ref must be 'range' or 'mean', not {outlier_ref!r}")
        if outlier_sd is not None and not outlier_sd > 0:
            raise NeurogenError(f"{self.name}: outlier_sd must be > 0 (or None to keep every finite sample)")
        self.outlier_sd = outlier_sd
        self.outlier_ref = outlier_ref
        self.seed = seed

    # -- fitting -----------------------------------------------------------------------------
    def fit(self, X, y):
        X = np.asarray(X, dtype=float)
        y = np.asarray(y).astype(str)
        if X.ndim != 2:
            raise NeurogenError(f"{self.name}: X must be a 2-D array (cells × features), got shape {X.shape}")
        if len(X) != len(y):
            raise NeurogenError(f"{self.name}: X has {len(X)} rows but y has {len(y)} labels")
        bad = ~np.isfinite(X)
        if bad.any():
            cols = sorted(set(np.nonzero(bad)[1].tolist()))
            raise NeurogenError(
                f"{self.name}: {int(bad.sum())} missing or non-finite value(s) in the "
                f"training features (columns {cols[:10]}); impute them first "
                f"(neurogen.data.MeanImputer)"
            )
        classes, counts = np.unique(y, return_counts=True)
        small = classes[counts < MIN_CLASS_CELLS]
        if len(small):
            log.warning(
                "%s: class(es) %s have fewer than %d training cells and get no synthetic samples",
                self.name,
                list(small),
                MIN_CLASS_CELLS,
            )
        keep = ~np.isin(y, small)
        if keep.sum() == 0:
            raise NeurogenError(f"{self.name}: no class has {MIN_CLASS_CELLS} or more training cells")
        self.skipped_classes_ = list(small)
        self.classes_ = np.array([c for c in classes if c not in set(small)])
        self.class_counts_ = {c: int(n) for c, n in zip(classes, counts) if c not in set(small)}
        X, y = X[keep], y[keep]
        self.n_features_in_ = X.shape[1]
        self.mean_ = X.mean(axis=0)
        self.sd_ = X.std(axis=0)
        self.min_, self.max_ = X.min(axis=0), X.max(axis=0)
        self.constant_ = self.sd_ <= 1e-12 * np.maximum(1.0, np.abs(self.mean_))
        if self.constant_.any():
            log.info(
                "%s: %d constant feature(s) (columns %s) are kept constant in the samples",
                self.name,
                int(self.constant_.sum()),
                np.nonzero(self.constant_)[0].tolist()[:10],
            )
        codes = np.searchsorted(self.classes_, y)
        self._fit(X, codes)
        return self

    def _fit(self, X, codes):
        raise NotImplementedError

    # -- sampling ----------------------------------------------------------------------------
    def sample(self, n_per_class, random_state=None):
        """``n_per_class`` (int, or dict class -> int) synthetic cells per class, filtered."""
        if not hasattr(self, "classes_"):
            raise NeurogenError(f"{self.name}: call fit(X, y) before sample()")
        if isinstance(n_per_class, dict):
            unknown = set(n_per_class) - set(self.classes_)
            if unknown:
                raise NeurogenError(f"{self.name}: classes {sorted(unknown)} were not in the training data")
            counts = np.array([int(n_per_class.get(c, 0)) for c in self.classes_])
        else:
            counts = np.full(len(self.classes_), int(n_per_class))
        if (counts < 0).any():
            raise NeurogenError(f"{self.name}: n_per_class must be >= 0")
        seed = self.seed if random_state is None else random_state
        seed = int(np.random.SeedSequence(seed).generate_state(1)[0]) if not isinstance(seed, int) else seed
        if counts.sum() == 0:
            Xs, cs = np.zeros((0, self.n_features_in_)), np.zeros(0, int)
        else:
            Xs, cs = self._sample(counts, seed)
            Xs = np.asarray(Xs, float)
        Xs, cs = self._filter(Xs, np.asarray(cs, int), counts)
        return Xs, self.classes_[cs]

    def _sample(self, counts, seed):
        raise NotImplementedError

    def _filter(self, Xs, cs, counts):
        Xs = Xs.copy()
        Xs[:, self.constant_] = self.mean_[self.constant_]
        nonfinite = ~np.isfinite(Xs).all(axis=1)
        if self.outlier_sd is not None:
            sd = np.where(self.constant_, np.inf, self.sd_)
            k = self.outlier_sd * sd
            with np.errstate(invalid="ignore"):
                if self.outlier_ref == "mean":
                    out = np.abs(Xs - self.mean_) > k
                else:
                    out = (Xs < self.min_ - k) | (Xs > self.max_ + k)
                far = out.any(axis=1) & ~nonfinite
        else:
            far = np.zeros(len(Xs), bool)
        keep = ~(nonfinite | far)
        rows = []
        for k, c in enumerate(self.classes_):
            m = cs == k
            rows.append(
                {
                    "class": c,
                    "n_requested": int(counts[k]),
                    "n_nonfinite": int((nonfinite & m).sum()),
                    "n_out_of_range": int((far & m).sum()),
                    "n_kept": int((keep & m).sum()),
                }
            )
        self.report_ = pd.DataFrame(rows, columns=["class", "n_requested", "n_nonfinite", "n_out_of_range", "n_kept"])
        n_bad = int((~keep).sum())
        if n_bad:
            log.warning(
                "%s: removed %d of %d synthetic cells (%d non-finite, %d more than %.1f SD beyond "
                "the real training %s)",
                self.name,
                n_bad,
                len(Xs),
                int(nonfinite.sum()),
                int(far.sum()),
                self.outlier_sd or 0,
                "mean" if self.outlier_ref == "mean" else "range",
            )
        return Xs[keep], cs[keep]

    # -- convenience -------------------------------------------------------------------------
    def fit_resample(self, X, y, n_per_class, random_state=None):
        """imbalanced-learn style: the real cells followed by the synthetic ones."""
        self.fit(X, y)
        Xs, ys = self.sample(n_per_class, random_state)
        return np.vstack([np.asarray(X, float), Xs]), np.concatenate([np.asarray(y).astype(str), ys])

    def to_cpu(self):
        """Move any model to the CPU (before pickling); a no-op for non-torch generators."""
        return self

    def __repr__(self):
        return f"{type(self).__name__}({self.name})"
