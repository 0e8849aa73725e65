"""Code generation for one simulation step of the torch backend.

The expressions of channels.py are written for readability (and pasted as such into Brian 2's
equations). Evaluated literally, one step of the large model is ~600 elementwise tensor
operations, many of which depend on the parameters only. This module compiles the step into
straight-line code with far fewer operations:

* parameter-only subtrees (``(1 + (Ca_bkg/Kyx)**nyx)``, the constant factor of the nanodomain
  calcium, ``-Veq/k``...) are hoisted into a *static* function evaluated once per simulation;
* sums and products are flattened so that their static parts fold into one coefficient and one
  offset: ``(V - Veq)/k`` becomes ``addcmul(-Veq/k, V, 1/k)`` (one kernel);
* ``c/(1 + exp(x))`` becomes ``c * sigmoid(-x)``, the exponential-Euler update
  ``inf + (x - inf) * exp(-dt/tau)`` one ``lerp``, and the conductance sums ``addcmul`` chains;
* identical subtrees are computed once (common-subexpression elimination).

The result is the same mathematics up to floating-point rounding (tests compare it with the
literal evaluation, ``Model.advance_eval``).
"""

from __future__ import annotations

import ast

import torch

_CALLS = {"exp", "log", "sqrt", "abs"}


def _is_num(node) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, (int, float))


def _num(node):
    return node.value if _is_num(node) else None


def _is_sum(node) -> bool:
    return (
        isinstance(node, ast.BinOp)
        and isinstance(node.op, (ast.Add, ast.Sub))
        or isinstance(node, ast.UnaryOp)
        and isinstance(node.op, (ast.USub, ast.UAdd))
    )


def _logistic_arg(node):
    """x if node is 1 + exp(x) (either order), else None."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        for one, e in ((node.left, node.right), (node.right, node.left)):
            if _num(one) == 1 and isinstance(e, ast.Call) and getattr(e.func, "id", None) == "exp":
                return e.args[0]
    return None


class StepCompiler:
    """Collects static (parameter-only) and dynamic (per-step) single-operation statements."""

    def __init__(self, dynamic_names):
        self.dynamic_names = set(dynamic_names)  # V, gate states, per-step temporaries
        self.static_src = []  # (name, source)
        self._static_key = {}  # source -> name
        self.body = []  # per-step statements
        self._dyn_key = {}  # ast dump / op key -> var
        self._n = 0
        self.params_used = set()

    # -- helpers
    def is_static(self, node) -> bool:
        return not any(isinstance(n, ast.Name) and n.id in self.dynamic_names for n in ast.walk(node))

    def static(self, node) -> str:
        """A static expression as a (hoisted) name, or a numeric literal's source."""
        if _is_num(node):
            return repr(float(node.value))
        if isinstance(node, ast.Name):
            self.params_used.add(node.id)
            return node.id
        for n in ast.walk(node):
            if isinstance(n, ast.Name) and n.id not in _CALLS:
                self.params_used.add(n.id)
        src = ast.unparse(node)
        if src not in self._static_key:
            name = f"_s{len(self.static_src)}"
            self._static_key[src] = name
            self.static_src.append((name, src))
        return self._static_key[src]

    def op(self, src: str) -> str:
        """A per-step statement (deduplicated by its source): returns the variable holding it."""
        if src in self._dyn_key:
            return self._dyn_key[src]
        self._n += 1
        var = f"_t{self._n}"
        self.body.append(f"    {var} = {src}")
        self._dyn_key[src] = var
        return var

    def bind(self, name: str, var: str):
        self.body.append(f"    {name} = {var}")

    # -- flattening
    def _terms(self, node, sign, out):
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
            self._terms(node.left, sign, out)
            self._terms(node.right, sign if isinstance(node.op, ast.Add) else -sign, out)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            self._terms(node.operand, -sign, out)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd):
            self._terms(node.operand, sign, out)
        else:
            out.append((sign, node))

    def _factors(self, node, power, out):
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Div)):
            self._factors(node.left, power, out)
            self._factors(node.right, power if isinstance(node.op, ast.Mult) else -power, out)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            out.append((power, ast.Constant(-1.0)))
            self._factors(node.operand, power, out)
        elif power < 0 and _logistic_arg(node) is not None:
            # 1 / (1 + exp(x)) = sigmoid(-x)
            out.append((-power, ast.Call(ast.Name("sigmoid"), [ast.UnaryOp(ast.USub(), _logistic_arg(node))], [])))
        else:
            out.append((power, node))

    @staticmethod
    def _product(factors):
        """AST of a static product of (power, node) factors (None if empty)."""
        num = [n for p, n in factors if p > 0]
        den = [n for p, n in factors if p < 0]
        node = None
        for n in num:
            node = n if node is None else ast.BinOp(node, ast.Mult(), n)
        if den:
            d = None
            for n in den:
                d = n if d is None else ast.BinOp(d, ast.Mult(), n)
            node = ast.BinOp(ast.Constant(1.0) if node is None else node, ast.Div(), d)
        return node

    def split_product(self, node):
        """node = coeff * dyn: (static coefficient AST or None, list of dynamic (power, node))."""
        fac = []
        self._factors(node, 1, fac)
        stat = [(p, n) for p, n in fac if self.is_static(n)]
        dyn = [(p, n) for p, n in fac if not self.is_static(n)]
        coeff = self._product(stat)
        if coeff is not None and _is_num(coeff) and float(coeff.value) == 1.0:
            coeff = None
        if coeff is not None and all(_is_num(n) for _, n in stat):
            value = 1.0
            for p, n in stat:
                value = value * float(n.value) if p > 0 else value / float(n.value)
            coeff = None if value == 1.0 else ast.Constant(value)
        return coeff, dyn

    # -- emission
    def emit(self, node) -> str:
        """Source of an operand holding node's value (a variable, a static name or a literal)."""
        if self.is_static(node):
            return self.static(node)
        if isinstance(node, ast.Name):
            return node.id
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)) or isinstance(node, ast.UnaryOp):
            return self._emit_sum(node)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Div)):
            coeff, dyn = self.split_product(node)
            if coeff is not None and len(dyn) == 1 and dyn[0][0] > 0 and _is_sum(dyn[0][1]):
                return self._emit_sum(dyn[0][1], scale=coeff)  # c (x + b) = c x + c b
            acc = self._emit_dyn_product(dyn)
            return acc if coeff is None else self.op(f"{acc} * {self.static(coeff)}")
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            base = self.emit(node.left)
            e = _num(node.right)
            if e == 2:
                return self.op(f"{base} * {base}")
            return self.op(f"{base} ** {self.emit(node.right)}")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            args = ", ".join(self.emit(a) for a in node.args)
            return self.op(f"{node.func.id}({args})")
        raise ValueError(f"unsupported expression {ast.unparse(node)}")  # pragma: no cover

    def _emit_dyn_product(self, dyn):
        num = sorted((n for p, n in dyn if p > 0), key=ast.dump)
        den = sorted((n for p, n in dyn if p < 0), key=ast.dump)
        acc = None
        for n in num:
            v = self.emit(n)
            acc = v if acc is None else self.op(f"{acc} * {v}")
        if den:
            d = None
            for n in den:
                v = self.emit(n)
                d = v if d is None else self.op(f"{d} * {v}")
            acc = self.op(f"reciprocal({d})") if acc is None else self.op(f"{acc} / {d}")
        return acc

    def _emit_sum(self, node, scale=None):
        terms = []
        self._terms(node, 1, terms)
        if scale is not None:
            terms = [(sg, ast.BinOp(scale, ast.Mult(), t)) for sg, t in terms]
        bias = []
        dyn = []
        while terms:
            s, t = terms.pop(0)
            if not self.is_static(t):
                coeff, fac = self.split_product(t)
                if coeff is not None and len(fac) == 1 and fac[0][0] > 0 and _is_sum(fac[0][1]):
                    inner = []  # c (x + b): expand into c x + c b
                    self._terms(fac[0][1], s, inner)
                    terms[:0] = [(sg, ast.BinOp(coeff, ast.Mult(), u)) for sg, u in inner]
                    continue
            if self.is_static(t):
                bias.append(t if s > 0 else ast.UnaryOp(ast.USub(), t))
            else:
                coeff, fac = self.split_product(t)
                if coeff is not None and _is_num(coeff) and float(coeff.value) == 0.0:
                    continue  # 0 * V: written only to give a parameter V's shape
                if s < 0:
                    coeff = ast.Constant(-1.0) if coeff is None else ast.UnaryOp(ast.USub(), coeff)
                dyn.append((coeff, fac))
        b = None
        for t in bias:
            b = t if b is None else ast.BinOp(b, ast.Add(), t)
        acc = None
        # terms without a coefficient first: they start the accumulator for free
        dyn.sort(key=lambda cf: cf[0] is not None)
        for coeff, fac in dyn:
            v = self._emit_dyn_product(fac)
            if coeff is None:
                acc = v if acc is None else self.op(f"{acc} + {v}")
            elif _is_num(coeff) and float(coeff.value) == -1.0:
                acc = self.op(f"-{v}") if acc is None else self.op(f"{acc} - {v}")
            elif acc is None:
                c = self.static(coeff)
                if b is not None and not _is_num(b) and not _is_num(coeff):
                    acc = self.op(f"addcmul({self.static(b)}, {v}, {c})")
                    b = None
                else:
                    acc = self.op(f"{v} * {c}")
            else:
                c = self.static(coeff)
                acc = self.op(f"addcmul({acc}, {v}, {c})") if not _is_num(coeff) else self.op(f"{acc} + {v} * {c}")
        if acc is None:
            return self.static(b if b is not None else ast.Constant(0.0))
        if b is not None:
            acc = self.op(f"{acc} + {self.static(b)}")
        return acc


def _parse(src: str):
    return ast.parse(src, mode="eval").body


def generate(dynamic_subs, gates, currents, gate_names, conductance_of=()):
    """Sources of (static function, step function) and the names the step reads from ns.

    dynamic_subs: [(name, expr)]; gates: [(j, name, inf, tau)]; currents: [(g, gating, E)].
    gate_names: the names read from st (the gates, then any per-step inputs such as the
    calcium pool's ECa, returned unchanged). A current whose E is one of those per-step names
    enters GE as (its conductance) * E; conductance_of: such E names whose summed conductance
    the step also returns (the calcium pool integrates that current).
    step(ns, V, st, dt) -> (new states list, G, GE[, G_E for E in conductance_of]) as
    Model.advance_eval.
    """
    dynamic = {"V", "dt", *gate_names, *(n for n, _ in dynamic_subs)}
    sc = StepCompiler(dynamic)
    for name, expr in dynamic_subs:
        sc.bind(name, sc.emit(_parse(expr)))
    new = {}
    for j, name, inf, tau in gates:
        i = sc.emit(_parse(inf))
        t = sc.emit(_parse(tau))
        decay = sc.op(f"exp(reciprocal({t}) * (-dt))")
        new[j] = sc.op(f"lerp({i}, {name}, {decay})")
    # currents read the updated gates
    for j, name, _, _ in gates:
        sc.bind(name, new[j])
    sc._dyn_key.clear()  # gate names now denote the new states: no reuse across the update
    G = GE = None
    dyn_E = []  # currents whose reversal potential changes per step (calcium pool)
    for g, gating, E in currents:
        x = sc.emit(_parse(gating))
        gs = sc.static(_parse(g))
        if E in dynamic:
            dyn_E.append((x, gs, E))
            continue
        ges = sc.static(_parse(f"({g}) * {E}"))
        if x == "1.0":  # ungated (leak, NCA)
            G, GE = (gs, ges) if G is None else (sc.op(f"{G} + {gs}"), sc.op(f"{GE} + {ges}"))
        elif G is None:
            G, GE = sc.op(f"{x} * {gs}"), sc.op(f"{x} * {ges}")
        else:
            G, GE = sc.op(f"addcmul({G}, {x}, {gs})"), sc.op(f"addcmul({GE}, {x}, {ges})")
    G_dyn = {}  # E name -> summed conductance of its currents
    for x, gs, E in dyn_E:
        ge = gs if x == "1.0" else sc.op(f"{x} * {gs}")
        G_dyn[E] = ge if E not in G_dyn else sc.op(f"{G_dyn[E]} + {ge}")
    for E, ge in G_dyn.items():
        G = ge if G is None else sc.op(f"{G} + {ge}")
        GE = sc.op(f"{ge} * {E}") if GE is None else sc.op(f"addcmul({GE}, {ge}, {E})")
    if G is None:
        G = GE = "0.0"
    static_lines = ["def _static(ns):"]
    static_lines += [f"    {n} = ns[{n!r}]" for n in sorted(sc.params_used)]
    static_lines += [f"    {n} = {s}" for n, s in sc.static_src]
    static_lines.append("    return {" + ", ".join(f"{n!r}: {n}" for n, _ in sc.static_src) + "}")
    inputs = [n for n, _ in sc.static_src] + sorted(_direct_params(sc.body, sc))
    head = ["def _step(ns, V, st, dt):"]
    head += [f"    {n} = ns[{n!r}]" for n in inputs]
    head += [f"    {g} = st[{j}]" for j, g in enumerate(gate_names)]
    extra = "".join(f", {G_dyn.get(E, '0.0')}" for E in conductance_of)
    tail = ["    return [" + ", ".join(new.get(j, f"st[{j}]") for j in range(len(gate_names))) + f"], {G}, {GE}{extra}"]
    return "\n".join(static_lines), "\n".join(head + sc.body + tail), inputs


def _direct_params(body, sc):
    """Parameter names the step statements read directly (not through a hoisted _s name)."""
    names = set()
    for line in body:
        tree = ast.parse(line.strip())
        for n in ast.walk(tree):
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load):
                names.add(n.id)
    funcs = _CALLS | {"sigmoid", "lerp", "addcmul", "reciprocal"}
    return {n for n in names if not n.startswith(("_t", "_s")) and n not in sc.dynamic_names and n not in funcs}


GLOBALS = {
    "exp": torch.exp,
    "log": torch.log,
    "sqrt": torch.sqrt,
    "abs": torch.abs,
    "sigmoid": torch.sigmoid,
    "lerp": torch.lerp,
    "addcmul": torch.addcmul,
    "reciprocal": torch.reciprocal,
}


def build(dynamic_subs, gates, currents, gate_names, conductance_of=()):
    """(static_fn, step_fn) compiled from generate(); each carries its .source, the step its
    .inputs (the ns entries it reads)."""
    s_src, t_src, inputs = generate(dynamic_subs, gates, currents, gate_names, conductance_of)
    glb = dict(GLOBALS)
    exec(compile(s_src, "<hh:static>", "exec"), glb)  # noqa: S102 - generated from static definitions
    exec(compile(t_src, "<hh:step>", "exec"), glb)  # noqa: S102
    sfn, tfn = glb["_static"], glb["_step"]
    sfn.source, tfn.source, tfn.inputs = s_src, t_src, inputs
    return sfn, tfn
