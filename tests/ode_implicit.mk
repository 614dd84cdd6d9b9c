# tests: ode.radau5 and ode.bdf (pure kernels on hand-built batch tasks; references from
# bench/peers/ode/ref_implicit.py)
noinst_HEADERS += tests/t_ode_implicit_fixture.h
check_PROGRAMS += tests/t_ode_implicit
tests_t_ode_implicit_SOURCES = tests/t_ode_implicit.c tests/tap.h
TESTS += tests/t_ode_implicit
EXTRA_DIST += bench/peers/ode/ref_implicit.py bench/peers/ode/ref_implicit.txt
# one n = 1000 system (a lone lane, O(n^2) work) against the exact solution
check_PROGRAMS += tests/t_ode_implicit_large
tests_t_ode_implicit_large_SOURCES = tests/t_ode_implicit_large.c tests/tap.h
TESTS += tests/t_ode_implicit_large
