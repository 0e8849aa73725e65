"""Rule report_table: one result table (CSV) -> an HTML page shown in the Snakemake report."""

from neurogen.io import run_script


def main(snakemake, log):
    import pandas as pd

    from neurogen import NeurogenError
    from neurogen.io import atomic_path
    from neurogen.report import table_html

    src = snakemake.input[0]
    try:
        df = pd.read_csv(src)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as e:
        raise NeurogenError(f"{src}: not a readable CSV table ({e})") from None
    page = table_html(
        df,
        title=snakemake.params.title,
        description=snakemake.params.description,
        source=src,
        max_rows=snakemake.params.max_rows,
    )
    with atomic_path(snakemake.output[0]) as tmp:
        tmp.write_text(page, encoding="utf-8")
    log.info("%s: %d rows x %d columns -> %s", src, len(df), df.shape[1], snakemake.output[0])


run_script(main, snakemake)  # noqa: F821
