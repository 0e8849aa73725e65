"""Fidelity of synthetic neurons. The study's §2.4 (``profiles``): class-profile distances to
real train and test cells, per feature × class errors, the natural inter-class reference and the
one-sided Mann–Whitney test of synthetic-to-real distances against it, PCA projections. And
distribution-level metrics (``distribution``): SD ratio, MMD, classifier two-sample AUC,
precision / recall / density / coverage, distance to the closest record, train-on-synthetic
accuracy, each next to a real-vs-real reference."""

from .distribution import class_metrics, deviation_summary, distribution_fidelity
from .profiles import class_means, feature_errors, interclass_mae, mann_whitney, pca_projection, profile_distances

__all__ = [
    "class_means",
    "class_metrics",
    "deviation_summary",
    "distribution_fidelity",
    "feature_errors",
    "interclass_mae",
    "mann_whitney",
    "pca_projection",
    "profile_distances",
]
