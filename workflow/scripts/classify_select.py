"""Rule classify_select: baselines by the study's criteria + their held-out accuracy."""

import json

from neurogen.io import run_script


def main(snakemake, log):
    from pathlib import Path

    import pandas as pd

    from neurogen.classify.select import evaluate_holdout, select
    from neurogen.data.prepared import load_split
    from neurogen.io import write_csv

    sweep = pd.read_csv(snakemake.input.sweep).fillna({"error": "", "note": ""})
    sel = select(sweep, **json.loads(snakemake.params.selection))
    split = load_split(Path(snakemake.input.cells).parent, repeat=0)
    out = evaluate_holdout(sel, split.X_train, split.y_train, split.X_test, split.y_test, seed=snakemake.params.seed)
    for _, r in out.iterrows():
        log.info(
            "#%d %s + %s + %s %s: CV %.3f ± %.3f (gap %.3f), held-out %.3f",
            r.selection_rank,
            r.scaler,
            r.reducer,
            r.classifier,
            r.params,
            r.mean_test_accuracy,
            r.std_test_accuracy,
            r.gap,
            r.test_accuracy,
        )
    write_csv(out, snakemake.output[0])


run_script(main, snakemake)  # noqa: F821
