# Stage: epgan (see README). Registers its outputs with add_targets("epgan", [...]).
