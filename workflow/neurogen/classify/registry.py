"""Registries of the sweep's components: name in config -> estimator factory.

The sweep is data: config names scalers, reducers (with ``_k<n>`` for the neighbourhood
size of Isomap/LLE variants) and classifiers; these functions build them. Imports happen
inside the factories so the names can be checked without importing scikit-learn.
"""

from __future__ import annotations

import re

from .. import NeurogenError

SCALERS = (
    "none",
    "quantile_normal",
    "quantile_uniform",
    "minmax",
    "standard",
    "robust",
    "maxabs",
    "normalizer",
    "boxcox",
    "yeojohnson",
)
REDUCERS = ("none", "pca", "ica", "lda", "tsvd", "srp", "nca", "tsne", "mds", "isomap", "lle", "mlle", "hlle", "ltsa")
NEIGHBOURHOOD_REDUCERS = ("isomap", "lle", "mlle", "hlle", "ltsa")
#: reducers without an out-of-sample transform: extended by k-NN (components.OutOfSampleEmbedding)
EMBEDDING_ONLY = ("tsne", "mds")
CLASSIFIERS = (
    "svm_linear",
    "svm_poly",
    "svm_rbf",
    "svm_sigmoid",
    "mlp",
    "logreg_l1",
    "logreg_l2",
    "random_forest",
    "extra_trees",
    "lda",
    "gaussian_nb",
    "multinomial_nb",
    "decision_tree",
)
N_COMPONENTS = 2
#: libsvm iteration cap: without one, a linear SVM on an unnormalised embedding (e.g. NCA)
#: can run for hours; non-converged fits are flagged in the sweep's `note` column
SVM_MAX_ITER = 100_000
_RED = re.compile(r"^([a-z]+)(?:_k(\d+))?$")


def make_scaler(name: str):
    from sklearn.preprocessing import (
        FunctionTransformer,
        MaxAbsScaler,
        MinMaxScaler,
        Normalizer,
        PowerTransformer,
        QuantileTransformer,
        RobustScaler,
        StandardScaler,
    )

    from .components import ShiftedBoxCox

    table = {
        "none": lambda: FunctionTransformer(),
        "quantile_normal": lambda: QuantileTransformer(
            output_distribution="normal", n_quantiles=1000, subsample=10**9, random_state=0
        ),
        "quantile_uniform": lambda: QuantileTransformer(
            output_distribution="uniform", n_quantiles=1000, subsample=10**9, random_state=0
        ),
        "minmax": MinMaxScaler,
        "standard": StandardScaler,
        "robust": RobustScaler,
        "maxabs": MaxAbsScaler,
        "normalizer": Normalizer,
        "boxcox": ShiftedBoxCox,
        "yeojohnson": lambda: PowerTransformer(method="yeo-johnson"),
    }
    if name not in table:
        raise NeurogenError(f"unknown scaler {name!r}; known: {', '.join(SCALERS)}")
    return table[name]()


def parse_reducer(name: str):
    """'isomap_k10' -> ('isomap', 10); 'pca' -> ('pca', None)."""
    m = _RED.match(name)
    if not m or m.group(1) not in REDUCERS:
        raise NeurogenError(
            f"unknown reducer {name!r}; known: {', '.join(REDUCERS)} "
            f"(neighbourhood methods take _k<n>, e.g. isomap_k10)"
        )
    base, k = m.group(1), m.group(2)
    if k is not None and base not in NEIGHBOURHOOD_REDUCERS:
        raise NeurogenError(f"reducer {name!r}: only {NEIGHBOURHOOD_REDUCERS} take a neighbourhood size")
    return base, (int(k) if k is not None else None)


def expand_reducers(names, n_neighbors):
    """Expand bare neighbourhood reducers into one entry per n_neighbors value."""
    out = []
    for name in names:
        base, k = parse_reducer(name)
        if base in NEIGHBOURHOOD_REDUCERS and k is None:
            out.extend(f"{base}_k{n}" for n in n_neighbors)
        else:
            out.append(name)
    return list(dict.fromkeys(out))


def make_reducer(name: str, random_state: int = 0, n_components: int = N_COMPONENTS):
    """Build a reducer, or None for 'none'. LDA and NCA are supervised (fit(X, y))."""
    from sklearn import decomposition, discriminant_analysis, manifold, neighbors, random_projection

    from .components import OutOfSampleEmbedding

    base, k = parse_reducer(name)
    k = k or 10
    nc = n_components
    if base == "none":
        return None
    if base == "pca":
        return decomposition.PCA(n_components=nc, random_state=random_state)
    if base == "ica":
        return decomposition.FastICA(n_components=nc, random_state=random_state, max_iter=1000, whiten="unit-variance")
    if base == "lda":
        return discriminant_analysis.LinearDiscriminantAnalysis(n_components=nc)
    if base == "tsvd":
        return decomposition.TruncatedSVD(n_components=nc, random_state=random_state)
    if base == "srp":
        return random_projection.SparseRandomProjection(n_components=nc, random_state=random_state)
    if base == "nca":
        return neighbors.NeighborhoodComponentsAnalysis(n_components=nc, random_state=random_state, max_iter=100)
    if base == "tsne":
        return OutOfSampleEmbedding(
            manifold.TSNE(n_components=nc, random_state=random_state, init="pca"), n_neighbors=10
        )
    if base == "mds":
        return OutOfSampleEmbedding(
            manifold.MDS(n_components=nc, random_state=random_state, n_init=1, max_iter=300), n_neighbors=10
        )
    if base == "isomap":
        return manifold.Isomap(n_components=nc, n_neighbors=k)
    lle_method = {"lle": "standard", "mlle": "modified", "hlle": "hessian", "ltsa": "ltsa"}[base]
    return manifold.LocallyLinearEmbedding(
        n_components=nc, n_neighbors=k, method=lle_method, random_state=random_state, eigen_solver="dense"
    )


def make_classifier(name: str, random_state: int = 0):
    from sklearn import discriminant_analysis, ensemble, naive_bayes, neural_network, svm, tree

    from .components import LiblinearLogReg, ShiftedMultinomialNB

    rs = random_state
    table = {
        "svm_linear": lambda: svm.SVC(kernel="linear", random_state=rs, max_iter=SVM_MAX_ITER),
        "svm_poly": lambda: svm.SVC(kernel="poly", random_state=rs, max_iter=SVM_MAX_ITER),
        "svm_rbf": lambda: svm.SVC(kernel="rbf", random_state=rs, max_iter=SVM_MAX_ITER),
        "svm_sigmoid": lambda: svm.SVC(kernel="sigmoid", random_state=rs, max_iter=SVM_MAX_ITER),
        "mlp": lambda: neural_network.MLPClassifier(max_iter=5000, random_state=rs),
        "logreg_l1": lambda: LiblinearLogReg(penalty="l1", random_state=rs),
        "logreg_l2": lambda: LiblinearLogReg(penalty="l2", random_state=rs),
        "random_forest": lambda: ensemble.RandomForestClassifier(random_state=rs),
        "extra_trees": lambda: ensemble.ExtraTreesClassifier(random_state=rs),
        "lda": discriminant_analysis.LinearDiscriminantAnalysis,
        "gaussian_nb": naive_bayes.GaussianNB,
        "multinomial_nb": ShiftedMultinomialNB,
        "decision_tree": lambda: tree.DecisionTreeClassifier(random_state=rs),
    }
    if name not in table:
        raise NeurogenError(f"unknown classifier {name!r}; known: {', '.join(CLASSIFIERS)}")
    return table[name]()


def param_candidates(name: str, grid) -> list[dict]:
    """The grid's candidates (YAML lists inside values become tuples, e.g. hidden_layer_sizes).

    ``grid`` is a dict of parameter -> values, or a list of such dicts (as scikit-learn's
    ParameterGrid takes). Raises NeurogenError naming a parameter the classifier does not have.
    """
    from sklearn.model_selection import ParameterGrid

    grids = grid if isinstance(grid, list) else [dict(grid or {})]
    valid = make_classifier(name).get_params()
    conv = []
    for g in grids:
        for p in g:
            if p not in valid:
                raise NeurogenError(f"classify.grids.{name}: unknown parameter {p!r}; {name} takes {sorted(valid)}")
        conv.append({p: [tuple(v) if isinstance(v, list) else v for v in vals] for p, vals in g.items()})
    return list(ParameterGrid(conv))


def _validation_estimator(name: str):
    """The scikit-learn estimator whose ``_parameter_constraints`` cover ``name``'s parameters."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import MultinomialNB

    if name == "multinomial_nb":
        return MultinomialNB()
    if name in ("logreg_l1", "logreg_l2"):
        return LogisticRegression(solver="liblinear")
    return make_classifier(name)


def validate_param_values(name: str, grid, key: str) -> list[str]:
    """Each value of the grid checked by scikit-learn's own parameter validation
    (``n_estimators: -10``, ``C: -1`` ...); returns error lines naming ``key.param``.

    Done at start-up, so a bad value stops the run instead of becoming failed sweep rows."""
    from sklearn.utils._param_validation import InvalidParameterError

    grids = grid if isinstance(grid, list) else [dict(grid or {})]
    errors = []
    for g in grids:
        for p, vals in g.items():
            if not isinstance(vals, list):
                errors.append(f"{key}.{p}: expected a list of values, got {vals!r}")
                continue
            for v in vals:
                v = tuple(v) if isinstance(v, list) else v
                est = _validation_estimator(name)
                if p not in est.get_params() or not hasattr(est, "_validate_params"):
                    continue
                est.set_params(**{p: v})
                try:
                    est._validate_params()
                except InvalidParameterError as e:
                    errors.append(f"{key}.{p}: {v!r} is not valid for {name} ({e})")
    return errors
