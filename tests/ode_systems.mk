# ODE systems: the built-ins (Jacobians against differences and symbolic ones, linear from HDF5) and
# expression systems (parser, derivatives, interpreter = native code bitwise, errors, the cache)
check_PROGRAMS += tests/t_ode_systems tests/t_ode_expr
tests_t_ode_systems_SOURCES = tests/t_ode_systems.c tests/tap.h
tests_t_ode_expr_SOURCES = tests/t_ode_expr.c tests/tap.h
TESTS += tests/t_ode_systems tests/t_ode_expr
# the C API example (examples/ode-user-system) and `stardag systems`
TESTS += tests/t_ode_user_system.sh
EXTRA_DIST += tests/t_ode_user_system.sh
# expression systems in a run: bitwise the built-in's ensemble
TESTS += tests/t_ode_expr_run.sh
EXTRA_DIST += tests/t_ode_expr_run.sh
# the linear system from an HDF5 file in a run (Radau, BDF against the exact solution)
TESTS += tests/t_ode_linear_run.sh
EXTRA_DIST += tests/t_ode_linear_run.sh
