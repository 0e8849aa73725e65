"""Simulation budget arithmetic (as published: the total budget shared by the target neurons;
``fit.budget_unit: per_neuron`` states a budget per neuron instead: 3,600 per neuron x 9 = 32,400).

32k total samples over 9 neurons with a population of 600 -> 3,556 per neuron -> 6 generations
(3,600 evaluations); 64k -> 7,111 -> 12 generations (7,200). The initial population counts as
the first generation.
"""

from __future__ import annotations

from .. import NeurogenError

UNITS = ("total", "per_neuron")


def total_budget(budget: int, n_targets: int, unit: str = "total") -> int:
    """The total budget over ``n_targets`` neurons of a configured budget in ``unit``."""
    if unit not in UNITS:
        raise NeurogenError(f"fit.budget_unit: {unit!r} is not one of {', '.join(UNITS)}")
    if n_targets < 1:
        raise NeurogenError(f"fit.targets: need at least one target neuron (got {n_targets})")
    return int(budget) * int(n_targets) if unit == "per_neuron" else int(budget)


def per_neuron_budget(budget_total: int, n_targets: int) -> int:
    if n_targets < 1:
        raise NeurogenError(f"fit.targets: need at least one target neuron (got {n_targets})")
    if budget_total < 1:
        raise NeurogenError(f"fit.budgets: a budget must be a positive number of samples (got {budget_total})")
    return budget_total // n_targets


def generations(budget_total: int, n_targets: int, pop_size: int) -> int:
    """Generations (initial population included) giving each neuron its share of the budget.

    Rounded to the nearest whole generation, as in the paper (3,556 -> 6 x 600). Errors if the
    share is less than one population.
    """
    if pop_size < 4:
        raise NeurogenError(f"fit.pop_size: must be at least 4 for DE mutation (got {pop_size})")
    share = per_neuron_budget(budget_total, n_targets)
    n_gen = int(round(share / pop_size))
    if n_gen < 1:
        raise NeurogenError(
            f"fit.budgets: {budget_total} samples over {n_targets} neurons is {share} per neuron, "
            f"less than one population of fit.pop_size={pop_size}"
        )
    return n_gen
