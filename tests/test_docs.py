"""The documentation holds together: every relative link and #anchor in README.md, docs/*.md and
config/README.md resolves, the README stays short and keeps CI's test command, and every docs
page is one click from the README."""

import re
from pathlib import Path

import pytest
from conftest import ROOT

#: pages other work in progress is writing: a link to one of them may dangle until it lands
#: (once the file exists, its links and anchors are checked like any other page's)
#: pages written by other work; now all present (kept as a set so a future page can be added here while it is written)
PENDING: set[str] = set()
LINKED = ["docs/bad_input.md", "docs/fidelity.md", "docs/hh_model.md", "docs/epgan_scale.md"]

TEST_COMMAND = "pip install torch==2.13.0 && pip install -e '.[test]' && pytest"

_FENCE = re.compile(r"^(```|~~~)")
_LINK = re.compile(r"\]\(([^()\s]+)(?:\s+\"[^\"]*\")?\)")  # the target of [text](target); text may wrap


def doc_files():
    return [ROOT / "README.md", ROOT / "config" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def _prose_lines(text):
    """(line number, line) outside fenced code blocks, with inline code spans blanked."""
    fenced = False
    for i, line in enumerate(text.splitlines(), 1):
        if _FENCE.match(line.strip()):
            fenced = not fenced
            continue
        if not fenced:
            yield i, re.sub(r"`[^`]*`", lambda m: " " * len(m.group()), line)


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: markup dropped, lower case, punctuation removed, spaces
    to hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    text = text.replace("`", "").strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path, text=None) -> set:
    out, seen = set(), {}
    fenced = False
    for line in (path.read_text() if text is None else text).splitlines():
        if _FENCE.match(line.strip()):
            fenced = not fenced
            continue
        m = re.match(r"^(#{1,6})\s+(.*?)\s*#*\s*$", line)
        if m and not fenced:
            s = slug(m.group(2))
            n = seen.get(s, 0)
            out.add(s if n == 0 else f"{s}-{n}")
            seen[s] = n + 1
    return out


def links(path: Path, text=None):
    for lineno, line in _prose_lines(path.read_text() if text is None else text):
        for m in _LINK.finditer(line):
            yield lineno, m.group(1)


def broken_links(path: Path, text=None) -> list[str]:
    """Problems with the links of ``path`` (its content, or ``text`` read as if it were there)."""
    problems = []
    for lineno, target in links(path, text):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:
            continue
        where = f"{path.relative_to(ROOT)}:{lineno}: link {target!r}"
        file_part, _, anchor = target.partition("#")
        dest = (path.parent / file_part).resolve() if file_part else path
        rel = dest.relative_to(ROOT).as_posix() if dest.is_relative_to(ROOT) else str(dest)
        if not dest.exists():
            if rel not in PENDING:
                problems.append(f"{where}: {rel} does not exist")
            continue
        own = text if dest == path and text is not None else None
        if anchor and dest.suffix == ".md" and anchor not in anchors(dest, own):
            problems.append(f"{where}: no heading with anchor #{anchor} in {rel}")
    return problems


@pytest.mark.parametrize("path", doc_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_links_and_anchors_resolve(path):
    problems = broken_links(path)
    assert not problems, "\n".join(problems)


def test_link_check_catches_a_broken_link_and_anchor():
    page = ROOT / "docs" / "index.md"
    text = page.read_text() + "\n[x](nowhere.md) [y](results.md#no-such-heading) [z](#index)\n"
    problems = broken_links(page, text)
    assert any("nowhere.md does not exist" in p for p in problems)
    assert any("#no-such-heading" in p for p in problems)
    assert any("#index" in p for p in problems)  # the page's own anchors are checked too
    assert len(problems) == 3


def test_slug_matches_github():
    assert slug("Classification sweep (`classify`)") == "classification-sweep-classify"
    assert slug("EP-GAN (`epgan`)") == "ep-gan-epgan"
    assert slug("Running at paper scale: cluster and GPU") == "running-at-paper-scale-cluster-and-gpu"
    assert slug("Your own neurons (recordings)") == "your-own-neurons-recordings"


def test_readme_is_short_and_keeps_the_ci_command():
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) <= 200, "README.md: keep it to 200 lines; move detail to docs/"
    assert TEST_COMMAND in readme
    assert TEST_COMMAND in (ROOT / ".ci" / "run").read_text()


#: the README's former sections, now pages: each stays one click from the README
MOVED = [
    "docs/data.md",
    "docs/classify.md",
    "docs/augment.md",
    "docs/hh.md",
    "docs/epgan.md",
    "docs/fit.md",
    "docs/outputs.md",
    "docs/cluster_gpu.md",
    "docs/results.md",
    "docs/development.md",
    "docs/index.md",
    "config/README.md",
]


def test_every_docs_page_is_linked_from_the_index_and_moved_sections_from_the_readme():
    readme_targets = {t.split("#")[0] for _, t in links(ROOT / "README.md")}
    index_targets = {t.split("#")[0] for _, t in links(ROOT / "docs" / "index.md")}
    for page in sorted((ROOT / "docs").glob("*.md")):
        if page.name != "index.md":
            assert page.name in index_targets, f"docs/index.md does not link docs/{page.name}"
    for rel in MOVED + LINKED + sorted(PENDING):
        assert rel in readme_targets, f"README.md does not link {rel}"


def test_license_and_citation():
    import yaml

    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert cff["cff-version"] == "1.2.0" and cff["license"] == "MIT"
    for ref in cff["references"]:
        assert ref["title"] and ref["authors"] and ref["type"], ref
    assert (ROOT / "CHANGELOG.md").exists()
