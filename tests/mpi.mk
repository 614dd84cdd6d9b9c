# distributed runs under mpirun (docs/distributed.md): every bundled graph bitwise equal to a plain
# run on 1, 2 and 3 ranks, distributions, failures on one rank
TESTS += tests/t_mpi.sh
EXTRA_DIST += tests/t_mpi.sh
