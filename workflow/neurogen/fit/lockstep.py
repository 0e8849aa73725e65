"""Several target neurons fitted side by side, one simulator call per generation.

On a CPU a batch of HH simulations costs a fixed part per time step (Python and torch per-op
overhead) plus a part per neuron, and the fixed part dominates small batches: a population of 20
costs about as much as one of 300. Fitting several target neurons with the same method therefore
runs their optimisers in lockstep: every target's algorithm proposes its next generation
(pymoo's ask), the proposals of all targets are simulated in **one** simulator call (chunked by
the simulator's own ``chunk``), and each algorithm is told its own results (pymoo's tell).

Nothing else changes. Each target keeps its own problem, algorithm, seed and records; pymoo draws
from NumPy's (and Python's) global random state, so each algorithm's random state is saved and
restored around each of its steps, and every target's run is the one ``pymoo.optimize.minimize``
gives for that target alone with the same seed (``tests/test_fit.py`` checks it candidate by
candidate).
"""

from __future__ import annotations

import copy
import random

import numpy as np

from .. import NeurogenError


class SharedView:
    """What one target's :class:`~.problem.FitProblem` sees as its simulator in a lockstep run:
    the shared simulator's attributes, and the results the driver simulated for exactly the
    parameter sets the problem asks for next."""

    def __init__(self, sim):
        self._sim = sim
        self._next = None

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self._sim, name)

    def load(self, params, resp, iv):
        self._next = (params, resp, iv)

    def simulate_with_iv(self, params):
        nxt, self._next = self._next, None
        if nxt is None or nxt[0].shape != np.shape(params) or not np.array_equal(nxt[0], params):
            raise NeurogenError("lockstep: a problem asked for parameter sets the driver did not simulate (a bug)")
        return nxt[1], nxt[2]


def simulate_together(sim, views, params):
    """Simulate every view's parameter sets [N_i, F] in one call of ``sim`` and load each view
    with its own slice. Views with no parameter sets are skipped."""
    todo = [(v, np.asarray(p, dtype=np.float64)) for v, p in zip(views, params) if p is not None and len(p)]
    if not todo:
        return
    run = getattr(sim, "simulate_with_iv", None) or sim.simulate
    resp, iv = run(np.concatenate([p for _, p in todo]))
    a = 0
    for v, p in todo:
        v.load(p, resp[a : a + len(p)], iv[a : a + len(p)])
        a += len(p)


def evaluate_together(sim, problems, xs):
    """``problem.evaluate(x)`` for each problem with all simulations in one call; returns the F arrays."""
    simulate_together(sim, [p.sim for p in problems], [p.to_physical(x) for p, x in zip(problems, xs)])
    return [p.evaluate(np.asarray(x, dtype=np.float64), return_values_of=["F"]) for p, x in zip(problems, xs)]


def _state():
    return np.random.get_state(), random.getstate()


def _restore(s):
    np.random.set_state(s[0])
    random.setstate(s[1])


def _pending_x(algo, pop):
    """The X of the individuals pymoo's evaluator will evaluate (those not evaluated yet)."""
    ev = algo.evaluator
    if ev.skip_already_evaluated:
        idx = [i for i, ind in enumerate(pop) if not all(e in ind.evaluated for e in ev.evaluate_values_of)]
    else:
        idx = list(range(len(pop)))
    if not idx:
        return None
    return pop[idx].get("X")


def run_lockstep(sim, problems, algorithms, seeds, terminations, callbacks=None):
    """Run ``algorithms[i]`` on ``problems[i]`` (whose ``sim`` is a :class:`SharedView` of
    ``sim``) until ``terminations[i]`` (a pymoo termination tuple such as ``("n_eval", 600)``),
    generation by generation, each generation of every target simulated in one call of ``sim``.
    The caller's global random state is restored afterwards."""
    n = len(problems)
    if not (len(algorithms) == len(seeds) == len(terminations) == n):
        raise NeurogenError("lockstep: one algorithm, seed and termination per problem")
    callbacks = list(callbacks) if callbacks is not None else [None] * n
    outer = _state()
    states = []
    try:
        for p, a, s, t, cb in zip(problems, algorithms, seeds, terminations, callbacks):
            if not isinstance(p.sim, SharedView):
                raise NeurogenError("lockstep: each problem's simulator must be a SharedView of the shared simulator")
            a.setup(p, termination=copy.deepcopy(t), seed=int(s), verbose=False, callback=cb, save_history=False)
            states.append(_state())
        active = list(range(n))
        while True:
            active = [i for i in active if algorithms[i].has_next()]
            if not active:
                break
            infills, xs = {}, []
            for i in active:  # ask
                _restore(states[i])
                infills[i] = algorithms[i].infill()
                states[i] = _state()
                x = None if infills[i] is None else _pending_x(algorithms[i], infills[i])
                xs.append(None if x is None else problems[i].to_physical(x))
            simulate_together(sim, [problems[i].sim for i in active], xs)
            for i in active:  # tell
                _restore(states[i])
                a = algorithms[i]
                if infills[i] is None:
                    a.advance()
                else:
                    a.evaluator.eval(problems[i], infills[i], algorithm=a)
                    a.advance(infills=infills[i])
                states[i] = _state()
    finally:
        _restore(outer)
    return algorithms
