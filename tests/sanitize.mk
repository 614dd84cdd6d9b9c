# make check-sanitize: the whole test suite under AddressSanitizer + UndefinedBehaviorSanitizer
# (LeakSanitizer included), in a separate build tree $(SANITIZE_DIR) configured from the same
# sources with the original configure arguments plus the sanitizer flags. It fails if a test fails
# or if any process (the stardag CLI and the examples run by the tests included) wrote a sanitizer
# report, even one whose exit status a test does not look at: reports go to files, and the recipe
# prints them. tests/lsan.supp may name leaks inside third-party libraries only.
SANITIZE_DIR = $(abs_top_builddir)/_sanitize
SANITIZE_CFLAGS = -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
SANITIZE_LINK_FLAGS = -fsanitize=address,undefined
SANITIZE_LOGS = $(SANITIZE_DIR)/sanitizer-logs
# Configuring and building: configure runs compiled test programs, which must not fail on a leak.
SANITIZE_BUILD_ENV = ASAN_OPTIONS=detect_leaks=0; export ASAN_OPTIONS;
# Running the tests (tests/harness.sh passes the environment on to every test and its children):
# - halt on the first error of either sanitizer, with a stack; reports to $(SANITIZE_LOGS)/*.PID;
# - LeakSanitizer on at exit, with the third-party suppressions;
# - HWLOC_COMPONENTS=-pci: hwloc's PCI discovery plugin (libpciaccess) allocates state that is still
#   referenced when hwloc dlcloses the plugin at starpu_shutdown, so LeakSanitizer reports it from an
#   "<unknown module>" that no suppression can name. stardag never uses PCI locality (no GPU
#   binding is done through hwloc's I/O objects in a CPU run), so the tests see the same machine;
# - SD_TEST_SHORT=1: what the normal pass already runs at length on the same code is left to it
#   (t_md_run.sh's physics runs over thousands of steps, t_md_trajectories' 10,000-step NVE runs,
#   t_ode_implicit_large's later intervals, the 2,169-step membrane minimisation, verify's 1-D and
#   2-D grids and larger LJ systems, t_plugin.sh's second build for a real install, t_mpi.sh's
#   graphs beyond one per distributed code path, its restarts beyond two domains, its SLURM
#   example): minutes on a 2-core CI machine that find no memory error the short runs would not;
# - SD_IO_DURABLE_RANDOM=2: t_io_durable's random crash states per interval (16 in the normal pass;
#   every single-write and all-but-one state is still made): 348 s under ASan with 16 in a
#   fresh-clone .ci/run on 2 cores (2026-12-05), 105 s with 4 (2026-12-06).
SANITIZE_TEST_ENV = \
	ASAN_OPTIONS=halt_on_error=1:abort_on_error=0:detect_leaks=1:detect_stack_use_after_return=1:strict_string_checks=1:log_path=$(SANITIZE_LOGS)/asan; \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:report_error_type=1:log_path=$(SANITIZE_LOGS)/ubsan; \
	LSAN_OPTIONS=suppressions=$(abs_top_srcdir)/tests/lsan.supp:print_suppressions=0; \
	HWLOC_COMPONENTS=-pci; SD_TEST_SHORT=1; SD_IO_DURABLE_RANDOM=2; \
	export ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS HWLOC_COMPONENTS SD_TEST_SHORT SD_IO_DURABLE_RANDOM;
EXTRA_DIST += tests/lsan.supp

$(SANITIZE_DIR)/config.status: $(top_srcdir)/configure $(top_builddir)/config.status
	@if test -f '$(abs_top_srcdir)/config.status'; then \
	  echo "check-sanitize: the source tree is configured in place (configure then refuses a second build" >&2; \
	  echo "tree); run 'make distclean' there and build out of tree, e.g. in _build/" >&2; exit 1; fi
	$(MKDIR_P) '$(SANITIZE_DIR)'
	$(SANITIZE_BUILD_ENV) eval "set -- $$($(SHELL) '$(abs_top_builddir)/config.status' --config)"; \
	  cd '$(SANITIZE_DIR)' && $(SHELL) '$(abs_top_srcdir)/configure' --quiet "$$@" \
	    CFLAGS='$(SANITIZE_CFLAGS)' LDFLAGS='$(SANITIZE_LINK_FLAGS)'

# (all, then the test programs: in one make -jN the two would relink libstardag.la at once, since
# automake's all recurses into a second make that does not see the first one's targets)
check-sanitize: $(SANITIZE_DIR)/config.status
	$(SANITIZE_BUILD_ENV) cd '$(SANITIZE_DIR)' && $(MAKE) $(AM_MAKEFLAGS) all && $(MAKE) $(AM_MAKEFLAGS) $(check_PROGRAMS)
	rm -rf '$(SANITIZE_LOGS)' && $(MKDIR_P) '$(SANITIZE_LOGS)'
	@$(SANITIZE_TEST_ENV) cd '$(SANITIZE_DIR)' && $(MAKE) $(AM_MAKEFLAGS) check; rc=$$?; \
	for f in '$(SANITIZE_LOGS)'/*; do \
	  test -f "$$f" || continue; echo "=== sanitizer report $$f"; cat "$$f"; rc=1; done; \
	if test $$rc -eq 0; then echo "check-sanitize: all tests pass under ASan+UBSan+LSan, no reports"; \
	else echo "check-sanitize: FAILED (see $(SANITIZE_DIR)/test-suite.log and the reports above)" >&2; fi; \
	exit $$rc

# make check-tsan: the tests that run StarPU tasks under ThreadSanitizer, in a separate build tree
# $(TSAN_DIR) configured like $(SANITIZE_DIR) (same configure arguments, plus -fsanitize=thread).
# Every stardag object (library, CLI, codelets, tests) is instrumented; StarPU, hwloc, HDF5 and the
# C runtime are Debian's, not instrumented: TSan still sees their pthread calls (interceptors), but
# not their own atomics. tests/tsan.supp may therefore name third-party frames only, each with its
# reason; a report whose frames are stardag's is not suppressible and fails the target. Reports go
# to files (any process, including the CLI run by the shell tests) and the recipe prints them.
# TSAN_TESTS: the tests that submit StarPU tasks (kernels, loader and pure-C tests add nothing a
# thread could race on). check-tsan TSAN_TESTS='tests/t_x ...' runs a subset.
TSAN_DIR = $(abs_top_builddir)/_tsan
TSAN_CFLAGS = -g -O1 -fno-omit-frame-pointer -fsanitize=thread
TSAN_LINK_FLAGS = -fsanitize=thread
TSAN_LOGS = $(TSAN_DIR)/tsan-logs
TSAN_TESTS = tests/t_whole tests/t_reproducible tests/t_absorb_tiling tests/t_lattice_physics tests/t_md_run.sh \
	tests/t_cli.sh tests/t_example.sh tests/t_compare.sh tests/t_calibrate.sh tests/t_report.sh tests/t_trace.sh \
	tests/t_verify.sh tests/t_output.sh tests/t_mesh_run.sh tests/t_membrane_graphs.sh tests/t_profiles.sh
# - halt_on_error=0: every report of a process is written (exitcode 66 then fails it anyway);
# - second_deadlock_stack=1: lock-order reports show both acquisitions;
# - HWLOC_COMPONENTS=-pci as for check-sanitize (the same machine view as the other targets);
# - SD_TEST_SHORT=1: tests/t_md_run.sh reports its long physics runs (NVE over 10,000 steps, the
#   thermostats over 1000 steps: minutes under TSan, no interleaving the other runs lack) as skipped;
# - SD_TEST_TIMEOUT=1500: TSan runs code 5-15x slower, and t_verify.sh (every codelet, two tilings)
#   passed its 600 s limit on a loaded 2-core machine; the limit is there to catch hangs.
TSAN_TEST_ENV = \
	TSAN_OPTIONS=halt_on_error=0:exitcode=66:second_deadlock_stack=1:suppressions=$(abs_top_srcdir)/tests/tsan.supp:print_suppressions=0:log_path=$(TSAN_LOGS)/tsan; \
	HWLOC_COMPONENTS=-pci; SD_TEST_SHORT=1; SD_TEST_TIMEOUT=1500; \
	export TSAN_OPTIONS HWLOC_COMPONENTS SD_TEST_SHORT SD_TEST_TIMEOUT;
EXTRA_DIST += tests/tsan.supp

$(TSAN_DIR)/config.status: $(top_srcdir)/configure $(top_builddir)/config.status
	@if test -f '$(abs_top_srcdir)/config.status'; then \
	  echo "check-tsan: the source tree is configured in place (configure then refuses a second build" >&2; \
	  echo "tree); run 'make distclean' there and build out of tree, e.g. in _build/" >&2; exit 1; fi
	$(MKDIR_P) '$(TSAN_DIR)'
	eval "set -- $$($(SHELL) '$(abs_top_builddir)/config.status' --config)"; \
	  cd '$(TSAN_DIR)' && $(SHELL) '$(abs_top_srcdir)/configure' --quiet "$$@" \
	    CFLAGS='$(TSAN_CFLAGS)' LDFLAGS='$(TSAN_LINK_FLAGS)'

check-tsan: $(TSAN_DIR)/config.status
	cd '$(TSAN_DIR)' && $(MAKE) $(AM_MAKEFLAGS) all && $(MAKE) $(AM_MAKEFLAGS) $(call test_programs,$(TSAN_TESTS))
	rm -rf '$(TSAN_LOGS)' && $(MKDIR_P) '$(TSAN_LOGS)'
	@$(TSAN_TEST_ENV) cd '$(TSAN_DIR)' && $(MAKE) $(AM_MAKEFLAGS) check TESTS='$(TSAN_TESTS)' \
	  check_PROGRAMS='$(call test_programs,$(TSAN_TESTS))'; rc=$$?; \
	for f in '$(TSAN_LOGS)'/*; do \
	  test -f "$$f" || continue; echo "=== ThreadSanitizer report $$f"; cat "$$f"; rc=1; done; \
	if test $$rc -eq 0; then echo "check-tsan: $(TSAN_TESTS) pass under ThreadSanitizer, no reports"; \
	else echo "check-tsan: FAILED (see $(TSAN_DIR)/test-suite.log and the reports above)" >&2; fi; \
	exit $$rc

# make check-valgrind: the CLI and the C API example of this (normal) build under Valgrind memcheck.
# ASan only sees accesses made by instrumented code; this catches stardag memory that an
# uninstrumented library (StarPU) reads or writes after stardag freed it. Fails on any memcheck
# error or definite leak. HWLOC_COMPONENTS=-pci as above (the same unloaded-plugin report).
VALGRIND = valgrind
VALGRIND_FLAGS = -q --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=9
check-valgrind: all $(check_PROGRAMS)
	@command -v $(VALGRIND) >/dev/null || { echo "check-valgrind: $(VALGRIND) not found" >&2; exit 1; }
	@home=$$(mktemp -d "$${TMPDIR:-/tmp}/stardag-vg.XXXXXX") || exit 1; \
	STARPU_HOME=$$home STARPU_WORKERS_NOBIND=1 STARPU_SILENT=1 HWLOC_COMPONENTS=-pci; \
	export STARPU_HOME STARPU_WORKERS_NOBIND STARPU_SILENT HWLOC_COMPONENTS; \
	vg="$(SHELL) $(abs_top_builddir)/libtool --mode=execute $(VALGRIND) $(VALGRIND_FLAGS)"; rc=0; \
	run() { want=$$1; shift; echo "check-valgrind: $$*"; $$vg "$$@" >"$$home/out" 2>"$$home/err"; got=$$?; \
	  if test $$got -ne $$want; then echo "check-valgrind: FAILED (exit $$got, expected $$want)" >&2; \
	    cat "$$home/err" >&2; rc=1; fi; }; \
	run 0 ./stardag run '$(abs_top_srcdir)/graphs/lattice/kg-packet.yaml' --set n=16 --steps 20 --out "$$home/v.h5"; \
	run 0 ./stardag run '$(abs_top_srcdir)/graphs/lattice/kg-packet.yaml' --set n=16 --steps 20 --tiles 16x16x4 \
	  --out "$$home/w.h5" --trace "$$home/t.json"; \
	run 0 ./stardag compare "$$home/v.h5" "$$home/w.h5"; \
	run 0 ./stardag report "$$home/w.h5" --trace "$$home/t.json" --out "$$home/charts"; \
	run 0 ./stardag verify --cpu-vs-cpu common.axpy --shapes 19x13; \
	run 0 ./stardag dot '$(abs_top_srcdir)/graphs/lattice/kg-packet.yaml' --set n=32 --tiles 32x32x8; \
	run 2 ./stardag run '$(abs_top_srcdir)/graphs/lattice/kg-packet.yaml' --frobnicate 3; \
	run 3 ./stardag run '$(abs_top_srcdir)/tests/graphs/blowup.yaml' --out "$$home/b.h5" --quiet; \
	(cd "$$home" && run 0 '$(abs_top_builddir)/stardag' run '$(abs_top_srcdir)/tests/data/md-lj.yaml' --set cells=5 \
	  --set drift_tol=1 --steps 25 --tiles 2 --out "$$home/md.h5"; exit $$rc) || rc=1; \
	run 3 ./stardag run '$(abs_top_srcdir)/tests/data/md-lj.yaml' --set cells=12 --set rho=20 --steps 3 \
	  --out "$$home/dense.h5" --quiet; \
	(cd "$$home" && run 0 '$(abs_top_builddir)/examples/custom_codelet'; exit $$rc) || rc=1; \
	rm -rf "$$home"; \
	test $$rc -eq 0 && echo "check-valgrind: clean"; exit $$rc

clean-sanitize:
	-rm -rf '$(SANITIZE_DIR)' '$(TSAN_DIR)'
distclean-local: clean-sanitize

.PHONY: check-sanitize check-tsan check-valgrind clean-sanitize
