"""Classification-pipeline sweep: component registries, cross-validated grid search, selection."""
