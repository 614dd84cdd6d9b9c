# tests: loader (malformed graphs with exact messages, well-formed graphs field by field)
check_PROGRAMS += tests/t_loader
tests_t_loader_SOURCES = tests/t_loader.c
TESTS += tests/t_loader
# hostile input: depth, aliases, sizes, memory, long messages; time linear in keys and names
check_PROGRAMS += tests/t_loader_limits
tests_t_loader_limits_SOURCES = tests/t_loader_limits.c
TESTS += tests/t_loader_limits
