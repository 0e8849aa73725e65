# Stage: augment (see README). Registers its outputs with add_targets("augment", [...]).
