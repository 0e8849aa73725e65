"""On the published e-type table (skipped without ../shared): SMOTE with 1,000 synthetic cells per
class improves a random forest's held-out accuracy, averaged over repeated stratified splits."""

import numpy as np
import pytest
from conftest import shared_file

pytestmark = pytest.mark.shared


def test_smote_1000_per_class_improves_random_forest_on_held_out_cells(tmp_path):
    import threadpoolctl
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.metrics import accuracy_score

    from neurogen.augment import make_generator
    from neurogen.classify.registry import make_scaler
    from neurogen.data.prepared import load_split, prepare_dataset

    src = shared_file("data", "allen", "e-type.csv")
    repeats = 3
    prepare_dataset(src, tmp_path, test_size=0.2, repeats=repeats, small_classes="drop", cv_folds=10, seed=42)
    plain, augmented = [], []
    for r in range(repeats):
        sp = load_split(tmp_path, r)
        sc = make_scaler("yeojohnson").fit(sp.X_train)  # the study's e-type scaler, train only
        Xtr, Xte = sc.transform(sp.X_train), sc.transform(sp.X_test)
        Xs, ys = make_generator("smote", seed=42 + r).fit(Xtr, sp.y_train).sample(1000, random_state=r)
        assert len(Xs) >= 0.99 * 1000 * len(set(sp.y_train))
        with threadpoolctl.threadpool_limits(1):
            for X, y, out in [
                (Xtr, sp.y_train, plain),
                (np.vstack([Xtr, Xs]), np.concatenate([sp.y_train, ys]), augmented),
            ]:
                rf = RandomForestClassifier(n_estimators=60, random_state=r, n_jobs=2).fit(X, y)
                out.append(accuracy_score(sp.y_test, rf.predict(Xte)))
    plain, augmented = np.array(plain), np.array(augmented)
    delta = augmented - plain
    print(
        f"random forest held-out accuracy: {plain.mean():.3f} ± {plain.std(ddof=1):.3f} without, "
        f"{augmented.mean():.3f} ± {augmented.std(ddof=1):.3f} with SMOTE 1000/class "
        f"(difference {delta.mean():+.3f} ± {delta.std(ddof=1):.3f})"
    )
    assert delta.mean() > 0.005, (plain, augmented)
