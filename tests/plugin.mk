# tests: codelet packs (tests/t_plugin.sh builds the template pack and tiny packs with $(CC) and
# runs t_plugin_api with them; it also installs a second, -O0 build into a temp prefix)
check_PROGRAMS += tests/t_plugin_api
tests_t_plugin_api_SOURCES = tests/t_plugin_api.c tests/tap.h
TESTS += tests/t_plugin.sh
EXTRA_DIST += tests/t_plugin.sh
AM_TESTS_ENVIRONMENT += CC='$(CC)'; export CC;
