"""Rule fit_plots: RMSE box plots per method and budget; cost curve T(N)."""

from neurogen.io import run_script


def main(snakemake, log):
    import pandas as pd

    from neurogen.io import savefig
    from neurogen.plots import fit as P

    df = pd.read_csv(snakemake.input.comparison)
    cost = pd.read_csv(snakemake.input.cost)
    n = df.groupby("model")["target"].nunique().to_dict()
    savefig(
        P.rmse_boxes(
            df, "Fitting error per target neuron (" + ", ".join(f"{m}: {k} neurons" for m, k in n.items()) + ")"
        ),
        snakemake.output.rmse,
    )
    savefig(P.cost_curve(cost), snakemake.output.cost)


run_script(main, snakemake)  # noqa: F821
