# tests: io
check_PROGRAMS += tests/t_h5out
tests_t_h5out_SOURCES = tests/t_h5out.c
TESTS += tests/t_h5out
check_PROGRAMS += tests/t_h5md
tests_t_h5md_SOURCES = tests/t_h5md.c
TESTS += tests/t_h5md
# tests: nvcc options results depend on cannot be changed by NVCCFLAGS (cuda.mk); skips without nvcc
TESTS += tests/t_nvcc_flags.sh
EXTRA_DIST += tests/t_nvcc_flags.sh tests/t_nvcc_flags_probe.cu
# tests: the order in which the HDF5 writers make data durable, and crash states at every sync
check_PROGRAMS += tests/t_io_durable
tests_t_io_durable_SOURCES = tests/t_io_durable.c
TESTS += tests/t_io_durable
# the run file's profiles (/profiles): read back, refusals, a kill, a full disk
check_PROGRAMS += tests/t_h5out_profile
tests_t_h5out_profile_SOURCES = tests/t_h5out_profile.c tests/tap.h
TESTS += tests/t_h5out_profile
# an H5MD trajectory continued on a restart (frames after the checkpoint's step removed, then appended)
check_PROGRAMS += tests/t_h5md_continue
tests_t_h5md_continue_SOURCES = tests/t_h5md_continue.c tests/tap.h
TESTS += tests/t_h5md_continue
# a restarted run continues its run file: cut back to the checkpoint's step, as if never stopped;
# the cut's own crash safety; refusals; a long run's flat memory
check_PROGRAMS += tests/t_h5out_continue
tests_t_h5out_continue_SOURCES = tests/t_h5out_continue.c tests/tap.h
TESTS += tests/t_h5out_continue
