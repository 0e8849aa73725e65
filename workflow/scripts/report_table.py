"""Rule report_table: one result table (CSV) -> an HTML page shown in the Snakemake report."""

from neurogen.io import run_script


def main(snakemake, log):
    from neurogen.io import atomic_path
    from neurogen.report import read_table, table_html

    src = snakemake.input[0]
    df = read_table(src)
    if df.empty:
        log.info("%s is empty (a part switched off in the configuration?): an empty page", src)
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
