"""Rule fit_targets: choose the target neurons (rows of the test set) -> targets.csv."""
from neurogen.io import run_script


def main(snakemake, log):
    import json

    import pandas as pd

    from neurogen.fit.data import choose_targets, read_dataset
    from neurogen.io import write_csv

    t = json.loads(snakemake.params.targets)
    ds = read_dataset(snakemake.input.test, fields=("type",))
    idx = choose_targets(ds["type"], per_type=t.get("per_type"), indices=t.get("indices"),
                         seed=snakemake.params.seed)
    names = ds["type_names"]
    types = ds["type"][idx].astype(int)
    df = pd.DataFrame({"target": range(len(idx)), "neuron": idx, "type": types,
                       "type_name": [names[i] if i < len(names) else str(i) for i in types]})
    if len(df) != snakemake.params.n_targets:
        from neurogen import NeurogenError

        raise NeurogenError(f"fit.targets: expected {snakemake.params.n_targets} targets, chose {len(df)}")
    write_csv(df, snakemake.output[0])
    log.info("targets: %s", df.to_dict("records"))


run_script(main, snakemake)  # noqa: F821
