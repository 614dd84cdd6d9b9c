# tests/faults: proof under faults (docs/reliability.md). In make check: peak RSS over a long run,
# a HOME StarPU cannot write to, a sample of the I/O fault cases and of the kills; make check-faults
# runs every I/O fault case and the full kill series.
TESTS += tests/faults/t_rss.sh
EXTRA_DIST += tests/faults/t_rss.sh tests/faults/scalars-only.yaml
TESTS += tests/faults/t_starpu_home.sh
EXTRA_DIST += tests/faults/t_starpu_home.sh
# the LD_PRELOAD I/O fault injector (tests/faults/inject.c): a module only the tests load
check_LTLIBRARIES += tests/faults/inject.la
tests_faults_inject_la_SOURCES = tests/faults/inject.c
tests_faults_inject_la_CFLAGS = -std=gnu11 -Wall -Wextra
tests_faults_inject_la_LDFLAGS = -module -avoid-version -shared -rpath /nowhere
tests_faults_inject_la_LIBADD = -ldl
# what a failed run left, against an uninterrupted run (tests/faults/io_faults.sh)
check_PROGRAMS += tests/faults/fault_check
tests_faults_fault_check_SOURCES = tests/faults/fault_check.c
TESTS += tests/faults/io_faults.sh
EXTRA_DIST += tests/faults/io_faults.sh tests/faults/io-grid.yaml
# the checkpoint writer alone under the injector (tests/faults/ckpt_faults.sh)
check_PROGRAMS += tests/faults/ckpt_io
tests_faults_ckpt_io_SOURCES = tests/faults/ckpt_io.c
TESTS += tests/faults/ckpt_faults.sh
EXTRA_DIST += tests/faults/ckpt_faults.sh
TESTS += tests/faults/kills.sh
EXTRA_DIST += tests/faults/kills.sh
# make check-faults (docs/reliability.md): every I/O fault case of a run (each call of each kind,
# ENOSPC and EIO, and a disk full from each call on) and of the checkpoint writer, and 200 kills
# per domain. Slow (docs/reliability.md says how long); make check runs a sample of each.
check-faults:
	SD_FAULTS_FULL=1 SD_KILLS=$${SD_KILLS:-200} SD_TEST_TIMEOUT=$${SD_TEST_TIMEOUT:-14400} $(MAKE) $(AM_MAKEFLAGS) check \
	  TESTS='tests/faults/io_faults.sh tests/faults/ckpt_faults.sh tests/faults/kills.sh'
.PHONY: check-faults
dist_doc_DATA += docs/reliability.md
