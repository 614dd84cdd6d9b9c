# tests/faults: proof under faults (docs/reliability.md). In make check: peak RSS over a long run,
# a HOME StarPU cannot write to, a sample of the I/O fault cases and of the kills; make check-faults
# runs every I/O fault case and the full kill series.
TESTS += tests/faults/t_rss.sh
EXTRA_DIST += tests/faults/t_rss.sh tests/faults/scalars-only.yaml
TESTS += tests/faults/t_starpu_home.sh
EXTRA_DIST += tests/faults/t_starpu_home.sh
