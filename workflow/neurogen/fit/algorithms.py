"""Algorithms by name: ``nsga2`` (pymoo), ``gde3`` and ``nsde`` (pymoode), ``demo`` (ours).

DEMO (Robič & Filipič 2005, DEMO/parent, as used by Naudin et al. 2022) is not in a maintained
package; :class:`DEMO` implements it on pymoo's ``Algorithm``: for each parent a DE/rand/1/bin
trial vector; the trial replaces its parent if it dominates it, is discarded if the parent
dominates it, and otherwise joins the population; when every parent has been processed the
enlarged population is truncated to ``pop_size`` by non-dominated sorting and crowding distance.
In the original each trial is evaluated as soon as it is made and a replacement is visible to the
next trial's mutation. To simulate populations in batches we process the parents in
``n_batches`` blocks: trials of a block are made from the population as updated by the previous
blocks and evaluated together (n_batches = pop_size is the original; 1 is fully generational).
"""

from __future__ import annotations

import numpy as np
from pymoo.core.algorithm import Algorithm
from pymoo.core.population import Population
from pymoo.operators.sampling.lhs import LHS
from pymoo.termination.default import DefaultMultiObjectiveTermination
from pymoo.util.display.multi import MultiObjectiveOutput
from pymoo.util.dominator import get_relation

from .. import NeurogenError

ALGORITHMS = ("nsga2", "gde3", "nsde", "demo")


def _rank_and_crowding():
    from pymoo.algorithms.moo.nsga2 import RankAndCrowdingSurvival

    return RankAndCrowdingSurvival()


class DEMO(Algorithm):
    def __init__(self, pop_size=50, CR=0.3, F=1.5, n_batches=1, sampling=None, **kwargs):
        super().__init__(output=MultiObjectiveOutput(), **kwargs)
        if not (0 <= CR <= 1):
            raise NeurogenError(f"DEMO: CR must lie in [0, 1] (got {CR})")
        if not (0 < F <= 2):
            raise NeurogenError(f"DEMO: F must lie in (0, 2] (got {F})")
        if pop_size < 4:
            raise NeurogenError(f"DEMO: pop_size must be at least 4 (got {pop_size})")
        self.pop_size = int(pop_size)
        self.CR, self.F = float(CR), float(F)
        self.n_batches = max(1, min(int(n_batches), self.pop_size))
        self.sampling = sampling if sampling is not None else LHS()
        self.survival = _rank_and_crowding()
        self.termination = DefaultMultiObjectiveTermination()

    def _initialize_infill(self):
        return self.sampling.do(self.problem, self.pop_size)

    def _initialize_advance(self, infills=None, **kwargs):
        self.pop = infills
        self._next_parent = 0

    def _blocks(self):
        return np.array_split(np.arange(self.pop_size), self.n_batches)

    def _infill(self):
        block = self._blocks()[self._next_parent_block()]
        X = self.pop.get("X")
        n = len(X)
        xl, xu = self.problem.xl, self.problem.xu
        trials = np.empty((len(block), X.shape[1]))
        for j, i in enumerate(block):
            others = np.delete(np.arange(n), i)
            r1, r2, r3 = np.random.choice(others, 3, replace=False)
            mutant = X[r1] + self.F * (X[r2] - X[r3])
            cross = np.random.random(X.shape[1]) < self.CR
            cross[np.random.randint(X.shape[1])] = True
            t = np.where(cross, mutant, X[i])
            # out-of-range genes: a random point between the parent's value and the violated bound
            low, high = t < xl, t > xu
            t = np.where(low, xl + np.random.random(t.shape) * (X[i] - xl), t)
            t = np.where(high, xu - np.random.random(t.shape) * (xu - X[i]), t)
            trials[j] = t
        off = Population.new(X=trials)
        off.set("parent", block)
        return off

    def _next_parent_block(self):
        return self._next_parent

    def _advance(self, infills=None, **kwargs):
        extra = []
        for off in infills:
            i = int(off.get("parent"))
            rel = get_relation(self.pop[i], off)
            if rel == -1:  # trial dominates its parent: replace
                self.pop[i] = off
            elif rel == 0:  # neither dominates: both stay
                extra.append(off)
        if extra:
            self.pop = Population.merge(self.pop, Population.create(*extra))
        self._next_parent += 1
        if self._next_parent == self.n_batches:
            self.pop = self.survival.do(self.problem, self.pop, n_survive=self.pop_size)
            self._next_parent = 0


def make_algorithm(name: str, pop_size: int, CR: float = 0.3, F: float = 1.5, demo_batches: int = 1):
    """A pymoo algorithm by name; the DE variants use DE/rand/1/bin with ``CR`` and ``F``."""
    if name == "nsga2":
        from pymoo.algorithms.moo.nsga2 import NSGA2

        return NSGA2(pop_size=pop_size, sampling=LHS())
    if name == "gde3":
        from pymoode.algorithms import GDE3

        return GDE3(pop_size=pop_size, variant="DE/rand/1/bin", CR=CR, F=F)
    if name == "nsde":
        from pymoode.algorithms import NSDE

        return NSDE(pop_size=pop_size, variant="DE/rand/1/bin", CR=CR, F=F)
    if name == "demo":
        return DEMO(pop_size=pop_size, CR=CR, F=F, n_batches=demo_batches)
    raise NeurogenError(f"fit.algorithms: unknown algorithm {name!r}; known: {', '.join(ALGORITHMS)} and npe")


def progress_callback(name: str, problem, budget: int, log=None, label: str = ""):
    """A pymoo callback that logs ``problem``'s evaluations so far and its best objectives."""

    def cb(a):
        if log is not None:
            F_ = problem.recorded()["F"]
            log.info(
                "%s%s: %d/%d evaluations, best response MAE %.3f mV, best I–V MAE %.3f pA",
                name,
                label,
                problem.n_evaluated,
                budget,
                float(F_[:, 0].min()),
                float(F_[:, 1].min()),
            )

    return cb


def run_algorithm(
    problem,
    name: str,
    pop_size: int,
    n_gen: int,
    seed: int,
    CR: float = 0.3,
    F: float = 1.5,
    demo_batches: int = 1,
    log=None,
):
    """Run ``name`` on ``problem`` for ``n_gen`` generations (pop_size x n_gen evaluations)."""
    from pymoo.optimize import minimize

    algo = make_algorithm(name, pop_size, CR, F, demo_batches)
    budget = int(pop_size * n_gen)
    cb = progress_callback(name, problem, budget, log)
    res = minimize(problem, algo, ("n_eval", budget), seed=int(seed), verbose=False, callback=cb, save_history=False)
    return res
