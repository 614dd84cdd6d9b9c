# tests: the transport pack (docs/transport.md): operators against slow references, and graphs
# through the CLI (fused == split, tilings, workers, dense == sparse, conservation, bad input)
check_PROGRAMS += tests/t_transport_ops
tests_t_transport_ops_SOURCES = tests/t_transport_ops.c tests/tap.h
TESTS += tests/t_transport_ops tests/t_transport_run.sh
EXTRA_DIST += tests/t_transport_run.sh tests/graphs/transport-step.yaml tests/graphs/transport-split.yaml
