# Fuzzing (docs/reliability.md, "Fuzzing"): libFuzzer targets built with clang, AddressSanitizer
# and UndefinedBehaviorSanitizer in their own build tree $(FUZZ_DIR) (the library instrumented for
# coverage too), configured like check-sanitize's from the original configure arguments.
# - tests/fuzz/fuzz_loader: the graph loader on any bytes, from memory (sd_graph_parse);
# - tests/fuzz/fuzz_readers: the output readers (io/h5read.c, io/read_field.c) on mutated files;
# - tests/fuzz/fuzz_ckpt: the checkpoint reader (io/ckpt_read.c) on mutated files.
# make fuzz: each for FUZZ_SECONDS (default 60), seeded with the bundled graphs and tests/fuzz/<target>;
#   new inputs go to $(FUZZ_DIR)/corpus/<target>, crashes to $(FUZZ_DIR)/crashes/ (make one a
#   regression input: copy it into tests/fuzz/<target>/).
# make check-fuzz: tests/t_fuzz.sh in that tree: the regression inputs, then FUZZ_RUNS executions of
#   the loader and FUZZ_RUNS_HDF5 of each file reader, from a fixed seed (CI, .ci/run).
# tests/t_fuzz.sh in make check replays tests/fuzz/<target>/ through replay programs of the same
# targets (any compiler); its libFuzzer part is skipped outside $(FUZZ_DIR).
FUZZ_DIR = $(abs_top_builddir)/_fuzz
FUZZ_CC = clang
FUZZ_CFLAGS = -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=undefined
FUZZ_LINK_FLAGS = -fsanitize=address,undefined
FUZZ_SECONDS = 60
# check-fuzz's executions (about 20 s in all on a loaded 2-core machine): the loader runs ~400
# inputs a second, the readers of HDF5 files ~20
FUZZ_RUNS = 2000
FUZZ_RUNS_HDF5 = 150
FUZZ_TARGETS = loader readers ckpt

noinst_HEADERS += tests/fuzz/fuzz_file.h
check_PROGRAMS += tests/fuzz/replay_loader tests/fuzz/replay_readers tests/fuzz/replay_ckpt
tests_fuzz_replay_loader_SOURCES = tests/fuzz/fuzz_loader.c tests/fuzz/replay.c
tests_fuzz_replay_readers_SOURCES = tests/fuzz/fuzz_readers.c tests/fuzz/replay.c
tests_fuzz_replay_ckpt_SOURCES = tests/fuzz/fuzz_ckpt.c tests/fuzz/replay.c
# built only in $(FUZZ_DIR), on request (they need clang's -fsanitize=fuzzer)
EXTRA_PROGRAMS += tests/fuzz/fuzz_loader tests/fuzz/fuzz_readers tests/fuzz/fuzz_ckpt
tests_fuzz_fuzz_loader_SOURCES = tests/fuzz/fuzz_loader.c
tests_fuzz_fuzz_loader_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_readers_SOURCES = tests/fuzz/fuzz_readers.c
tests_fuzz_fuzz_readers_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_ckpt_SOURCES = tests/fuzz/fuzz_ckpt.c
tests_fuzz_fuzz_ckpt_LDFLAGS = -fsanitize=fuzzer
TESTS += tests/t_fuzz.sh
EXTRA_DIST += tests/t_fuzz.sh tests/fuzz/lsan.supp tests/fuzz/loader tests/fuzz/readers tests/fuzz/ckpt
CLEANFILES += tests/fuzz/fuzz_loader tests/fuzz/fuzz_readers tests/fuzz/fuzz_ckpt

# Leaks: libFuzzer's own check (LeakSanitizer after each input) stays on; HDF5's own leaks on a
# damaged file are named in tests/fuzz/lsan.supp.
FUZZ_ENV = ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1:fast_unwind_on_malloc=0; \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1; \
	LSAN_OPTIONS=suppressions=$(abs_top_srcdir)/tests/fuzz/lsan.supp:print_suppressions=0; \
	export ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS;

$(FUZZ_DIR)/config.status: $(top_srcdir)/configure $(top_builddir)/config.status
	@if test -f '$(abs_top_srcdir)/config.status'; then \
	  echo "fuzz: the source tree is configured in place; build out of tree, e.g. in _build/" >&2; exit 1; fi
	@command -v $(FUZZ_CC) >/dev/null || { echo "fuzz: $(FUZZ_CC) not found (apt-get install clang libclang-rt-14-dev)" >&2; exit 1; }
	$(MKDIR_P) '$(FUZZ_DIR)'
	ASAN_OPTIONS=detect_leaks=0; export ASAN_OPTIONS; \
	  eval "set -- $$($(SHELL) '$(abs_top_builddir)/config.status' --config)"; \
	  cd '$(FUZZ_DIR)' && $(SHELL) '$(abs_top_srcdir)/configure' --quiet "$$@" CC='$(FUZZ_CC)' \
	    CFLAGS='$(FUZZ_CFLAGS)' LDFLAGS='$(FUZZ_LINK_FLAGS)'

fuzz-build: $(FUZZ_DIR)/config.status
	ASAN_OPTIONS=detect_leaks=0; export ASAN_OPTIONS; cd '$(FUZZ_DIR)' && $(MAKE) $(AM_MAKEFLAGS) libstardag.la && \
	  $(MAKE) $(AM_MAKEFLAGS) tests/fuzz/fuzz_loader tests/fuzz/fuzz_readers tests/fuzz/fuzz_ckpt \
	    tests/fuzz/replay_loader tests/fuzz/replay_readers tests/fuzz/replay_ckpt

fuzz: fuzz-build
	@rc=0; for t in $(FUZZ_TARGETS); do \
	  case $$t in loader) seeds='$(abs_top_srcdir)/graphs $(abs_top_srcdir)/tests/graphs $(abs_top_srcdir)/tests/data' ;; \
	    *) seeds= ;; esac; \
	  $(MKDIR_P) '$(FUZZ_DIR)'/corpus/$$t '$(FUZZ_DIR)'/crashes; \
	  echo "fuzz: $$t for $(FUZZ_SECONDS) s (corpus $(FUZZ_DIR)/corpus/$$t)"; \
	  ($(FUZZ_ENV) '$(FUZZ_DIR)'/tests/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix='$(FUZZ_DIR)'/crashes/$$t- '$(FUZZ_DIR)'/corpus/$$t \
	    '$(abs_top_srcdir)'/tests/fuzz/$$t $$seeds) >'$(FUZZ_DIR)'/fuzz-$$t.log 2>&1 || rc=1; \
	  grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==|SUMMARY|Done|INFO: seed)' \
	    '$(FUZZ_DIR)'/fuzz-$$t.log; \
	done; \
	if test $$rc -eq 0; then echo "fuzz: no crash (logs: $(FUZZ_DIR)/fuzz-*.log)"; \
	else echo "fuzz: FAILED: see $(FUZZ_DIR)/fuzz-*.log and the inputs in $(FUZZ_DIR)/crashes" >&2; fi; exit $$rc

check-fuzz: fuzz-build
	@$(FUZZ_ENV) SD_FUZZ_RUNS=$(FUZZ_RUNS) SD_FUZZ_RUNS_HDF5=$(FUZZ_RUNS_HDF5); export SD_FUZZ_RUNS SD_FUZZ_RUNS_HDF5; \
	  cd '$(FUZZ_DIR)' && \
	  $(MAKE) $(AM_MAKEFLAGS) check-TESTS TESTS=tests/t_fuzz.sh check_PROGRAMS= check_LTLIBRARIES= # (programs: fuzz-build)

clean-fuzz:
	-rm -rf '$(FUZZ_DIR)'
distclean-local: clean-fuzz

.PHONY: fuzz fuzz-build check-fuzz clean-fuzz
