# tests: membrane (mesh) codelets, each helper's lines on their own
# minimiser ops: every op against its formula on a hand-built partition view, PR+ and Armijo cases,
# a whole constrained quadratic minimisation through the ops (pure C, through the registry)
check_PROGRAMS += tests/t_membrane_minimise
tests_t_membrane_minimise_SOURCES = tests/t_membrane_minimise.c tests/tap.h tests/kernel_util.h
TESTS += tests/t_membrane_minimise
