"""Data layer: Allen-format feature tables, downloads, surrogate data, splits."""

from .allen import FeatureTable, load_feature_table, read_table
from .split import MeanImputer, filter_small_classes, make_splits

__all__ = ["FeatureTable", "load_feature_table", "read_table", "MeanImputer", "filter_small_classes", "make_splits"]
