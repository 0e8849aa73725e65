# Stage: hh (see README). Registers its outputs with add_targets("hh", [...]).
