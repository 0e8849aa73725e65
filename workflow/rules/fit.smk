# Stage: fit (see README). Registers its outputs with add_targets("fit", [...]).
