"""Rule raw_table: write results/data/{dataset}/raw.csv from a surrogate, a download or a path."""

import json
import shutil

from neurogen.io import run_script


def main(snakemake, log):
    from neurogen.data.download import fetch
    from neurogen.data.surrogate import generate
    from neurogen.io import atomic_path

    spec = json.loads(snakemake.params.spec)
    out = snakemake.output[0]
    if spec["source"] == "surrogate":
        with open(snakemake.input.stats) as fh:
            stats = json.load(fh)
        df = generate(stats, seed=snakemake.params.seed, scale=spec.get("scale", 1.0))
        with atomic_path(out) as tmp:
            df.to_csv(tmp, sep=";", index=False)
        log.info(
            "surrogate %s: %d cells x %d columns from %s",
            snakemake.wildcards.dataset,
            len(df),
            df.shape[1],
            snakemake.input.stats,
        )
    elif spec["source"] == "download":
        fetch(spec["url"], out, spec["sha256"])
    else:
        with atomic_path(out) as tmp:
            shutil.copyfile(snakemake.input.table, tmp)
        log.info("copied %s", snakemake.input.table)


run_script(main, snakemake)  # noqa: F821
