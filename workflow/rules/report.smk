# Stage: report (see README). Registers its outputs with add_targets("report", [...]).
