# The C API example is built and run by make check (tests/t_example.sh).
check_PROGRAMS += examples/custom_codelet
examples_custom_codelet_SOURCES = examples/custom_codelet.c
