"""SMOTE (imbalanced-learn): new cells on segments between a cell and one of its k nearest
neighbours of the same class. ``k_neighbors`` is reduced to (class size − 1) for a class too
small for it, logged and recorded in ``k_used_``."""

from __future__ import annotations

import logging
import warnings

import numpy as np

from .base import OUTLIER_REF, OUTLIER_SD, Generator

log = logging.getLogger("neurogen")


class SMOTEGenerator(Generator):
    name = "smote"

    def __init__(
        self,
        k_neighbors: int = 5,
        outlier_sd: float | None = OUTLIER_SD,
        outlier_ref: str = OUTLIER_REF,
        seed: int = 0,
    ):
        super().__init__(outlier_sd=outlier_sd, outlier_ref=outlier_ref, seed=seed)
        self.k_neighbors = k_neighbors

    def _fit(self, X, codes):
        self.X_ = X
        self.codes_ = codes
        self.k_used_ = {}
        for k, c in enumerate(self.classes_):
            n = int((codes == k).sum())
            kk = min(self.k_neighbors, n - 1)
            if kk < self.k_neighbors:
                log.warning(
                    "smote: class %s has %d training cells; k_neighbors reduced from %d to %d",
                    c,
                    n,
                    self.k_neighbors,
                    kk,
                )
            self.k_used_[c] = kk

    def _sample(self, counts, seed):
        from imblearn.over_sampling import SMOTE

        out_X, out_c = [], []
        for k, c in enumerate(self.classes_):
            if counts[k] == 0:
                continue
            n_c = int((self.codes_ == k).sum())
            sm = SMOTE(
                sampling_strategy={k: n_c + int(counts[k])},
                k_neighbors=self.k_used_[c],
                random_state=(seed + 7919 * k) % 2**32,
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                Xr, yr = sm.fit_resample(self.X_, self.codes_)
            # imbalanced-learn appends the new samples after the original rows
            new = Xr[len(self.X_) :]
            assert len(new) == counts[k] and (yr[len(self.X_) :] == k).all()
            out_X.append(new)
            out_c.append(np.full(len(new), k))
        return np.vstack(out_X), np.concatenate(out_c)
