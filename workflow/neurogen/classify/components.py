"""Estimators the sweep needs that scikit-learn does not provide as such.

- :class:`ShiftedBoxCox`: Box–Cox needs strictly positive input; features are shifted so
  their training minimum lands at 5 % of their training range above zero (test values below
  that are clipped to a small positive floor), then sklearn's Box–Cox (+ standardisation).
- :class:`NonNegative` + multinomial NB: counts-like input; each feature is shifted by its
  training minimum and clipped at 0.
- :class:`LiblinearLogReg`: one-vs-rest liblinear logistic regression (the study's setting;
  scikit-learn >= 1.8 no longer runs liblinear on several classes without the wrapper).
- :class:`OutOfSampleEmbedding`: t-SNE and MDS embed only the cells they were fit on. New
  cells are placed at the distance-weighted mean of the embeddings of their k nearest
  training cells (in the scaled input space) — the usual k-NN out-of-sample extension.
"""

from __future__ import annotations

import inspect
import logging

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.naive_bayes import MultinomialNB
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import PowerTransformer


class ShiftedBoxCox(TransformerMixin, BaseEstimator):
    def __init__(self, margin: float = 0.05, standardize: bool = True):
        self.margin = margin
        self.standardize = standardize

    def fit(self, X, y=None):
        X = np.asarray(X, float)
        # a feature constant in the training data carries no information and makes Box-Cox
        # fail ("Data must not be constant"): dropped here (logged), for train and test alike
        self.keep_ = X.max(axis=0) > X.min(axis=0) if len(X) else np.ones(X.shape[1], bool)
        if not self.keep_.all():
            logging.getLogger("neurogen").warning(
                "Box-Cox: dropping %d feature(s) constant in the training data (columns %s)",
                int((~self.keep_).sum()),
                np.flatnonzero(~self.keep_).tolist()[:10],
            )
        if not self.keep_.any():
            raise ValueError("Box-Cox: every feature is constant in the training data")
        X = X[:, self.keep_]
        lo, hi = X.min(axis=0), X.max(axis=0)
        rng = np.where(hi > lo, hi - lo, np.maximum(np.abs(hi), 1.0))
        floor = self.margin * rng
        # shift only features that are not already strictly positive
        self.shift_ = np.where(lo > 0, 0.0, floor - lo)
        self.floor_ = np.where(lo > 0, np.minimum(lo, floor), floor) * 0.1
        self.pt_ = PowerTransformer(method="box-cox", standardize=self.standardize)
        self.pt_.fit(np.maximum(X + self.shift_, self.floor_))
        return self

    def _pos(self, X):
        return np.maximum(np.asarray(X, float)[:, self.keep_] + self.shift_, self.floor_)

    def transform(self, X):
        return self.pt_.transform(self._pos(X))


class NonNegative(TransformerMixin, BaseEstimator):
    def fit(self, X, y=None):
        self.min_ = np.asarray(X, float).min(axis=0)
        return self

    def transform(self, X):
        return np.clip(np.asarray(X, float) - self.min_, 0.0, None)


class ShiftedMultinomialNB(ClassifierMixin, BaseEstimator):
    """Multinomial naive Bayes on features shifted to be non-negative (train minimum -> 0)."""

    def __init__(self, alpha: float = 1.0):
        self.alpha = alpha

    def fit(self, X, y):
        self.shift_ = NonNegative().fit(X)
        self.nb_ = MultinomialNB(alpha=self.alpha).fit(self.shift_.transform(X), y)
        self.classes_ = self.nb_.classes_
        return self

    def predict(self, X):
        return self.nb_.predict(self.shift_.transform(X))

    def predict_proba(self, X):
        return self.nb_.predict_proba(self.shift_.transform(X))


_LR_HAS_L1_RATIO_ONLY = "l1_ratio" in inspect.signature(LogisticRegression).parameters


class LiblinearLogReg(ClassifierMixin, BaseEstimator):
    def __init__(self, penalty: str = "l2", C: float = 1.0, max_iter: int = 1000, tol: float = 1e-4, random_state=None):
        self.penalty = penalty
        self.C = C
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state

    def fit(self, X, y):
        import sklearn

        new_api = tuple(int(v) for v in sklearn.__version__.split(".")[:2]) >= (1, 8)
        pen = {"l1_ratio": 1.0 if self.penalty == "l1" else 0.0} if new_api else {"penalty": self.penalty}
        lr = LogisticRegression(
            solver="liblinear", C=self.C, max_iter=self.max_iter, tol=self.tol, random_state=self.random_state, **pen
        )
        self.model_ = OneVsRestClassifier(lr).fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X)

    def decision_function(self, X):
        return self.model_.decision_function(X)


class OutOfSampleEmbedding(TransformerMixin, BaseEstimator):
    """Wrap a fit-only embedding (t-SNE, MDS) with a k-NN out-of-sample transform."""

    def __init__(self, embedding=None, n_neighbors: int = 10):
        self.embedding = embedding
        self.n_neighbors = n_neighbors

    def fit_transform(self, X, y=None):
        X = np.asarray(X, float)
        self.embedding_ = clone(self.embedding)
        self.train_embedding_ = self.embedding_.fit_transform(X)
        self.nn_ = NearestNeighbors(n_neighbors=min(self.n_neighbors, len(X))).fit(X)
        return self.train_embedding_

    def fit(self, X, y=None):
        self.fit_transform(X, y)
        return self

    def transform(self, X):
        d, idx = self.nn_.kneighbors(np.asarray(X, float))
        w = 1.0 / np.maximum(d, 1e-12)
        exact = d[:, 0] <= 1e-12  # a training cell maps onto its own embedding
        w[exact] = 0.0
        w[exact, 0] = 1.0
        w /= w.sum(axis=1, keepdims=True)
        return np.einsum("nk,nkc->nc", w, self.train_embedding_[idx])
