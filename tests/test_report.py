"""Report library: HTML pages of tables, device record."""

import json
import re

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT

from neurogen import NeurogenError
from neurogen.io import write_csv
from neurogen.report import read_table, table_html
from neurogen.report.device import device_info, package_versions


def _df(n=5):
    return pd.DataFrame(
        {"name": [f"<b>{i}</b>" for i in range(n)], "acc": np.linspace(0, 1, n), "err": [np.nan] + [""] * (n - 1)}
    )


def test_table_page_escapes_and_counts_rows():
    page = table_html(_df(), "t & u", "a <desc>", source="results/x.csv")
    assert "<b>0</b>" not in page and "&lt;b&gt;0&lt;/b&gt;" in page
    assert "t &amp; u" in page and "a &lt;desc&gt;" in page
    assert page.count("<tr>") == 6 and "5 rows × 3 columns" in page
    assert '<td class="num">0.25</td>' in page


def test_table_page_caps_rows_and_says_so():
    page = table_html(_df(50), "t", max_rows=10)
    assert page.count("<tr>") == 11 and "the first 10 rows are shown" in page
    with pytest.raises(NeurogenError, match="max_rows"):
        table_html(_df(), "t", max_rows=0)


def test_an_empty_table_of_a_part_switched_off_gets_a_page_and_a_bad_file_an_error(tmp_path):
    # what augment_merge writes for augment.fidelity_dist.repeats: 0 (an empty DataFrame); its
    # report page used to fail the whole run ("No columns to parse from file")
    empty = tmp_path / "fidelity_dist.csv"
    write_csv(pd.DataFrame(), empty)
    df = read_table(empty)
    assert df.empty
    page = table_html(df, "Distribution-level fidelity", source=str(empty))
    assert "0 rows × 0 columns" in page and "No rows." in page
    assert "No rows." not in table_html(_df(), "t")
    header_only = tmp_path / "header.csv"
    header_only.write_text("a,b\n")
    assert list(read_table(header_only).columns) == ["a", "b"]
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"a,b\n1,2\n\xff\xfe,3\n")
    with pytest.raises(NeurogenError, match=r"bad\.csv: not a readable CSV table"):
        read_table(bad)


def test_device_record_on_this_machine():
    info = device_info("auto", gpus_requested=0)
    json.dumps(info)
    assert info["device_used"] in ("cpu", "cuda") and not info["warnings"]
    assert "torch" in info["packages"] and "numpy" in package_versions()


def test_device_record_refuses_cuda_without_a_gpu():
    import torch

    if torch.cuda.is_available():
        pytest.skip("a CUDA GPU is present")
    with pytest.raises(NeurogenError, match="no CUDA GPU"):
        device_info("cuda", gpus_requested=1)
    info = device_info("auto", gpus_requested=1)
    assert info["device_used"] == "cpu" and "1 GPU(s) requested" in info["warnings"][0]


def _report_calls(text: str) -> list[str]:
    """The argument text of every report(...) call in a rule file (balanced parentheses)."""
    text = re.sub(r"#[^\n]*", "", text)  # comments (no '#' inside the rules' strings)
    calls = []
    for m in re.finditer(r"\breport\(", text):
        depth, i = 1, m.end()
        while depth:
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            i += 1
        calls.append(text[m.end() : i - 1])
    return calls


@pytest.mark.parametrize("path", sorted((ROOT / "workflow" / "rules").glob("*.smk")), ids=lambda p: p.name)
def test_every_report_entry_has_labels(path):
    """The HTML report lists entries by their labels (figure/table first, then stage and
    wildcards), not by raw path: every report(...) passes labels={...}, the first key naming
    the entry (a later key with exactly two values would become a toggle)."""
    for call in _report_calls(path.read_text()):
        m = re.search(r"labels=\{\s*\"(\w+)\"", call)
        assert m, f"{path.name}: report(...) without labels={{...}}:\n{call}"
        assert m.group(1) in ("figure", "table", "file"), f"{path.name}: first label {m.group(1)!r}"
