# tests: loader (malformed graphs with exact messages; well-formed graphs field by field)
check_PROGRAMS += tests/t_loader tests/t_loader_good
tests_t_loader_SOURCES = tests/t_loader.c tests/loader_codelets.h
tests_t_loader_good_SOURCES = tests/t_loader_good.c tests/loader_codelets.h
TESTS += tests/t_loader tests/t_loader_good
# hostile input: depth, aliases, sizes, memory, long messages; time linear in keys and names
check_PROGRAMS += tests/t_loader_limits
tests_t_loader_limits_SOURCES = tests/t_loader_limits.c
TESTS += tests/t_loader_limits
