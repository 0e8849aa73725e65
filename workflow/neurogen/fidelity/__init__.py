"""Fidelity of synthetic neurons. The study's §2.4 (``profiles``): class-profile distances to
real train and test cells, per feature × class errors, the natural inter-class reference and the
one-sided Mann–Whitney test of synthetic-to-real distances against it, PCA projections. And
distribution-level metrics (``distribution``): SD ratio, MMD, classifier two-sample AUC,
precision / recall / density / coverage, distance to the closest record, train-on-synthetic
accuracy, each next to a real-vs-real reference."""

from typing import TYPE_CHECKING

from neurogen import lazy_exports

if TYPE_CHECKING:  # for static tools; at run time __getattr__ imports on first use (PEP 562)
    from .distribution import class_metrics, deviation_summary, distribution_fidelity
    from .profiles import class_means, feature_errors, interclass_mae, mann_whitney, pca_projection, profile_distances

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "distribution": ["class_metrics", "deviation_summary", "distribution_fidelity"],
        "profiles": [
            "class_means",
            "feature_errors",
            "interclass_mae",
            "mann_whitney",
            "pca_projection",
            "profile_distances",
        ],
    },
)

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
