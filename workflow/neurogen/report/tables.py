"""Render a result table (CSV) as a self-contained HTML page for the Snakemake report.

The Snakemake report shows HTML results inline and offers CSV files only as downloads; each
table of the workflow is therefore also written as one HTML page: a title, a description,
its shape, and the rows (the first ``max_rows`` of them) in a table whose columns sort on a
click, identifying and result columns first. Cells are HTML-escaped; missing values are left empty.
"""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd

from .. import NeurogenError

_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;font-size:13px;margin:1em}
h2{font-size:16px;margin:0 0 .4em 0}
p{margin:.3em 0;max-width:70em}
table{border-collapse:collapse;margin-top:.6em}
th,td{border:1px solid #ccc;padding:2px 6px;text-align:left;white-space:nowrap}
th{background:#f0f0f0;cursor:pointer;position:sticky;top:0}
td.num{text-align:right;font-variant-numeric:tabular-nums}
tr:nth-child(even) td{background:#fafafa}
"""

# Click a header to sort by that column (numbers numerically); click again to reverse.
_SORT_JS = """
document.querySelectorAll("th").forEach(function(th, i){
  th.addEventListener("click", function(){
    var tb = th.closest("table").tBodies[0], rows = Array.from(tb.rows);
    var asc = th.dataset.order !== "asc"; th.dataset.order = asc ? "asc" : "desc";
    rows.sort(function(a, b){
      var x = a.cells[i].textContent, y = b.cells[i].textContent;
      var fx = parseFloat(x), fy = parseFloat(y);
      var c = (!isNaN(fx) && !isNaN(fy)) ? fx - fy : x.localeCompare(y);
      return asc ? c : -c;
    });
    rows.forEach(function(r){ tb.appendChild(r); });
  });
});
"""


def _cell(v) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    if isinstance(v, (float, np.floating)):
        return f"{v:.6g}"
    return html.escape(str(v))


# columns that say which row it is, and result columns, shown first (each in the CSV's order)
ID_COLUMNS = (
    "dataset", "model", "method", "generator", "variant", "ablation", "mode", "size", "budget_total",
    "scaler", "reducer", "classifier", "source", "repeat", "type", "type_name", "target", "neuron",
    "class", "class_a", "class_b", "reference", "feature", "parameter", "epoch", "rank", "selection_rank",
    "n", "n_repeats", "n_neurons",
)  # fmt: skip
_RESULT = re.compile(
    r"accuracy|macro_f1|rmse|(^|_)mae($|_)|p_value|auc|^delta_|_ci95_|^value$|^score|meets_criteria|^loss_total$"
)


def key_columns_first(columns) -> list:
    """Column order for a table page: identifying columns (``ID_COLUMNS``), then results
    (accuracies, F1, RMSE, MAE, p-values, …), then everything else; each group keeps the CSV's
    order, so a wide table opens on what it is about rather than on parameters and timings."""
    cols = list(columns)
    ids = [c for c in cols if str(c) in ID_COLUMNS]
    res = [c for c in cols if c not in ids and _RESULT.search(str(c)) and not str(c).endswith("_time_s")]
    return ids + res + [c for c in cols if c not in ids and c not in res]


def read_table(src) -> pd.DataFrame:
    """A result table for its page. An empty file (no columns) is what a stage writes for a part
    switched off in the configuration (e.g. ``augment.fidelity_dist.repeats: 0``): an empty
    table. Anything else pandas cannot read is an error naming the file."""
    try:
        return pd.read_csv(src)
    except pd.errors.EmptyDataError:
        return pd.DataFrame()
    except (pd.errors.ParserError, UnicodeDecodeError) as e:
        raise NeurogenError(f"{src}: not a readable CSV table ({e})") from None


def table_html(
    df: pd.DataFrame,
    title: str,
    description: str = "",
    source: str = "",
    max_rows: int = 2000,
    key_first: bool = True,
) -> str:
    """One HTML page showing ``df`` (its first ``max_rows`` rows); ``key_first``: identifying and
    result columns first (:func:`key_columns_first`; the CSV file keeps its own order)."""
    if max_rows < 1:
        raise NeurogenError(f"report.max_rows must be at least 1, not {max_rows}")
    reordered = key_first and key_columns_first(df.columns) != list(df.columns)
    if reordered:
        df = df[key_columns_first(df.columns)]
    n = len(df)
    shown = df.head(max_rows)
    numeric = [pd.api.types.is_numeric_dtype(shown[c]) for c in shown.columns]
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in shown.columns)
    body = []
    for row in shown.itertuples(index=False, name=None):
        cells = "".join(
            f'<td class="num">{_cell(v)}</td>' if num else f"<td>{_cell(v)}</td>" for v, num in zip(row, numeric)
        )
        body.append(f"<tr>{cells}</tr>")
    shape = f"{n} rows × {df.shape[1]} columns"
    if n > max_rows:
        shape += f"; the first {max_rows} rows are shown (the whole table is the CSV file)"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h2>{html.escape(title)}</h2>",
    ]
    if description:
        parts.append(f"<p>{html.escape(description)}</p>")
    parts.append(
        f"<p>{html.escape(shape)}"
        + (f" — <code>{html.escape(source)}</code>" if source else "")
        + ". Click a column header to sort."
        + (" Identifying and result columns come first (the CSV keeps its own column order)." if reordered else "")
        + "</p>"
    )
    if n == 0:
        parts.append(
            "<p><b>No rows.</b> Nothing was computed for this table with this run's configuration "
            "(a part switched off writes an empty table).</p>"
        )
    parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>")
    parts.extend(body)
    parts.append(f"</tbody></table><script>{_SORT_JS}</script></body></html>")
    return "\n".join(parts) + "\n"
