"""Fidelity of synthetic neurons (the study's §2.4): class-profile distances to real train and
test cells, per feature × class errors, the natural inter-class reference and the one-sided
Mann–Whitney test of synthetic-to-real distances against it, PCA projections."""
from .distribution import class_metrics, deviation_summary, distribution_fidelity
from .profiles import (class_means, feature_errors, interclass_mae, mann_whitney, pca_projection,
                       profile_distances)

__all__ = ["class_means", "profile_distances", "feature_errors", "interclass_mae", "mann_whitney",
           "pca_projection", "distribution_fidelity", "class_metrics", "deviation_summary"]
