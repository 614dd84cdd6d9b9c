# tests: the explicit ODE solvers (ode.dopri5, ode.dop853, events, ode.status) on hand-built batch
# tiles, against bench/peers/ode/ref_explicit.txt (SciPy numbers; the script beside them)
check_PROGRAMS += tests/t_ode_explicit
tests_t_ode_explicit_SOURCES = tests/t_ode_explicit.c tests/tap.h
tests_t_ode_explicit_CPPFLAGS = $(AM_CPPFLAGS) -DSD_REF_EXPLICIT='"$(abs_top_srcdir)/bench/peers/ode/ref_explicit.txt"'
TESTS += tests/t_ode_explicit
EXTRA_DIST += bench/peers/ode/ref_explicit.py bench/peers/ode/ref_explicit.txt
