# checkpoints and restarts (docs/checkpoint.md): restart == uninterrupted bitwise on grids, transport and
# ODE batches, on other tiles/workers/schedulers
TESTS += tests/t_ckpt_restart.sh tests/t_ckpt_cli.sh
EXTRA_DIST += tests/t_ckpt_restart.sh tests/t_ckpt_cli.sh tests/ckpt_lib.sh tests/graphs/vdp-bdf.yaml
# the checkpoint file: round trip, checksums, truncated/newer/incomplete files, rotation, a live reader
check_PROGRAMS += tests/t_ckpt_io
tests_t_ckpt_io_SOURCES = tests/t_ckpt_io.c tests/tap.h
TESTS += tests/t_ckpt_io
# every domain class has its checkpoint hooks
check_PROGRAMS += tests/t_ckpt_classes
tests_t_ckpt_classes_SOURCES = tests/t_ckpt_classes.c tests/tap.h
TESTS += tests/t_ckpt_classes
