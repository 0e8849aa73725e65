"""Figure functions (matplotlib, Agg backend), one module per figure family."""

import matplotlib

matplotlib.use("Agg")
