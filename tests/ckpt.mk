# checkpoints and restarts (docs/checkpoint.md): restart == uninterrupted bitwise on grids, transport and
# ODE batches, on other tiles/workers/schedulers
TESTS += tests/t_ckpt_restart.sh
EXTRA_DIST += tests/t_ckpt_restart.sh tests/ckpt_lib.sh tests/graphs/vdp-bdf.yaml
