# make check-sanitize: the whole test suite under AddressSanitizer + UndefinedBehaviorSanitizer
# (LeakSanitizer included), in a separate build tree $(SANITIZE_DIR) configured from the same
# sources with the original configure arguments plus the sanitizer flags. It fails if a test fails
# or if any process (the stardag CLI and the examples run by the tests included) wrote a sanitizer
# report, even one whose exit status a test does not look at: reports go to files, and the recipe
# prints them. tests/lsan.supp may name leaks inside third-party libraries only.
SANITIZE_DIR = $(abs_top_builddir)/_sanitize
SANITIZE_CFLAGS = -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
SANITIZE_LDFLAGS = -fsanitize=address,undefined
SANITIZE_LOGS = $(SANITIZE_DIR)/sanitizer-logs
# Configuring and building: configure runs compiled test programs, which must not fail on a leak.
SANITIZE_BUILD_ENV = ASAN_OPTIONS=detect_leaks=0; export ASAN_OPTIONS;
# Running the tests (tests/harness.sh passes the environment on to every test and its children):
# - halt on the first error of either sanitizer, with a stack; reports to $(SANITIZE_LOGS)/*.PID;
# - LeakSanitizer on at exit, with the third-party suppressions;
# - HWLOC_COMPONENTS=-pci: hwloc's PCI discovery plugin (libpciaccess) allocates state that is still
#   referenced when hwloc dlcloses the plugin at starpu_shutdown, so LeakSanitizer reports it from an
#   "<unknown module>" that no suppression can name. stardag never uses PCI locality (no GPU
#   binding is done through hwloc's I/O objects in a CPU run), so the tests see the same machine.
SANITIZE_TEST_ENV = \
	ASAN_OPTIONS=halt_on_error=1:abort_on_error=0:detect_leaks=1:detect_stack_use_after_return=1:strict_string_checks=1:log_path=$(SANITIZE_LOGS)/asan; \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:report_error_type=1:log_path=$(SANITIZE_LOGS)/ubsan; \
	LSAN_OPTIONS=suppressions=$(abs_top_srcdir)/tests/lsan.supp:print_suppressions=0; \
	HWLOC_COMPONENTS=-pci; \
	export ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS HWLOC_COMPONENTS;
EXTRA_DIST += tests/lsan.supp

$(SANITIZE_DIR)/config.status: $(top_srcdir)/configure $(top_builddir)/config.status
	@if test -f '$(abs_top_srcdir)/config.status' && test '$(abs_top_srcdir)' != '$(abs_top_builddir)'; then :; \
	elif test -f '$(abs_top_srcdir)/config.status'; then \
	  echo "check-sanitize: the source tree is configured in place; build out of tree (e.g. _build/) to use it" >&2; \
	  exit 1; fi
	$(MKDIR_P) '$(SANITIZE_DIR)'
	$(SANITIZE_BUILD_ENV) eval "set -- $$($(SHELL) '$(abs_top_builddir)/config.status' --config)"; \
	  cd '$(SANITIZE_DIR)' && $(SHELL) '$(abs_top_srcdir)/configure' --quiet "$$@" \
	    CFLAGS='$(SANITIZE_CFLAGS)' LDFLAGS='$(SANITIZE_LDFLAGS)'

check-sanitize: $(SANITIZE_DIR)/config.status
	$(SANITIZE_BUILD_ENV) cd '$(SANITIZE_DIR)' && $(MAKE) $(AM_MAKEFLAGS) all && $(MAKE) $(AM_MAKEFLAGS) TESTS= check
	rm -rf '$(SANITIZE_LOGS)' && $(MKDIR_P) '$(SANITIZE_LOGS)'
	@$(SANITIZE_TEST_ENV) cd '$(SANITIZE_DIR)' && $(MAKE) $(AM_MAKEFLAGS) check; rc=$$?; \
	for f in '$(SANITIZE_LOGS)'/*; do \
	  test -f "$$f" || continue; echo "=== sanitizer report $$f"; cat "$$f"; rc=1; done; \
	if test $$rc -eq 0; then echo "check-sanitize: all tests pass under ASan+UBSan+LSan, no reports"; \
	else echo "check-sanitize: FAILED (see $(SANITIZE_DIR)/test-suite.log and the reports above)" >&2; fi; \
	exit $$rc

clean-sanitize:
	-rm -rf '$(SANITIZE_DIR)'
distclean-local: clean-sanitize

.PHONY: check-sanitize clean-sanitize
