"""Rule fit_merge: the per-model scored tables -> comparison, medians, cost."""

from neurogen.io import run_script


def main(snakemake, log):
    from neurogen.fit import pipeline
    from neurogen.io import write_csv

    df, med, cost = pipeline.merge(snakemake.input.scored)
    write_csv(df, snakemake.output.comparison)
    write_csv(med, snakemake.output.medians)
    write_csv(cost, snakemake.output.cost)


run_script(main, snakemake)  # noqa: F821
