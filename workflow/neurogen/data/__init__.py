"""Data layer: Allen-format feature tables, downloads, surrogate data, splits.

The names below are imported on first use (PEP 562), so ``neurogen.data.prepared`` or
``neurogen.data.allen`` alone do not import scikit-learn.
"""

from typing import TYPE_CHECKING

from neurogen import lazy_exports

if TYPE_CHECKING:  # for static tools; at run time __getattr__ imports on first use
    from .allen import FeatureTable, load_feature_table, read_table
    from .split import MeanImputer, filter_small_classes, make_splits

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "allen": ["FeatureTable", "load_feature_table", "read_table"],
        "split": ["MeanImputer", "filter_small_classes", "make_splits"],
    },
)
__all__ = ["FeatureTable", "load_feature_table", "read_table", "MeanImputer", "filter_small_classes", "make_splits"]
