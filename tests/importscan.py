"""Static scan of what a rule script needs: its imports plus those of the library code it uses.

A script's own imports all count. For ``from neurogen.x import f`` the scan counts the
module-level imports of ``neurogen.x`` (and of its parent packages, which Python runs first),
the imports inside ``f`` and, recursively, inside the module's functions and classes that ``f``
refers to; ``import neurogen.x`` or importing a module object counts the whole module. So a
lazily imported optional dependency (e.g. matplotlib inside ``neurogen.io.savefig``) is
required only by scripts that use that function.
"""

from __future__ import annotations

import ast
import sys
from functools import cache
from pathlib import Path

LIB_PACKAGE = "neurogen"

#: import name -> conda package name, where they differ
CONDA_NAME = {
    "sklearn": "scikit-learn",
    "yaml": "pyyaml",
    "torch": "pytorch",
    "imblearn": "imbalanced-learn",
    "pyro": "pyro-ppl",
    "PIL": "pillow",
    "skimage": "scikit-image",
    "tables": "pytables",
    "cv2": "opencv",
}
#: package names that are the same thing under conda and pip
ALIASES = {"pytorch": {"torch"}, "torch": {"pytorch"}}


def conda_name(import_name: str) -> str:
    return CONDA_NAME.get(import_name, import_name.lower().replace("_", "-"))


class _Module:
    def __init__(self, name: str, path: Path):
        self.name = name
        self.path = path
        self.is_package = path.name == "__init__.py"
        tree = ast.parse(path.read_text(), filename=str(path))
        self.top_imports = []  # imports executed when the module is imported
        self.defs = {}  # top-level def/class name -> node
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.defs[node.name] = node
            else:
                self.top_imports.extend(_imports(node))
        self.all_imports = list(_imports(tree))

    def resolve(self, node) -> str:
        """Absolute module name of an ImportFrom node (relative imports resolved)."""
        if not node.level:
            return node.module or ""
        pkg = self.name if self.is_package else self.name.rpartition(".")[0]
        for _ in range(node.level - 1):
            pkg = pkg.rpartition(".")[0]
        return f"{pkg}.{node.module}" if node.module else pkg


def _imports(tree):
    for n in ast.walk(tree):
        if isinstance(n, (ast.Import, ast.ImportFrom)):
            yield n


class Scanner:
    def __init__(self, lib_root: Path):
        self.lib_root = Path(lib_root)  # the directory holding the neurogen package

    @cache  # noqa: B019 -- one scanner per test session; caching for its lifetime is the point
    def module(self, name: str) -> _Module | None:
        rel = Path(*name.split("."))
        for p in (self.lib_root / rel.with_suffix(".py"), self.lib_root / rel / "__init__.py"):
            if p.exists():
                return _Module(name, p)
        return None

    def script_needs(self, script: Path) -> dict[str, set[str]]:
        """{third-party top-level import name: {where it is needed, ...}} for one script."""
        out: dict[str, set[str]] = {}
        mod = _Module("__script__", Path(script))
        seen: set = set()
        for node in mod.all_imports:
            self._visit_import(mod, node, out, seen, where=Path(script).name)
        return out

    # -- internals
    def _visit_import(self, mod, node, out, seen, where):
        if isinstance(node, ast.Import):
            for a in node.names:
                self._need_name(a.name, None, out, seen, where)
        else:
            base = mod.resolve(node)
            names = [a.name for a in node.names]
            if base.split(".")[0] == LIB_PACKAGE:
                for n in names:
                    if n == "*" or self.module(f"{base}.{n}") is not None:
                        self._need_module(f"{base}.{n}" if n != "*" else base, None, out, seen)
                    else:
                        self._need_module(base, n, out, seen)
            else:
                self._need_name(base, None, out, seen, where)

    def _need_name(self, dotted, member, out, seen, where):
        top = dotted.split(".")[0]
        if top == LIB_PACKAGE:
            self._need_module(dotted, member, out, seen)
        elif top and top not in sys.stdlib_module_names and top != "__future__":
            out.setdefault(top, set()).add(where)

    def _need_module(self, name, member, out, seen):
        """Import of module ``name`` (and of ``member`` from it; None: the whole module)."""
        key = (name, member)
        if key in seen:
            return
        seen.add(key)
        parts = name.split(".")
        for i in range(1, len(parts)):  # parent packages run first
            self._need_module(".".join(parts[:i]), "", out, seen)
        mod = self.module(name)
        if mod is None:
            return
        where = f"{mod.path.relative_to(self.lib_root)}"
        if member is None:  # the whole module
            for node in mod.all_imports:
                self._visit_import(mod, node, out, seen, where)
            return
        for node in mod.top_imports:
            self._visit_import(mod, node, out, seen, where)
        if member:
            self._need_def(mod, member, out, seen)

    def _need_def(self, mod, name, out, seen):
        key = (mod.name, "def:" + name)
        if key in seen or name not in mod.defs:
            return
        seen.add(key)
        node = mod.defs[name]
        where = f"{mod.path.relative_to(self.lib_root)}:{name}"
        for imp in _imports(node):
            self._visit_import(mod, imp, out, seen, where)
        for n in ast.walk(node):  # same-module functions/classes it uses
            if isinstance(n, ast.Name) and n.id in mod.defs and n.id != name:
                self._need_def(mod, n.id, out, seen)


def env_packages(env: dict) -> set[str]:
    """Package names a conda env file lists (conda and pip), normalised."""
    import re

    names = set()
    for dep in env.get("dependencies", []) or []:
        items = dep.get("pip", []) if isinstance(dep, dict) else [dep]
        for d in items:
            d = str(d).split("::")[-1]
            m = re.match(r"\s*([A-Za-z0-9_.\-]+)", d)
            if m:
                n = m.group(1).lower().replace("_", "-")
                names.add(n)
                names |= ALIASES.get(n, set())
    return names
