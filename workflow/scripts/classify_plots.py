"""Rule classify_plots: landscape and accuracy-distribution figures of the sweep."""

import json

from neurogen.io import run_script


def main(snakemake, log):
    import pandas as pd

    from neurogen.io import savefig
    from neurogen.plots import classify as P

    ds = snakemake.wildcards.dataset
    sweep = pd.read_csv(snakemake.input.sweep).fillna({"error": "", "note": ""})
    base = pd.read_csv(snakemake.input.baseline)
    sel = json.loads(snakemake.params.selection)
    savefig(
        P.landscape(sweep, base, sel["max_gap"], f"{ds}: classification pipeline landscape"),
        snakemake.output.landscape,
    )
    savefig(P.distributions(sweep, f"{ds}: mean CV accuracy"), snakemake.output.distributions)


run_script(main, snakemake)  # noqa: F821
