# tests: the mesh domain class (partitions, runs)
check_PROGRAMS += tests/t_mesh_part
tests_t_mesh_part_SOURCES = tests/t_mesh_part.c tests/tap.h
TESTS += tests/t_mesh_part
TESTS += tests/t_mesh_run.sh
EXTRA_DIST += tests/t_mesh_run.sh
# run.until's any/all stop conditions (on a small mesh)
TESTS += tests/t_until.sh
EXTRA_DIST += tests/t_until.sh
# the mesh class's checkpoint hooks, driven directly: restart == uninterrupted on other partitions
check_PROGRAMS += tests/t_mesh_ckpt
tests_t_mesh_ckpt_SOURCES = tests/t_mesh_ckpt.c tests/tap.h
TESTS += tests/t_mesh_ckpt
# mesh runs restarted from checkpoints (graphs/membrane) == uninterrupted, bitwise; run.until across a restart
TESTS += tests/t_mesh_restart.sh
EXTRA_DIST += tests/t_mesh_restart.sh
